"""Shared by the deployment tests: the test database's URL for processes started by a test,
throwaway PostgreSQL databases, and the folders of the repository they read."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
DEPLOY = ROOT / "deploy"


def bureau_env(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without its Bureau settings, plus `settings`: what a
    Bureau process started by a test runs with."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith("BUREAU_") and k != "DATABASE_URL"}
    return {**keep, **settings}


def server_url() -> str:
    """postgres://user[:password]@host:port of the PostgreSQL the tests use."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bureau")
    db = dj_database_url.parse(url)
    if "postgresql" not in db["ENGINE"]:
        pytest.fail("the deployment tests run on PostgreSQL: set DATABASE_URL=postgres://...",
                    pytrace=False)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def database_url() -> str:
    """The URL of the Django test database, for Bureau processes started by a test."""
    from django.db import connection

    server_url()  # PostgreSQL, or a clear failure
    return f"{server_url()}/{connection.settings_dict['NAME']}"


@pytest.fixture(scope="module")
def new_database() -> Iterator[Callable[[str], str]]:
    """Makes empty PostgreSQL databases (name prefix given) and drops them after the module."""
    import psycopg

    made: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{server_url()}/{name}"

    yield make
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
