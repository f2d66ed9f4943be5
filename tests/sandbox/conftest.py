"""Fixtures: a sandbox registry per test (fresh SQLite file, shared certificates)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_client import EppClient

from bureau.sandbox.testing import Sandbox, start_sandbox


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-state")


@pytest.fixture
def sandbox(cert_dir: Path, tmp_path: Path) -> Iterator[Sandbox]:
    # Certificates are shared (slow-ish to make), the database is per test.
    with start_sandbox(cert_dir, db_path=tmp_path / "sandbox.sqlite3") as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[EppClient]:
    c = EppClient(sandbox, "bureau")
    assert c.login().code == 1000
    yield c
    c.close()


@pytest.fixture
def rival(sandbox: Sandbox) -> Iterator[EppClient]:
    c = EppClient(sandbox, "rival")
    assert c.login().code == 1000
    yield c
    c.close()
