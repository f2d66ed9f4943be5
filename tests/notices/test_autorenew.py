"""Auto-renew is an explicit choice; the job renews through the registrar's renew operation,
reminders say so, and a failure for want of balance is an urgent notice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bureau.notices.choices import auto_renew_of, set_auto_renew
from bureau.notices.jobs import run_all
from bureau.notices.models import Term
from bureau.registrar.billing import ledger, orders
from bureau.registrar.domains.models import Domain, DomainEvent, Operation
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAllowed
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox
from .test_lifecycle import jump_to

pytestmark = pytest.mark.django_db


def test_no_silent_default_and_only_ordering_roles_choose(domain: Domain, member: Actor) -> None:
    assert auto_renew_of(domain) is None
    from django.contrib.auth.models import User

    from bureau.registrar.accounts.models import Membership, Role
    reader = User.objects.create_user("lou", "lou@example.org", "x-password")
    Membership.objects.create(user=reader, organisation=domain.organisation,
                              role=Role.READ_ONLY)
    with pytest.raises(NotAllowed):
        set_auto_renew(actor=Actor(reader), on=True, domain=domain)
    set_auto_renew(actor=member, on=True, organisation=domain.organisation)
    assert auto_renew_of(domain) is True
    set_auto_renew(actor=member, on=False, domain=domain)  # the domain's choice wins
    assert auto_renew_of(domain) is False


def test_auto_renew_renews_before_expiry_and_reminders_say_so(
        domain: Domain, member: Actor, registry_clock: Sandbox, inbox: Inbox) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    set_auto_renew(actor=member, on=True, organisation=domain.organisation)
    jump_to(registry_clock, expiry - timedelta(days=30, hours=-1))
    run_all()
    [mail, _copy] = inbox.take_kind("reminder:")
    assert "sera renouvelé automatiquement" in mail.subject
    assert "Vous avez choisi le renouvellement automatique" in mail.text
    before = ledger.balance(domain.organisation, "EUR")
    jump_to(registry_clock, expiry - timedelta(days=14, hours=-1))
    run_all()
    domain.refresh_from_db()
    assert domain.expires_at is not None
    assert domain.expires_at.date() == expiry.replace(year=expiry.year + 1).date()
    assert Term.objects.get(domain=domain).paid_until == domain.expires_at
    assert ledger.balance(domain.organisation, "EUR") == before - 1000
    assert DomainEvent.objects.filter(domain=domain, operation=Operation.RENEW,
                                      actor_label="auto-renew").count() == 1
    # No more reminders for the old term: the 7- and 1-day steps belong to it.
    jump_to(registry_clock, expiry - timedelta(days=1))
    run_all()
    assert inbox.take_kind("reminder:") == []
    assert inbox.take_kind("auto-renew-failed:") == []


def test_auto_renew_without_balance_is_an_urgent_notice_sent_once(
        domain: Domain, member: Actor, registry_clock: Sandbox, inbox: Inbox) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    set_auto_renew(actor=member, on=True, domain=domain)
    # Spend the whole balance.
    rest = ledger.balance(domain.organisation, "EUR")
    order = orders.place(organisation=domain.organisation, user=None, operation="create",
                         domain_name="other.test", amount=rest, currency="EUR")
    orders.complete(order)
    jump_to(registry_clock, expiry - timedelta(days=30, hours=-1))
    run_all()
    [warned, _copy] = inbox.take_kind("reminder:")
    assert "Votre solde (0,00 EUR) ne le couvre pas encore" in warned.text
    jump_to(registry_clock, expiry - timedelta(days=13))
    run_all()
    [urgent, _copy] = inbox.take_kind("auto-renew-failed:")
    assert urgent.subject.startswith("Urgent")
    assert "solde" in urgent.text and "10,00 EUR" in urgent.text
    assert urgent.html.count("<strong>") >= 1
    run_all()  # tried again, not announced again
    assert inbox.take_kind("auto-renew-failed:") == []
    # The next reminder no longer promises an automatic renewal.
    inbox.take_kind("reminder:")
    jump_to(registry_clock, expiry - timedelta(days=7))
    run_all()
    [reminder, _copy] = inbox.take_kind("reminder:")
    assert "n’a pas pu se faire" in reminder.text and "renouvelez-le" in reminder.subject
    domain.refresh_from_db()
    assert domain.expires_at == expiry


def test_auto_renew_page_records_the_choice(domain: Domain, registry_clock: Sandbox) -> None:
    from django.test import Client

    client = Client()
    client.force_login(domain.organisation.memberships.get(role="owner").user)
    url = f"/notices/auto-renew/{domain.name}/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"on": "maybe"}).status_code == 400
    assert client.post(url, {"on": "1", "next": "/domains/"}).status_code == 302
    assert auto_renew_of(domain) is True
    assert client.post(url, {"on": "0", "next": "https://evil.example/"})["Location"] \
        == "/notices/fees/"
    assert auto_renew_of(domain) is False
