"""The portal's renew after expiry goes through ``notices.renewal.renew_for_holder``: the
registry's auto-renewal year is kept and charged once (the registrar's plain renew would be
refused, or renew a year too far), against the sandbox registry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.core import clock
from bureau.notices.models import Term
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox

from .conftest import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_clock(sandbox: Sandbox) -> Iterator[Sandbox]:
    with clock.use(sandbox.clock.now_datetime):
        yield sandbox


def test_renew_after_expiry_keeps_the_registrys_auto_renewal_year(
        client_a: Client, alice: User, org_a: Organisation, sandbox_registry: Registry,
        registry_clock: Sandbox) -> None:
    ledger.top_up(org_a, 10_000, "EUR")
    domain = register.register(organisation=org_a, actor=Actor(alice), name="tardif.test",
                               registrant=make_contact(org_a, "Holder")).domain
    expiry = domain.expires_at
    assert expiry is not None
    registry_clock.clock.advance(seconds=(expiry + timedelta(days=3) - clock.now())
                                 .total_seconds())
    url = f"/domains/{domain.pk}/renew/"
    too_long = client_a.post(url, {"period": 2, "accepted_price": 2000})
    assert too_long.status_code == 400 and "renew it for one year now" in \
        too_long.content.decode()
    confirm = client_a.post(url, {"period": 1}).content.decode()
    assert 'name="accepted_price" value="1000"' in confirm
    before = ledger.balance(org_a, "EUR")
    done = client_a.post(url, {"period": 1, "accepted_price": 1000})
    assert done.status_code == 302, done.content.decode()
    domain.refresh_from_db()
    assert domain.expires_at is not None
    # One year after the old expiry (the registry's auto-renewal), not two; charged once.
    assert domain.expires_at.date() == expiry.replace(year=expiry.year + 1).date()
    assert Term.objects.get(domain=domain).paid_until.date() == domain.expires_at.date()
    assert ledger.balance(org_a, "EUR") == before - 1000
