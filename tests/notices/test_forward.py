"""The demo's fast-forward: `bureau forward` moves the sandbox registry's clock and Bureau's
together and runs the jobs at each moment a rule acts on; a holder's year, asserted step by
step in French and in English (issue 21, point 10 and "Done when"), with Bureau's own DNS
serving the parked name on a real PowerDNS (tests/dns_fixtures.py)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import dns.flags
import dns.rcode
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format
from dns_fixtures import BUREAU_NS

from bureau.core import clock
from bureau.core.sandboxclock import sandbox_clock
from bureau.dns.powerdns import PowerDNSInstance
from bureau.dns.query import answer_rrset, ask
from bureau.notices.forward import forward
from bureau.notices.models import ContactProfile, Parking
from bureau.notices.renewal import restore_for_holder
from bureau.notices.terms import domain_timeline
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox, Received
from .test_lifecycle import registry_nameservers

pytestmark = pytest.mark.django_db


def test_bureaus_clock_follows_the_sandboxs(registry_clock: Sandbox) -> None:
    follow = sandbox_clock(registry_clock.state_dir, reread_seconds=0)
    before = follow()
    registry_clock.clock.advance(days=30)
    assert follow() - before >= timedelta(days=30)
    assert abs(follow() - registry_clock.clock.now_datetime()) < timedelta(seconds=2)


# What a holder and the billing people read, step by step (days from expiry, observed an hour
# after the step): each email's kind and subject, the name's state, and the portal's renewal
# panel. The holder's address is never verified: its link goes at the first stop and the
# flag 15 days later.
STEPS = [-90, -60, -30, -7, -1, 0, 1, 5, 8, 20, 35, 40]
TEXT = {
    "en": {
        "verify-email": "Please confirm your email address",
        "contact-flagged": "Urgent: please verify your email address",
        "reminder": "atelier.test expires on {expiry}: renew it",
        "yearly-check": "Is your contact data still right?",
        "late": "Urgent: atelier.test expired, renew it before {grace_end}",
        "redemption": "Urgent: atelier.test was deleted, restore it before {redemption_end}",
        "active": "Paid until {expiry}.",
        "grace": "Expired on {expiry}: renew it before {grace_end} at the usual price.",
        "deleted": "Deleted: it can be restored until {redemption_end}, for the restore fee.",
        "unverified": "is not verified: follow the link we sent",
        "parked": "atelier.test has expired",
        "parked-grace": "Its holder can still renew it.",
        "parked-deleted": "it expired on {expiry} and was then deleted",
        "in": "Your domain name atelier.test expires on {expiry}, in {days}.",
        "day": "day", "days": "days",
        "restored": "atelier.test is restored",
    },
    "fr": {
        "verify-email": "Merci de confirmer votre adresse électronique",
        "contact-flagged": "Urgent : merci de vérifier votre adresse électronique",
        "reminder": "atelier.test expire le {expiry} : renouvelez-le",
        "yearly-check": "Vos coordonnées sont-elles toujours exactes ?",
        "late": "Urgent : atelier.test a expiré, renouvelez-le avant le {grace_end}",
        "redemption": "Urgent : atelier.test a été supprimé, restaurez-le avant le "
                      "{redemption_end}",
        "active": "Payé jusqu’au {expiry}.",
        "grace": "Expiré le {expiry} : renouvelez-le avant le {grace_end} au prix habituel.",
        "deleted": "Supprimé : il peut être restauré jusqu’au {redemption_end}, avec les "
                   "frais de restauration.",
        "unverified": "n’est pas vérifiée : suivez le lien que nous avons envoyé",
        "parked": "atelier.test a expiré",
        "parked-grace": "Son ou sa titulaire peut encore le renouveler.",
        "parked-deleted": "il a expiré le {expiry}, puis a été supprimé",
        "in": "Votre nom de domaine atelier.test expire le {expiry}, dans {days}.",
        "day": "jour", "days": "jours",
        "restored": "atelier.test est restauré",
    },
}
# Step -> the emails received since the step before (kind, what the subject says), the
# name's state, whether it is parked, and which panel text the portal shows.
EXPECTED: dict[int, tuple[list[tuple[str, str]], str, bool, str]] = {
    -90: ([("verify-email", "verify-email")], "active", False, "active"),
    -60: ([("contact-flagged", "contact-flagged"), ("reminder:60", "reminder")],
          "active", False, "active"),
    -30: ([("reminder:30", "reminder")], "active", False, "active"),
    -7: ([("reminder:7", "reminder")], "active", False, "active"),
    -1: ([("reminder:1", "reminder")], "active", False, "active"),
    0: ([("yearly-check", "yearly-check")], "active", True, "grace"),
    1: ([], "active", True, "grace"),
    5: ([("reminder:-2", "late")], "active", True, "grace"),
    8: ([], "active", True, "grace"),
    20: ([], "active", True, "grace"),
    35: ([("redemption", "redemption")], "redemption", True, "deleted"),
    40: ([], "redemption", True, "deleted"),
}
HOLDER_NS = {"ns1.atelier-dns.net", "ns2.atelier-dns.net"}
# The web server showing the parking page: what Bureau's DNS answers for a parked name.
PARKING_PAGE = {"A": "192.0.2.80", "AAAA": "2001:db8::80"}


@pytest.fixture
def bureaus_dns_parking(dns_settings: Any) -> Any:
    """Parking as deployed (bureau/settings.py): the name, hosted elsewhere, is delegated to
    Bureau's name servers, whose PowerDNS serves a parking zone for it."""
    dns_settings.BUREAU_NOTICES_DNS_PARKING = "bureau.dns.operations.parking.provider"
    dns_settings.BUREAU_NOTICES_PARKING_NAMESERVERS = list(BUREAU_NS)
    dns_settings.BUREAU_DNS_PARKING_ADDRESSES = list(PARKING_PAGE.values())
    return dns_settings


def bureaus_dns(pdns: PowerDNSInstance, name: str, rtype: str) -> tuple[str, set[str]]:
    """What Bureau's name server answers for `name`: the response code and the records
    (authoritative answers only)."""
    response = ask("127.0.0.1", name, rtype, port=pdns.dns_port)
    rrset = answer_rrset(response, name, rtype)
    records = {r.to_text() for r in rrset} if rrset is not None else set()
    assert not records or response.flags & dns.flags.AA, (name, rtype, response)
    return dns.rcode.to_text(response.rcode()), records


def assert_parking_answers(pdns: PowerDNSInstance, parked: bool, step: object) -> None:
    """Parked: the apex and www answer the parking page's addresses. Otherwise Bureau's DNS
    does not answer for the name at all (it is not authoritative for it)."""
    for owner in ("atelier.test.", "www.atelier.test."):
        for rtype, address in PARKING_PAGE.items():
            got = bureaus_dns(pdns, owner, rtype)
            assert got == (("NOERROR", {address}) if parked else ("REFUSED", set())), (
                step, owner, rtype, got)


def kind_of(key: str) -> str:
    parts = key.split(":")
    return f"{parts[0]}:{parts[3]}" if parts[0] == "reminder" else parts[0]


def panel(page: str) -> str:
    """The renewal panel's first paragraph and the banners, as text."""
    found = re.search(r'<p class="card" role="alert">.*?<h2 id="h-renewal-\d+">.*?</p>',
                      page, re.S)
    assert found, "no renewal panel on the domain page"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_holders_year_in_fast_forward(bureaus_dns_parking: Any, pdns: PowerDNSInstance,
                                        domain: Domain, registry_clock: Sandbox, inbox: Inbox,
                                        owner: User, member: Actor, lang: str) -> None:
    """The demo's fast-forward (the code `bureau forward` runs) moves both clocks and runs the
    jobs; at each step every email, the state, the registry's name servers, Bureau's DNS
    answer and the portal's domain page are checked, in the holder's and the reader's
    language; then the holder restores the name and the parking is gone at once."""
    ContactProfile.objects.filter(contact=domain.registrant).update(language=lang)
    expiry = domain.expires_at
    assert expiry is not None
    line = domain_timeline(domain, expiry)
    with translation.override(lang):
        dates = {k: date_format(v, "j F Y") for k, v in (
            ("expiry", expiry), ("grace_end", line.grace_end),
            ("redemption_end", line.redemption_end))}
    text = {k: v.format(**dates, days="{days}") for k, v in TEXT[lang].items()}
    looks = {expiry + timedelta(days=d, hours=1): d for d in STEPS}
    portal = Client(headers={"accept-language": lang})
    portal.force_login(owner)
    recipients = {"camille@example.org", "compta@atelier.example"}
    mails: list[Received] = []
    checked = []
    seconds = (expiry - clock.now()).total_seconds() + 41 * 86400
    for stop in forward(registry_clock.state_dir, seconds, also=looks):
        # Both clocks moved together, and every job ran without failing.
        assert abs(stop.at - registry_clock.clock.now_datetime()) < timedelta(seconds=5)
        assert not [job for job, result in stop.jobs.items()
                    if isinstance(result, str) and result.startswith("failed")], stop.jobs
        mails += inbox.take()
        step = next((d for at, d in looks.items() if abs(at - stop.at) < timedelta(seconds=30)),
                    None)
        if step is None:
            continue
        emails, state, parked, phase = EXPECTED[step]
        got = sorted({(kind_of(m.key), m.subject) for m in mails})
        assert got == sorted((kind, text[subject]) for kind, subject in emails), (step, got)
        for mail in mails:
            assert mail.language == lang and set(mail.rcpt) <= recipients
            assert "https://portal.bureau.test/" in mail.text and mail.html
            kind = kind_of(mail.key)
            if kind.startswith("reminder:") and int(kind[9:]) > 0:  # "in 1 day", "in 7 days"
                left = int(kind[9:])
                days = f"{left} {text['day'] if left == 1 else text['days']}"
                assert text["in"].format(days=days) in mail.text, mail.text
        for kind, _subject in emails:
            # Reminders reach the holder and the billing people; the contact checks only
            # the holder.
            to = {r for m in mails if kind_of(m.key) == kind for r in m.rcpt}
            assert to == (recipients if kind.startswith(("reminder", "redemption"))
                          else {"camille@example.org"}), (step, kind, to)
        mails = []
        domain.refresh_from_db()
        assert domain.state == state, step
        assert Parking.objects.filter(domain=domain, restored_at=None).exists() == parked
        assert_parking_answers(pdns, parked, step)
        with clock.use(lambda at=stop.at: at):  # type: ignore[misc]
            if step < 0:
                assert registry_nameservers(domain) == HOLDER_NS, step
            elif state == DomainState.ACTIVE:
                assert registry_nameservers(domain) == set(BUREAU_NS), step
            page = portal.get(f"/domains/{domain.pk}/")
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
        shown = panel(page.text)
        assert text[phase] in shown and text["unverified"] in shown, (step, shown)
        # What a visitor of the name sees once it is parked (the parking page), in their
        # language; nothing before.
        visitor = Client(headers={"accept-language": lang}).get(
            "/notices/parked/", {"name": "www.atelier.test"})
        assert visitor.status_code == (200 if parked else 404), step
        if parked:
            seen = html.unescape(visitor.content.decode())
            assert text["parked"] in seen, step
            assert text["parked-grace" if phase == "grace" else "parked-deleted"] in seen, step
        checked.append(step)
    assert checked == STEPS

    # Restored in redemption (the portal's use case): the holder's name servers are back at
    # the registry and Bureau's DNS stops answering the parking page at once, not at a job.
    restore_for_holder(domain, member)
    restored = {(kind_of(m.key), m.subject) for m in inbox.take()}
    assert restored == {("restored", text["restored"])}, restored
    domain.refresh_from_db()
    assert domain.state == DomainState.ACTIVE
    assert not Parking.objects.filter(domain=domain, restored_at=None).exists()
    assert registry_nameservers(domain) == HOLDER_NS
    assert_parking_answers(pdns, False, "restored")
    assert Client().get("/notices/parked/", {"name": "www.atelier.test"}).status_code == 404


def test_the_command_prints_each_stop(domain: Domain, registry_clock: Sandbox,
                                      inbox: Inbox, settings: Any) -> None:
    settings.STATE_DIR = registry_clock.state_dir.parent
    out = StringIO()
    call_command("forward", "340d", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and any("reminders 1" in line for line in lines), lines
    assert registry_clock.clock.now_datetime() - clock.now() < timedelta(seconds=5)
