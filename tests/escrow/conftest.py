"""Keys made the way each party makes them, and a few-thousand-row deposit to check.

The escrow agent's key is made with gpg (as agents do): a message Sequoia encrypts to a
Sequoia-made key uses a newer packet format that GnuPG 2.2 cannot decrypt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pysequoia
import pytest

from bureau.escrow.crypto import SigningKeys
from bureau.escrow.generate import generate_rows
from bureau.escrow.pipeline import DepositConfig, DepositResult, write_deposit
from bureau.escrow.profiles import EDITION_2007, Profile
from bureau.escrow.reader import AgentKeys
from bureau.escrow.rows import DomainRow

IANA = "9999"
ROWS = 3000


@dataclass(frozen=True)
class Party:
    secret: Path
    public: Path
    fingerprint: str


def gpg(home: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--yes", *args],
                          input=input, capture_output=True, check=False)


@pytest.fixture(scope="session")
def gnupghome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed (scripts/system-deps installs gnupg)")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


@pytest.fixture(scope="session")
def agent_v4(gnupghome: Path, tmp_path_factory: pytest.TempPathFactory) -> Party:
    """The escrow agent's key, made with gpg 2.2 (Ed25519 + Cv25519, v4)."""
    d = tmp_path_factory.mktemp("agent")
    uid = "Escrow Agent <rde@agent.example>"
    r = gpg(gnupghome, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
    assert r.returncode == 0, r.stderr
    out = gpg(gnupghome, "--with-colons", "--list-keys", uid).stdout.decode()
    fpr = next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr"))
    r = gpg(gnupghome, "--passphrase", "", "--quick-add-key", fpr, "cv25519", "encr", "never")
    assert r.returncode == 0, r.stderr
    pub, sec = d / "agent.pub", d / "agent.sec"
    pub.write_bytes(gpg(gnupghome, "--armor", "--export", fpr).stdout)
    sec.write_bytes(gpg(gnupghome, "--armor", "--pinentry-mode", "loopback", "--passphrase", "",
                        "--export-secret-keys", fpr).stdout)
    return Party(sec, pub, fpr.lower())


def sequoia_party(d: Path, name: str, profile: pysequoia.Profile) -> Party:
    tsk = pysequoia.Tsk.generate(f"{name} <{name}@registrar.example>", profile=profile)
    sec, pub = d / f"{name}.sec", d / f"{name}.pub"
    sec.write_text(str(tsk))
    pub.write_text(str(tsk.extract_certificate()))
    return Party(sec, pub, tsk.extract_certificate().fingerprint.lower())


@pytest.fixture(scope="session")
def registrar_v4(tmp_path_factory: pytest.TempPathFactory, gnupghome: Path) -> Party:
    p = sequoia_party(tmp_path_factory.mktemp("reg"), "registrar", pysequoia.Profile.RFC4880)
    assert gpg(gnupghome, "--import", str(p.public)).returncode == 0
    return p


@pytest.fixture(scope="session")
def other_registrar(tmp_path_factory: pytest.TempPathFactory) -> Party:
    return sequoia_party(tmp_path_factory.mktemp("other"), "intruder", pysequoia.Profile.RFC4880)


@pytest.fixture(scope="session")
def agent_v6(tmp_path_factory: pytest.TempPathFactory) -> Party:
    return sequoia_party(tmp_path_factory.mktemp("agent6"), "agent6", pysequoia.Profile.RFC9580)


@pytest.fixture(scope="session")
def registrar_v6(tmp_path_factory: pytest.TempPathFactory) -> Party:
    return sequoia_party(tmp_path_factory.mktemp("reg6"), "registrar6", pysequoia.Profile.RFC9580)


def make_deposit(out: Path, rows: list[DomainRow] | Iterator[DomainRow], agent: Party,
                 registrar: Party, profile: Profile = EDITION_2007, **kw: object
                 ) -> DepositResult:
    out.mkdir(parents=True, exist_ok=True)
    config = DepositConfig(IANA, profile, SigningKeys(agent.public, registrar.secret), out,
                           **kw)  # type: ignore[arg-type]
    return write_deposit(rows, config)


def agent_keys(agent: Party, registrar: Party) -> AgentKeys:
    return AgentKeys.from_files(agent.secret, [registrar.public])


@pytest.fixture(scope="session")
def rows() -> list[DomainRow]:
    return list(generate_rows(ROWS, seed=7))


@pytest.fixture(scope="session")
def deposit(tmp_path_factory: pytest.TempPathFactory, rows: list[DomainRow], agent_v4: Party,
            registrar_v4: Party) -> DepositResult:
    return make_deposit(tmp_path_factory.mktemp("deposit"), rows, agent_v4, registrar_v4)


@pytest.fixture
def deposit_copy(deposit: DepositResult, tmp_path: Path) -> Path:
    """A private copy of the shared deposit, for tests that tamper with it."""
    dst = tmp_path / "copy"
    shutil.copytree(deposit.hash_file.parent, dst)
    return dst


__all__ = ["IANA", "ROWS", "Party", "agent_keys", "gpg", "make_deposit"]
_ = os
