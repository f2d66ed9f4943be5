"""Fixtures of the cooperative's tests: people in three colleges and a shifted clock. For
pricing and invoices, the organisation with funds at the sandbox registry (``actor``) comes
from tests/registrar_fixtures.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from bureau.coop.models import College, Member
from bureau.coop.operations import membership
from bureau.core import clock


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


class Clock:
    """The cooperative's clock, moved by hand: ``clock.advance(days=15)``."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def coop_clock() -> Iterator[Clock]:
    shifted = Clock()
    with clock.use(shifted.now):
        yield shifted


DEFAULT_COLLEGES = [("employees", "Salarié·es", 1),
                    ("customers", "Client·es et bénéficiaires", 2),
                    ("contributors", "Contributeurs et contributrices", 3)]


@pytest.fixture
def colleges(db: Any) -> dict[str, College]:
    """The three colleges the migration creates (made again after a transactional test's
    flush emptied the table)."""
    for code, name, position in DEFAULT_COLLEGES:
        College.objects.get_or_create(code=code, defaults={
            "name": name, "position": position,
            "admission": "staff" if code == "employees" else "anyone"})
    return {c.code: c for c in College.objects.all()}


@pytest.fixture
def make_member(colleges: dict[str, College]) -> Callable[..., Member]:
    counter = iter(range(1, 10_000))

    def make(college: str, shares: int = 1, name: str = "") -> Member:
        n = next(counter)
        # No password: hashing one takes most of a second.
        user = User.objects.create(username=f"person{n}", email=f"person{n}@example.org",
                                   is_staff=colleges[college].admission == "staff")
        return membership.join(user, colleges[college], shares, name=name or f"Person {n}",
                               paid=True)

    return make
