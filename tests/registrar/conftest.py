"""Fixtures of the registrar tests: a registry and a TLD stored directly (no registry behind
them). Camille, her organisation, contact and funds, and the sandbox registry come from
tests/registrar_fixtures.py. The database is the one DATABASE_URL names (PostgreSQL in
`make test`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from bureau.registrar.registries.models import Registry, Tld


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English unless a test asks for French (Bureau's default is French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def registry(db: Any) -> Registry:
    return Registry.objects.create(
        name="Sandbox", slug="sandbox", host="127.0.0.1", port=7000,
        client_id="bureau", password="s3cret-epp-password",
    )


@pytest.fixture
def tld(registry: Registry) -> Tld:
    return Tld.objects.create(
        registry=registry, name="test", create_price=1200, renew_price=1200,
        transfer_price=1000, restore_price=5000,
    )
