"""Keys made the way each party makes them, and a few-thousand-row deposit to check. The
agent's gpg-made key and gpg itself come from tests/escrow_fixtures.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pysequoia
import pytest
from escrow_fixtures import Party, gpg

from bureau.escrow.crypto import SigningKeys
from bureau.escrow.generate import generate_rows
from bureau.escrow.pipeline import DepositConfig, DepositResult, write_deposit
from bureau.escrow.profiles import EDITION_2007, Profile
from bureau.escrow.reader import AgentKeys
from bureau.escrow.rows import DomainRow

IANA = "9999"
ROWS = 3000


@pytest.fixture(scope="session")
def agent_v4(agent: Party) -> Party:
    """The gpg-made agent key, named beside the v6 one."""
    return agent


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

