"""A period Bureau would sell but the registry does not: the registry's fee:check says
avail="0" with a reason (RFC 8748), and the quote shows the name unavailable for it, with
that reason, instead of a price (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bureau.registrar.operations import check
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Tld
from bureau.sandbox.policy import default_config
from bureau.sandbox.testing import Sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """The sandbox, selling .example for 1 or 2 years only."""
    from bureau.registrar.registries import connection
    from bureau.sandbox.testing import start_sandbox

    base = default_config()
    config = replace(base, tlds={**base.tlds,
                                 "example": replace(base.tlds["example"], max_period=2)})
    with start_sandbox(tmp_path / "sandbox", config) as running:
        yield running
    connection.close_all()


def test_a_period_the_registry_does_not_sell_is_unavailable(member: Actor) -> None:
    Tld.objects.filter(name="example").update(max_period=10)  # Bureau's side says 10
    (two,) = check.check(["libre.example"], period=2)
    assert two.available
    (five,) = check.check(["libre.example"], period=5)
    assert not five.available
    assert five.reason and "not sold" in five.reason
