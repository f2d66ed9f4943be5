"""Escrow settings: from Django settings when set there, else the environment, else a default.
Keys and passphrases are files named here; nothing secret is in code.

Environment variables:

- ``BUREAU_ESCROW_IANA_ID`` the registrar's IANA ID (required to make a deposit)
- ``BUREAU_ESCROW_PROFILE`` ``2007`` (default), ``2007-handles`` or ``2024``
- ``BUREAU_ESCROW_COMPRESSION`` ``gzip`` (default), ``bzip2`` or ``zip``
- ``BUREAU_ESCROW_INCLUDE_REDEMPTION`` deposit names in redemption too (default 1)
- ``BUREAU_ESCROW_INCREMENTALS`` ``always`` (default): the daily job makes an incremental;
  ``auto``: only when the 100,000 registration-years threshold makes them mandatory
- ``BUREAU_ESCROW_GTLDS`` the gTLDs Bureau sells, comma-separated (required): only their
  names are deposited and counted for the threshold (the specification covers gTLD
  registrations only, 4.1.6/4.1.7; ccTLD names are never deposited)
- ``BUREAU_ESCROW_DIR`` where deposits are written (default ``$BUREAU_STATE_DIR/escrow``)
- ``BUREAU_ESCROW_AGENT_CERT`` the escrow agent's OpenPGP public key (file)
- ``BUREAU_ESCROW_SIGNING_KEY`` the registrar's OpenPGP secret key (file)
- ``BUREAU_ESCROW_SIGNING_PASSPHRASE_FILE`` file holding that key's passphrase (optional)
- ``BUREAU_ESCROW_REGISTRAR_CERT`` the registrar's public key, for ``verify`` and ``restore``
  (default: the signing key file)
- ``BUREAU_ESCROW_SFTP_HOST``, ``_PORT`` (22), ``_USER``, ``_KEY_FILE``, ``_REMOTE_DIR`` (.),
  ``_KNOWN_HOSTS`` (file; required unless ``BUREAU_ESCROW_SFTP_TRUST_NEW_HOST=1``, tests only)
- ``BUREAU_ESCROW_DELIVERY_RETRIES`` (5)
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from bureau.env import setting as _get
from bureau.escrow.crypto import SigningKeys
from bureau.escrow.deliver import SftpTarget
from bureau.escrow.profiles import Profile, get_profile


class EscrowNotConfigured(Exception):
    """A setting the operator must give is missing or wrong."""




def _bool(name: str, default: bool) -> bool:
    return _get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _required(name: str, what: str) -> str:
    value = _get(name).strip()
    if not value:
        raise EscrowNotConfigured(f"{name} is not set: give {what}.")
    return value


def _file(name: str, what: str) -> Path:
    path = Path(_required(name, what))
    if not path.is_file():
        raise EscrowNotConfigured(f"{name}={path}: no such file ({what}).")
    return path


def iana_id_or_none() -> str | None:
    return _get("BUREAU_ESCROW_IANA_ID").strip() or None


def iana_id() -> str:
    value = _required("BUREAU_ESCROW_IANA_ID", "the registrar's IANA ID (digits)")
    if not value.isdigit():
        raise EscrowNotConfigured(f"BUREAU_ESCROW_IANA_ID={value!r}: an IANA ID is digits only.")
    return value


def profile() -> Profile:
    name = _get("BUREAU_ESCROW_PROFILE", "2007")
    try:
        return get_profile(name)
    except ValueError as e:
        raise EscrowNotConfigured(f"BUREAU_ESCROW_PROFILE: {e}") from None


def compression() -> str:
    value = _get("BUREAU_ESCROW_COMPRESSION", "gzip")
    if value not in ("gzip", "bzip2", "zip"):
        raise EscrowNotConfigured(
            f"BUREAU_ESCROW_COMPRESSION={value!r}: choose gzip, bzip2 or zip.")
    return value


def include_redemption() -> bool:
    return _bool("BUREAU_ESCROW_INCLUDE_REDEMPTION", True)


def incrementals() -> str:
    value = _get("BUREAU_ESCROW_INCREMENTALS", "always")
    if value not in ("always", "auto"):
        raise EscrowNotConfigured(f"BUREAU_ESCROW_INCREMENTALS={value!r}: always or auto.")
    return value


def gtlds() -> list[str]:
    """The TLDs whose names are escrowed: gTLDs only, named by the operator (a ccTLD is not
    covered by RAA 3.6, so nothing is deposited by default)."""
    names = [t.strip().lower().strip(".") for t in _get("BUREAU_ESCROW_GTLDS").split(",")
             if t.strip()]
    if not names:
        raise EscrowNotConfigured(
            "BUREAU_ESCROW_GTLDS is not set: list the gTLDs Bureau sells, comma-separated "
            "(e.g. org,net,coop). Escrow covers gTLD registrations only; ccTLD names are not "
            "deposited.")
    cctlds = [t for t in names if len(t) == 2 and t.isascii() and t.isalpha()]
    if cctlds:
        raise EscrowNotConfigured(
            f"BUREAU_ESCROW_GTLDS lists {', '.join(cctlds)}: two-letter TLDs are ccTLDs, "
            "which registrar data escrow does not cover; remove them.")
    return names


def out_dir() -> Path:
    default = Path(settings.STATE_DIR) / "escrow"
    return Path(_get("BUREAU_ESCROW_DIR", str(default)))


def signing_keys() -> SigningKeys:
    passphrase = None
    pfile = _get("BUREAU_ESCROW_SIGNING_PASSPHRASE_FILE").strip()
    if pfile:
        try:
            passphrase = Path(pfile).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as e:
            raise EscrowNotConfigured(
                f"BUREAU_ESCROW_SIGNING_PASSPHRASE_FILE={pfile}: cannot read it ({e})") from e
    return SigningKeys(
        _file("BUREAU_ESCROW_AGENT_CERT", "the escrow agent's OpenPGP public key file"),
        _file("BUREAU_ESCROW_SIGNING_KEY", "the registrar's OpenPGP secret key file"),
        passphrase,
    )


def registrar_cert() -> Path:
    if _get("BUREAU_ESCROW_REGISTRAR_CERT").strip():
        return _file("BUREAU_ESCROW_REGISTRAR_CERT", "the registrar's OpenPGP public key file")
    return _file("BUREAU_ESCROW_SIGNING_KEY", "the registrar's OpenPGP key file")


def sftp_target() -> SftpTarget:
    known = _get("BUREAU_ESCROW_SFTP_KNOWN_HOSTS").strip()
    if not known and not _bool("BUREAU_ESCROW_SFTP_TRUST_NEW_HOST", False):
        raise EscrowNotConfigured(
            "BUREAU_ESCROW_SFTP_KNOWN_HOSTS is not set: give a known_hosts file holding the "
            "escrow agent's SSH host key.")
    port = _get("BUREAU_ESCROW_SFTP_PORT", "22")
    if not port.isdigit():
        raise EscrowNotConfigured(f"BUREAU_ESCROW_SFTP_PORT={port!r}: a port number.")
    return SftpTarget(
        host=_required("BUREAU_ESCROW_SFTP_HOST", "the escrow agent's SFTP host"),
        port=int(port),
        username=_required("BUREAU_ESCROW_SFTP_USER", "the SFTP account name"),
        key_file=_file("BUREAU_ESCROW_SFTP_KEY_FILE", "the SSH private key for the agent"),
        remote_dir=_get("BUREAU_ESCROW_SFTP_REMOTE_DIR", "."),
        known_hosts=Path(known) if known else None,
    )


def delivery_retries() -> int:
    return int(_get("BUREAU_ESCROW_DELIVERY_RETRIES", "5"))
