"""A name's life against the sandbox registry and a real SMTP server: reminders at each step
(once, in the holder's language, text and HTML, dates and price), catch-up after a worker
outage, ERRP parking after expiry and the holder's DNS back after renewal, release at the
end of grace and restore."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import dateformat, translation

from bureau import epp
from bureau.core import clock
from bureau.notices.jobs import run_all
from bureau.notices.models import Notice, Parking, Term
from bureau.notices.renewal import renew_for_holder
from bureau.notices.tasks import run_notices
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations import restore, update
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries import connection
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox

pytestmark = pytest.mark.django_db
HOLDER_NS = ["ns1.atelier-dns.net", "ns2.atelier-dns.net"]
HOLDER_DS = update.DS(12345, 13, 2, "AB" * 32)
PARKING_NS = ["ns1.bureau-parking.net", "ns2.bureau-parking.net"]


def jump_to(sandbox: Sandbox, moment: datetime) -> None:
    delta = (moment - clock.now()).total_seconds()
    assert delta >= 0, "the sandbox clock only moves forward"
    sandbox.clock.advance(seconds=delta)


def french_date(moment: datetime) -> str:
    with translation.override("fr"):
        return dateformat.format(moment, "j F Y")


def registry_nameservers(domain: Domain) -> set[str]:
    response = connection.execute(domain.registry, epp.DomainInfo(domain.name))
    return {ns if isinstance(ns, str) else ns.name for ns in response.data.nameservers}


def registry_ds(domain: Domain) -> list[update.DS]:
    response = connection.execute(domain.registry, epp.DomainInfo(domain.name))
    data = response.extension(epp.SecDNSData)
    if data is None:
        return []
    return [update.DS(d.key_tag, d.alg, d.digest_type, d.digest.upper()) for d in data.ds_data]


def reminders(inbox: Inbox) -> list:
    return inbox.take_kind("reminder:")


def test_each_reminder_once_at_its_step_in_the_holders_language(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    run_all()
    assert reminders(inbox) == []  # a year ahead: nothing due
    for step in (60, 30, 7, 1):
        jump_to(registry_clock, expiry - timedelta(days=step) + timedelta(hours=1))
        run_all()
        got = reminders(inbox)
        assert [r.key for r in got] == [f"reminder:{domain.pk}:{expiry.date()}:{step}"] * 2
        assert {r.rcpt[0] for r in got} == {"camille@example.org", "compta@atelier.example"}
        mail = got[0]
        assert mail.language == "fr"
        assert "atelier.test" in mail.subject and french_date(expiry) in mail.subject
        assert french_date(expiry) in mail.text and french_date(expiry) in mail.html
        assert "10,00 EUR" in mail.text and "10,00 EUR" in mail.html  # 8 + 2 margin, French
        assert (f"dans {step} jours" if step > 1 else "dans 1 jour.") in mail.text
        renew_url = f"https://portal.bureau.test/domains/{domain.pk}/"
        assert renew_url in mail.text and f'href="{renew_url}"' in mail.html
        assert "renouvel" in mail.text  # French
        assert "personne n’a choisi le renouvellement automatique" in mail.text
        # A second run, or a restarted worker, sends nothing more.
        run_all()
        run_notices.call()
        assert reminders(inbox) == []
    assert Notice.objects.filter(domain=domain, kind="reminder").count() == 4


def test_worker_down_sends_only_the_latest_due_step(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    # Down from before day -60 until day -5: steps 60 and 30 are past, 7 is the current one.
    jump_to(registry_clock, expiry - timedelta(days=5))
    run_notices.call()
    got = reminders(inbox)
    assert {r.key for r in got} == {f"reminder:{domain.pk}:{expiry.date()}:7"}
    run_notices.call()
    assert reminders(inbox) == []


def test_expiry_parks_the_name_and_renewal_restores_its_dns(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    update.update(domain=domain, actor=member, ds_records=[HOLDER_DS])
    jump_to(registry_clock, expiry + timedelta(days=2, hours=1))
    run_all()
    domain.refresh_from_db()
    # ERRP: resolution points at the parking page (unsigned), recorded in the history.
    assert registry_nameservers(domain) == set(PARKING_NS)
    assert registry_ds(domain) == []
    parking = Parking.objects.get(domain=domain, restored_at=None)
    assert parking.saved_nameservers == HOLDER_NS
    assert DomainEvent.objects.filter(domain=domain, actor_label="errp-parking").exists()
    got = reminders(inbox)
    assert {r.key for r in got} == {f"reminder:{domain.pk}:{expiry.date()}:-2"}
    text = got[0].text
    assert "a expiré" in text and french_date(expiry + timedelta(days=30)) in text
    # The parking page says so.
    from django.test import Client
    page = Client().get("/notices/parked/", {"name": "www.atelier.test"})
    assert page.status_code == 200 and "atelier.test" in page.content.decode()

    # Late renewal: the registry's auto-renewal year is charged to the holder, once.
    before = ledger.balance(domain.organisation, "EUR")
    renew_for_holder(domain, member)
    assert ledger.balance(domain.organisation, "EUR") == before - 1000
    term = Term.objects.get(domain=domain)
    assert term.paid_until.date() == expiry.replace(year=expiry.year + 1).date()
    run_all()
    assert registry_nameservers(domain) == set(HOLDER_NS)
    assert registry_ds(domain) == [HOLDER_DS]
    assert Parking.objects.get(pk=parking.pk).restored_at is not None
    assert DomainEvent.objects.filter(domain=domain, actor_label="errp-parking").count() == 2
    assert reminders(inbox) == []


def test_unrenewed_name_is_deleted_after_grace_and_can_be_restored(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    jump_to(registry_clock, expiry + timedelta(days=1))
    run_all()
    jump_to(registry_clock, expiry + timedelta(days=31))
    run_all()
    domain.refresh_from_db()
    assert domain.state == DomainState.REDEMPTION
    before = ledger.balance(domain.organisation, "EUR")
    restore.restore(domain=domain, actor=member)
    domain.refresh_from_db()
    assert domain.state == DomainState.ACTIVE
    assert ledger.balance(domain.organisation, "EUR") < before
    run_all()
    term = Term.objects.get(domain=domain)
    assert term.paid_until > clock.now()
    assert registry_nameservers(domain) == set(HOLDER_NS)
