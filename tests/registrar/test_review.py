"""Names the registry reviews before creating them (.review at the sandbox: 1001, pendingCreate,
a decision days later by poll message): what a member sees and pays."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations import reconcile, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
from bureau.sandbox.testing import Sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
START = 100_000
PRICE = 1700  # the sandbox's 15.00 EUR and Bureau's margin


@pytest.fixture
def announced() -> Iterator[list[str]]:
    """Names announced to the other apps (DNS hosting listens) as registered."""
    names: list[str] = []

    def receiver(sender: Any, *, domain: Domain, **kwargs: Any) -> None:
        names.append(domain.name)

    register.domain_registered.connect(receiver)
    yield names
    register.domain_registered.disconnect(receiver)


def order_review(organisation: Organisation, member: Actor, contact: Contact,
                 name: str) -> register.Registration:
    registration = register.register(organisation=organisation, actor=member, name=name,
                                      registrant=contact, accepted_price=PRICE)
    assert registration.under_review
    return registration


def history(name: str) -> list[tuple[str, str]]:
    return list(DomainEvent.objects.filter(domain_name=name)
                .values_list("operation", "outcome"))


def test_a_name_under_review_is_reserved_not_registered(
        member: Actor, organisation: Organisation, contact: Contact,
        announced: list[str]) -> None:
    registration = order_review(organisation, member, contact, "atelier.review")
    domain, order = registration.domain, registration.order
    assert domain.state == DomainState.PENDING_CREATE and domain.expires_at is None
    assert order.state == OrderState.PENDING
    assert ledger.balance(organisation, "EUR") == START - PRICE  # reserved
    assert history("atelier.review") == [("create", "pending")]
    assert announced == []
    message = register.under_review_message(domain)
    assert "reviewing atelier.review" in message and "credited back" in message
    with translation.override("fr"):
        message = register.under_review_message(domain)
    assert "examine atelier.review" in message and "recrédité" in message


def test_approved_after_review_becomes_active_and_is_charged_once(
        member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
        announced: list[str]) -> None:
    pending = order_review(organisation, member, contact, "atelier.review")
    registry = pending.domain.registry
    assert process_poll_queue(registry) == 0  # nothing decided yet
    sandbox.clock.advance(days=2)  # the registry approves when the review period ends
    assert process_poll_queue(registry) == 1

    domain = Domain.objects.get(pk=pending.domain.pk)
    assert domain.state == DomainState.ACTIVE
    assert domain.roid and domain.expires_at and domain.registered_at
    assert domain.expires_at.year == domain.registered_at.year + 1
    assert "pendingCreate" not in domain.statuses
    assert "clientTransferProhibited" in domain.statuses  # the default lock, at the registry
    assert "clientTransferProhibited" in sandbox.domains()[0]["statuses"]
    assert domain.orders.get().state == OrderState.COMPLETED
    assert ledger.balance(organisation, "EUR") == START - PRICE
    assert history("atelier.review") == [("create", "pending"), ("create", "success"),
                                         ("update", "success")]
    created = DomainEvent.objects.get(domain=domain, outcome="success", operation="create")
    first = DomainEvent.objects.get(domain=domain, outcome="pending")
    assert created.detail["pa_svtrid"] == first.sv_trid  # the decision names the create
    assert "approved after review" in created.message
    assert announced == ["atelier.review"]

    # Nothing happens twice: the reconciliation finds nothing left to settle.
    assert reconcile.settle_reviewed_creates().checked == 0
    assert process_poll_queue(registry) == 0
    assert ledger.balance(organisation, "EUR") == START - PRICE
    assert announced == ["atelier.review"]


def test_refused_after_review_is_deleted_and_refunded(
        member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
        announced: list[str]) -> None:
    pending = order_review(organisation, member, contact, "marque.review")
    sandbox.operator.reject_review("marque.review", "protected trademark")
    assert process_poll_queue(pending.domain.registry) == 1

    domain = Domain.objects.get(pk=pending.domain.pk)
    assert domain.state == DomainState.DELETED
    order = domain.orders.get()
    assert order.state == OrderState.FAILED and "protected trademark" in order.message
    assert ledger.balance(organisation, "EUR") == START  # the balance is back
    ledger.verify_balances()
    refused = DomainEvent.objects.get(domain=domain, outcome="failed")
    assert refused.operation == "create" and "protected trademark" in refused.message
    assert announced == []
    assert sandbox.domains() == []


def test_the_reconciliation_settles_reviews_whose_poll_message_was_missed(
        member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
        announced: list[str]) -> None:
    approved = order_review(organisation, member, contact, "oui.review").domain
    refused = order_review(organisation, member, contact, "non.review").domain
    report = reconcile.settle_reviewed_creates()
    assert (report.checked, report.settled) == (2, [])  # still under review: wait

    sandbox.operator.approve_review("oui.review")
    sandbox.operator.reject_review("non.review", "reserved for the community")
    report = reconcile.settle_reviewed_creates()
    assert sorted(report.settled) == ["non.review", "oui.review"]
    approved.refresh_from_db()
    refused.refresh_from_db()
    assert approved.state == DomainState.ACTIVE and approved.expires_at is not None
    assert approved.orders.get().state == OrderState.COMPLETED
    assert refused.state == DomainState.DELETED
    assert refused.orders.get().state == OrderState.FAILED
    assert ledger.balance(organisation, "EUR") == START - PRICE
    assert announced == ["oui.review"]

    # The poll messages arrive afterwards: applied, nothing settled a second time.
    assert process_poll_queue(approved.registry) == 2
    assert ledger.balance(organisation, "EUR") == START - PRICE
    assert history("oui.review").count(("create", "success")) == 1
    assert history("non.review").count(("create", "failed")) == 1
    assert announced == ["oui.review"]
    assert reconcile.settle_reviewed_creates().checked == 0


def test_a_lost_create_answer_for_a_name_under_review_keeps_waiting(
        member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox) -> None:
    register.register(organisation=organisation, actor=member, name="avant.test",
                      registrant=contact)  # a session is open before the fault
    sandbox.faults.drop_after("domain:create")
    registration = order_review(organisation, member, contact, "perdu.review")
    assert registration.order.state == OrderState.PENDING
    assert history("perdu.review") == [("reconcile", "success"), ("create", "pending")]
    sandbox.clock.advance(days=2)
    process_poll_queue(registration.domain.registry)
    registration.domain.refresh_from_db()
    assert registration.domain.state == DomainState.ACTIVE
    assert ledger.balance(organisation, "EUR") == START - 1000 - PRICE


def test_the_command_line_says_the_name_is_under_review(
        member: Actor, organisation: Organisation, contact: Contact,
        capsys: pytest.CaptureFixture[str]) -> None:
    call_command("domain", "register", "ligne.review", "--org", organisation.slug)
    out = capsys.readouterr().out
    assert "pending-create" in out and "The registry is reviewing ligne.review" in out
