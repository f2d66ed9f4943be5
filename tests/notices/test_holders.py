"""What a holder's year in fast-forward showed (issue 21, points 1-3, 5-7, 9): a new link on
request, flags armed again, the redemption / goodbye / restore notices, auto-renew with an
empty balance and its success email, DNS back at once, the yearly check from the registries'
data with a link that expires and works once, bounces that start a new verification."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from bureau.core import clock
from bureau.notices.choices import set_auto_renew
from bureau.notices.contacts import (
    LinkError,
    confirm_data,
    flag_unverified,
    record_bounce,
    resend_verification,
    send_yearly_checks,
    verify_email,
)
from bureau.notices.goodbye import checklist, give_up
from bureau.notices.jobs import run_all
from bureau.notices.models import ContactProfile, Parking
from bureau.notices.renewal import renew_for_holder, restore_for_holder
from bureau.registrar.billing import ledger, orders
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox
from .test_contacts import link_in, registry_statuses, token_of
from .test_lifecycle import HOLDER_NS, PARKING_NS, jump_to, registry_nameservers

pytestmark = pytest.mark.django_db
ALL = {item.key for item in checklist()}


def logged_in(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_an_expired_link_offers_a_new_one_and_the_contacts_page_too(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, owner: Any,
        settings: Any) -> None:
    settings.BUREAU_NOTICES_CONTACT_POLICY = "suspend"
    flag_unverified()
    [mail] = inbox.take_kind("verify-email:")
    jump_to(registry_clock, clock.now() + timedelta(days=16))
    flag_unverified()
    assert "clientHold" in registry_statuses(domain)
    path = link_in(mail)
    expired = Client().post(path)
    assert expired.status_code == 400
    page = expired.content.decode()
    assert "expiré" in page or "expired" in page
    assert 'name="new" value="1"' in page
    sent = Client().post(path, {"new": "1"})
    assert sent.status_code == 200 and "camille@example.org" in sent.content.decode()
    [again] = inbox.take_kind("verify-email:")
    assert again.rcpt == ["camille@example.org"]
    # The member's contacts page offers it as well, while the address is not verified.
    client = logged_in(owner)
    contacts = client.get("/contacts/").content.decode()
    assert "/notices/new-link/" in contacts
    holder = domain.registrant
    assert holder is not None
    assert client.post(f"/notices/new-link/{holder.pk}/").status_code == 302
    [third] = inbox.take_kind("verify-email:")
    # Only the newest link works; it lifts the suspension.
    with pytest.raises(LinkError):
        verify_email(token_of(link_in(again)))
    verify_email(token_of(link_in(third)))
    assert "clientHold" not in registry_statuses(domain)
    assert "/notices/new-link/" not in client.get("/contacts/").content.decode()


def test_a_flag_is_armed_again_for_the_next_unverified_address(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    flag_unverified()
    jump_to(registry_clock, clock.now() + timedelta(days=16))
    assert len(flag_unverified()) == 1
    [told] = inbox.take_kind("contact-flagged:")
    assert told.rcpt == ["camille@example.org"]  # the holder, not the owner's login address
    holder = Contact.objects.get(pk=domain.registrant_id)
    inbox.take_kind("verify-email:")
    resend_verification(holder)
    verify_email(token_of(link_in(inbox.take_kind("verify-email:")[0])))
    with django_capture_on_commit_callbacks(execute=True):
        holder.email = "camille.martin@example.net"
        holder.save()
    assert ContactProfile.objects.get(contact=holder).flagged_at is None
    inbox.take_kind("verify-email:")
    jump_to(registry_clock, clock.now() + timedelta(days=16))
    assert [p.contact_id for p in flag_unverified()] == [holder.pk]
    [second] = inbox.take_kind("contact-flagged:")
    assert second.rcpt == ["camille.martin@example.net"]


def test_redemption_and_restore_are_told_and_dns_is_back_at_once(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    jump_to(registry_clock, expiry + timedelta(days=2, hours=1))
    run_all()
    assert registry_nameservers(domain) == set(PARKING_NS)
    inbox.take()
    jump_to(registry_clock, expiry + timedelta(days=31))
    run_all()
    domain.refresh_from_db()
    assert domain.state == DomainState.REDEMPTION
    told = inbox.take_kind("redemption:")
    assert {m.rcpt[0] for m in told} == {"camille@example.org", "compta@atelier.example"}
    assert "restaurer" in told[0].text and "Urgent" in told[0].subject
    restore_for_holder(domain, member)
    # No job run: the holder's name servers are back and the holder is told.
    assert registry_nameservers(domain) == set(HOLDER_NS)
    assert not Parking.objects.filter(domain=domain, restored_at=None).exists()
    [restored, _copy] = inbox.take_kind("restored:")
    assert "restauré" in restored.subject and "fonctionne de nouveau" in restored.text


def test_late_renewal_brings_dns_back_without_waiting_for_the_job(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    jump_to(registry_clock, expiry + timedelta(days=5))
    run_all()
    assert registry_nameservers(domain) == set(PARKING_NS)
    renew_for_holder(domain, member)
    assert registry_nameservers(domain) == set(HOLDER_NS)


def test_a_goodbye_deletion_is_confirmed_by_mail_and_the_panel_says_deleted(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    registry_clock.clock.advance(days=40)  # mid-term, past the add grace
    give_up(domain=domain, actor=member, mode="delete", ticked=ALL, typed_name="atelier.test")
    [mail, _copy] = inbox.take_kind("goodbye-deleted:")
    assert "comme vous l’avez demandé" in mail.subject and "restaurer" in mail.text
    domain.refresh_from_db()
    html = Template("{% load notices %}{% domain_notices domain %}").render(
        Context({"domain": domain}))
    assert "Paid until" not in html and "Deleted" in html


def test_a_deletion_within_the_add_grace_says_gone_and_refunded_not_restorable(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    give_up(domain=domain, actor=member, mode="delete", ticked=ALL, typed_name="atelier.test")
    domain.refresh_from_db()
    assert domain.state == DomainState.DELETED
    [mail, _copy] = inbox.take_kind("goodbye-deleted:")
    for body in (mail.text, mail.html):
        assert "ne peut donc pas être restauré" in body and "remboursé" in body
        assert "jusqu’au" not in body  # no restore deadline for a name already gone


def test_a_person_who_chose_english_gets_their_copy_in_english(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    """The holder reads French (its profile); the accountant chose English for their emails:
    each copy of a reminder (sent in a batch) and of an event (sent alone) in its reader's."""
    from django.contrib.auth.models import User

    from bureau.registrar.operations import preferences

    preferences.set_language(User.objects.get(email="compta@atelier.example"), "en")
    expiry = domain.expires_at
    assert expiry is not None
    jump_to(registry_clock, expiry - timedelta(days=60, hours=-1))
    run_all()
    reminders = {m.rcpt[0]: m for m in inbox.take_kind("reminder:")}
    assert reminders["camille@example.org"].language == "fr"
    assert "expire le" in reminders["camille@example.org"].subject
    english = reminders["compta@atelier.example"]
    assert english.language == "en" and "expires on" in english.subject
    assert "expires on" in english.text and "expire le" not in english.html

    give_up(domain=domain, actor=member, mode="delete", ticked=ALL, typed_name="atelier.test")
    deleted = {m.rcpt[0]: m for m in inbox.take_kind("goodbye-deleted:")}
    assert "comme vous l’avez demandé" in deleted["camille@example.org"].subject
    assert deleted["compta@atelier.example"].subject == "atelier.test was deleted, as you asked"


def test_auto_renew_with_an_empty_balance_says_so_then_confirms_the_renewal(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, member: Actor) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    organisation = domain.organisation
    set_auto_renew(actor=member, on=True, organisation=organisation)
    order = orders.place(organisation=organisation, user=None, operation="create",
                         domain_name="other.test", amount=ledger.balance(organisation, "EUR"),
                         currency="EUR")
    orders.complete(order)
    jump_to(registry_clock, expiry - timedelta(days=60, hours=-1))
    run_all()
    [mail, _copy] = inbox.take_kind("reminder:")
    assert "sera renouvelé automatiquement" not in mail.subject
    assert "approvisionnez votre solde" in mail.subject
    html = Template("{% load notices %}{% domain_notices domain %}").render(
        Context({"domain": domain}))
    assert "top it up" in html
    ledger.top_up(organisation, 5000, "EUR", memo="top-up")
    jump_to(registry_clock, expiry - timedelta(days=14, hours=-1))
    run_all()
    [done, _copy] = inbox.take_kind("auto-renewed:")
    assert "renouvelé automatiquement" in done.subject and "10,00 EUR" in done.text


def test_last_reminder_counts_days_and_heads_the_checklist(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    expiry = domain.expires_at
    assert expiry is not None
    jump_to(registry_clock, expiry - timedelta(days=1) + timedelta(hours=1))
    run_all()
    [mail, _copy] = inbox.take_kind("reminder:")
    assert "dans 1 jour." in mail.text and "1 jours" not in mail.text
    # The checklist has its own heading, after what stops working.
    heading = mail.text.index("Avant d’abandonner le nom, vérifiez")
    assert mail.text.index("Plus aucune boîte") > heading
    assert "Avant d’abandonner le nom, vérifiez" in mail.html


YEARLY = re.compile(r"https://portal\.bureau\.test(/notices/confirm/[^/\s]+/)")


def test_yearly_check_shows_the_registry_copy_and_its_link_expires_and_works_once(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox) -> None:
    jump_to(registry_clock, clock.now() + timedelta(days=366))
    send_yearly_checks()
    [mail] = inbox.take_kind("yearly-check:")
    assert "Ce que détient le registre" in mail.text
    assert "Camille Martin" in mail.text and "Paris" in mail.text
    match = YEARLY.search(mail.text)
    assert match
    token = token_of(match.group(1))
    later = clock.now() + timedelta(days=16)
    with clock.use(lambda: later), pytest.raises(LinkError, match="expired"):
        confirm_data(token)
    confirm_data(token)
    with pytest.raises(LinkError, match="already used"):
        confirm_data(token)


def test_a_bounce_shows_on_the_contacts_page_starts_a_verification_and_clears(
        domain: Domain, registry_clock: Sandbox, inbox: Inbox, owner: Any) -> None:
    flag_unverified()
    verify_email(token_of(link_in(inbox.take_kind("verify-email:")[0])))
    record_bounce("Camille@example.org", "550 no such user")
    client = logged_in(owner)
    page = client.get("/contacts/").content.decode()
    assert re.search(r'role="alert">[^<]*camille@example\.org[^<]*2\d{3}-\d\d-\d\d', page)
    [mail] = inbox.take_kind("verify-email:")
    assert not ContactProfile.objects.get(contact_id=domain.registrant_id).email_verified
    verify_email(token_of(link_in(mail)))
    assert 'role="alert"' not in client.get("/contacts/").content.decode()
