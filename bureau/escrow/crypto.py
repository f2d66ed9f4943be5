"""OpenPGP with Sequoia (pysequoia): v4 and RFC 9580 v6 keys, streaming.

Encryption runs in a child process (``encryptor.py``, run as a script) fed through a pipe:
pysequoia keeps the GIL while it works, so in-process it would stall the CSV and compression
threads (measured: a deadlock with a FIFO, a stall with a thread). A child also gives the
encryption its own CPU core.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysequoia

from bureau.escrow import encryptor
from bureau.escrow.encryptor import PASSPHRASE_ENV


class CryptoError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """Where the keys are: the agent's public key, the registrar's secret key, its passphrase.

    Paths and passphrase come from configuration (command line, files, environment).
    """

    agent_cert: Path
    registrar_key: Path
    passphrase: str | None = None

    def check(self) -> None:
        cert = load_cert(self.agent_cert)
        with warnings.catch_warnings():  # has_secret_keys is deprecated but still right here
            warnings.simplefilter("ignore", DeprecationWarning)
            secret = cert.has_secret_keys
        if secret:
            raise CryptoError(f"{self.agent_cert}: give the agent's PUBLIC key, not a secret key")
        tsk = load_tsk(self.registrar_key)
        try:
            tsk.signer(self.passphrase)
        except Exception as e:
            raise CryptoError(
                f"{self.registrar_key}: cannot unlock the registrar's signing key ({e}); "
                "check the passphrase"
            ) from e


def load_cert(path: str | os.PathLike[str]) -> pysequoia.Cert:
    try:
        return pysequoia.Cert.from_file(str(path))
    except Exception as e:
        raise CryptoError(f"{path}: not an OpenPGP certificate ({e})") from e


def load_tsk(path: str | os.PathLike[str]) -> pysequoia.Tsk:
    try:
        return pysequoia.Tsk.from_file(str(path))
    except Exception as e:
        raise CryptoError(f"{path}: not an OpenPGP secret key ({e})") from e


def spawn_encryptor(keys: SigningKeys, output: Path) -> subprocess.Popen[bytes]:
    """Start a child that encrypts+signs its stdin into ``output``."""
    env = dict(os.environ)
    env.pop(PASSPHRASE_ENV, None)
    if keys.passphrase is not None:
        env[PASSPHRASE_ENV] = keys.passphrase
    # -I: the child needs only pysequoia (found through the interpreter's own site-packages)
    return subprocess.Popen(
        [sys.executable, "-I", encryptor.__file__,
         str(keys.agent_cert), str(keys.registrar_key), str(output)],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env, bufsize=1 << 20,
    )


def sign_detached(data: bytes, keys: SigningKeys) -> bytes:
    """The registrar's detached, ASCII-armored signature of ``data`` (the hash file)."""
    signer = load_tsk(keys.registrar_key).signer(keys.passphrase)
    signature: bytes = pysequoia.sign(signer, data, mode=pysequoia.SignatureMode.DETACHED,
                                      armor=True)
    return signature


def verify_detached(data: bytes, signature: bytes, signers: list[pysequoia.Cert]) -> list[str]:
    """The fingerprints of the valid signatures of ``data``; CryptoError if none is valid."""
    try:
        sig = pysequoia.Sig.from_bytes(signature)
        result = pysequoia.verify(bytes=data, store=lambda _ids: signers, signature=sig)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # pysequoia's Rust panics are BaseExceptions
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CryptoError(f"signature does not verify ({first})") from e
    if not result.valid_sigs:
        raise CryptoError("signature does not verify (no valid signature)")
    return [str(v.certificate).lower() for v in result.valid_sigs]


_ENCRYPTED_SESSION_KEY_TAGS = (1, 3)  # public-key / symmetric-key encrypted session key


def first_packet_tag(path: Path) -> int | None:
    """The OpenPGP packet tag the file starts with (RFC 9580 §4.2), None if not binary
    OpenPGP."""
    with open(path, "rb") as f:
        first = f.read(1)
    if not first or not first[0] & 0x80:
        return None
    return first[0] & 0x3F if first[0] & 0x40 else (first[0] >> 2) & 0x0F


def decrypt_and_verify(
    encrypted: Path, plaintext: Path, agent_key: pysequoia.Tsk, agent_passphrase: str | None,
    signers: list[pysequoia.Cert],
) -> list[str]:
    """Decrypt into ``plaintext`` and return the fingerprints of the valid signatures.

    Raises CryptoError if it cannot decrypt, or if the file is not encrypted at all (a
    signed-only message would "decrypt" to its content: 4.1.20 asks for both); the caller must
    discard ``plaintext`` then (pysequoia leaves partial output behind).
    """
    if first_packet_tag(encrypted) not in _ENCRYPTED_SESSION_KEY_TAGS:
        raise CryptoError(f"{encrypted.name}: not an encrypted OpenPGP message (4.1.20: each "
                          "file is encrypted to the agent and signed)")

    def store(_key_ids: Any) -> list[pysequoia.Cert]:
        return signers

    try:
        result = pysequoia.decrypt_file(
            str(encrypted), str(plaintext), decryptor=agent_key.decryptor(agent_passphrase),
            store=store,
        )
    except Exception as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CryptoError(f"{encrypted.name}: cannot decrypt or verify ({first})") from e
    if not result.valid_sigs:
        raise CryptoError(f"{encrypted.name}: encrypted but not signed by the registrar key")
    return [str(sig.certificate).lower() for sig in result.valid_sigs]
