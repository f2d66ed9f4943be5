"""Names the registry reviews before registering them (.review at the sandbox): the member
hears the decision by email, in the holder's language, once, whoever settles it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import formats, translation

from bureau.notices.jobs import run_all
from bureau.notices.models import ContactProfile, Notice
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations import reconcile, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
from bureau.sandbox.testing import Sandbox

from .conftest import Inbox, free_port

pytestmark = pytest.mark.django_db
PRICE = 1700  # the sandbox's 15.00 EUR and Bureau's margin
RECIPIENTS = ["camille@example.org", "compta@atelier.example"]  # the holder, the billing person


def order_review(organisation: Organisation, member: Actor, registrant: Contact,
                 name: str) -> Domain:
    registration = register.register(organisation=organisation, actor=member, name=name,
                                      registrant=registrant, accepted_price=PRICE)
    assert registration.under_review
    return registration.domain


def english_holder(organisation: Organisation) -> Contact:
    contact = Contact.objects.create(
        organisation=organisation, name="Sam Taylor", email="camille@example.org",
        phone="+44.2012345678", street="1 High Street", city="London", postal_code="N1 9GU",
        country="GB")
    ContactProfile.objects.update_or_create(contact=contact, defaults={"language": "en"})
    return contact


def test_approval_after_review_is_told_once_in_french(
        member: Actor, organisation: Organisation, holder: Contact,
        registry_clock: Sandbox, inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    pending = order_review(organisation, member, holder, "atelier.review")
    assert inbox.take_kind("review:") == []  # nothing decided yet
    registry_clock.clock.advance(days=2)  # the registry approves when the review ends
    with django_capture_on_commit_callbacks(execute=True):
        assert process_poll_queue(pending.registry) == 1

    domain = Domain.objects.get(pk=pending.pk)
    assert domain.state == DomainState.ACTIVE and domain.expires_at is not None
    mails = inbox.take_kind("review:")
    assert sorted(mail.rcpt[0] for mail in mails) == RECIPIENTS
    mail = mails[0]
    assert mail.language == "fr"
    assert mail.subject == "atelier.review est enregistré"
    with translation.override("fr"):
        expiry = formats.date_format(domain.expires_at, "j F Y")
    for body in (mail.text, mail.html):
        assert "Le registre a examiné atelier.review et l’a accepté" in body
        assert f"enregistré pour Atelier Camille jusqu’au {expiry}" in body
        assert "17,00 EUR" in body and "maintenant débité" in body
        assert f"https://portal.bureau.test/domains/{domain.pk}/" in body

    # The reconciliation and the poll find nothing left to settle; an announcement made
    # again (a settlement retried) finds the notice already sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile.settle_reviewed_creates().checked == 0
        assert process_poll_queue(domain.registry) == 0
        register.announce_review_decided(domain, domain.orders.get(), True, "approved")
    assert inbox.take_kind("review:") == []
    assert Notice.objects.get(domain=domain).kind == "review-approved"


def test_refusal_after_review_gives_the_reason_and_the_refund_in_english(
        member: Actor, organisation: Organisation, sandbox: Sandbox, inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    pending = order_review(organisation, member, english_holder(organisation), "marque.review")
    sandbox.operator.reject_review("marque.review", "protected trademark")
    with django_capture_on_commit_callbacks(execute=True):
        assert process_poll_queue(pending.registry) == 1

    assert Domain.objects.get(pk=pending.pk).state == DomainState.DELETED
    mails = inbox.take_kind("review:")
    assert sorted(mail.rcpt[0] for mail in mails) == RECIPIENTS
    mail = mails[0]
    assert mail.language == "en"
    assert mail.subject == "marque.review was not registered: the registry refused it"
    assert "refused to register it: the name was not registered" in mail.text
    assert "The registry's reason: " in mail.text and "protected trademark" in mail.text
    assert ("The price reserved when you ordered it, 17.00 EUR, is credited back to your "
            "balance: you were not charged.") in mail.text
    assert "https://portal.bureau.test/balance/" in mail.text
    assert "protected trademark" in mail.html and "17.00 EUR" in mail.html

    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile.settle_reviewed_creates().checked == 0
        register.announce_review_decided(pending, pending.orders.get(), False, "again")
    assert inbox.take_kind("review:") == []


def test_a_decision_rolled_back_tells_nobody(
        member: Actor, organisation: Organisation, holder: Contact, sandbox: Sandbox,
        inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    """The poll applies a message in a transaction: the member hears only a committed
    decision."""
    pending = order_review(organisation, member, holder, "plus-tard.review")
    sandbox.operator.approve_review("plus-tard.review")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(RuntimeError), transaction.atomic():
        assert reconcile.settle_reviewed_creates().settled == ["plus-tard.review"]
        raise RuntimeError("rolled back")
    assert callbacks == [] and inbox.take_kind("review:") == []
    assert Domain.objects.get(pk=pending.pk).state == DomainState.PENDING_CREATE


def test_a_decision_the_mail_server_missed_is_told_by_the_next_job(
        member: Actor, organisation: Organisation, holder: Contact, sandbox: Sandbox,
        inbox: Inbox, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    pending = order_review(organisation, member, holder, "patience.review")
    sandbox.operator.reject_review("patience.review", "name reserved")
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        assert process_poll_queue(pending.registry) == 1
    assert not Notice.objects.filter(domain=pending).exists()  # the claim is released

    settings.EMAIL_PORT = port
    assert run_all()["reviews"] == 1
    [mail, _copy] = inbox.take_kind("review:")
    assert "patience.review n’a pas été enregistré" in mail.subject
    assert "name reserved" in mail.text and "17,00 EUR" in mail.text
    assert run_all()["reviews"] == 0 and inbox.take_kind("review:") == []
