"""Issue 7: "expiring without renewal shows the same explanation before the last reminder":
the last reminder before expiry carries the goodbye page's explanation (what stops working,
read from the hosted zone, and the risks to check), in the holder's language; earlier ones
only link to it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bureau.core import clock
from bureau.dns.models import Record, Zone
from bureau.notices.jobs import run_all
from bureau.registrar.domains.models import Domain
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox

pytestmark = pytest.mark.django_db


def jump_to(sandbox: Sandbox, moment: datetime) -> None:
    sandbox.clock.advance(seconds=(moment - clock.now()).total_seconds())


def test_last_reminder_before_expiry_explains_what_stops_and_the_risks(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    zone = Zone.objects.create(name="atelier.test.", organisation=domain.organisation,
                               domain=domain, nameservers=["ns1.bureau.test."])
    Record.objects.create(zone=zone, name="atelier.test.", rtype="MX",
                          content="10 mx.fournisseur.example.", ttl=3600)
    expiry = domain.expires_at
    assert expiry is not None
    jump_to(registry_clock, expiry - timedelta(days=7) + timedelta(hours=1))
    run_all()
    week = inbox.take_kind("reminder:")[0]
    assert "hameçonnage" not in week.text  # not yet: a link is enough a week before
    jump_to(registry_clock, expiry - timedelta(days=1) + timedelta(hours=1))
    run_all()
    last = inbox.take_kind("reminder:")
    assert [r.key for r in last] == [f"reminder:{domain.pk}:{expiry.date()}:1"] * 2
    for part in (last[0].text, last[0].html):
        assert "Un nom de domaine se loue" in part  # the goodbye page's explanation
        assert "Le courriel des adresses @atelier.test" in part  # read from the zone
        assert "mx.fournisseur.example" in part
        assert "hameçonnage" in part and "mot de passe" in part  # the risks
        assert f"/notices/goodbye/{domain.name}/" in part
