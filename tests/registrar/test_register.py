"""Registering a name at the sandbox registry over real TLS."""

from __future__ import annotations

import pytest

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations import check, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import NotAvailable, OutcomePending, RegistryRefused
from bureau.sandbox.testing import Sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_check_quotes_list_and_premium_prices(member: Actor) -> None:
    plain, premium, reserved = check.check(["libre.test", "shop.test", "nic.test"])
    assert plain.available and plain.price == 1000 and not plain.premium
    assert premium.available and premium.price == 25000
    assert not reserved.available


def test_register_charges_once_and_records_history(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    result = register.register(organisation=organisation, actor=member, name="libre.test",
                               registrant=contact, period=2, accepted_price=2000)
    domain = result.domain
    assert domain.state == DomainState.ACTIVE
    assert domain.expires_at is not None and domain.registered_at is not None
    assert result.order.state == OrderState.COMPLETED
    assert ledger.balance(organisation, "EUR") == 100_000 - 2000
    event = DomainEvent.objects.get(domain=domain, operation="create")
    assert event.outcome == "success" and event.cl_trid and event.sv_trid
    assert event.actor == member.user
    with pytest.raises(NotAvailable):
        register.register(organisation=organisation, actor=member, name="libre.test",
                          registrant=contact)
    assert ledger.balance(organisation, "EUR") == 100_000 - 2000


def test_refused_create_is_credited_back(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    sandbox.faults.add("fail", "domain:create")
    with pytest.raises(RegistryRefused) as error:
        register.register(organisation=organisation, actor=member, name="refus.test",
                          registrant=contact)
    assert "not charged" in str(error.value)
    assert ledger.balance(organisation, "EUR") == 100_000
    assert Domain.objects.get(name="refus.test").state == DomainState.DELETED


def test_lost_answer_after_create_is_reconciled_as_registered(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    check.check(["perdu.test"])  # a session is open before the fault
    sandbox.faults.drop_after("domain:create")
    result = register.register(organisation=organisation, actor=member, name="perdu.test",
                               registrant=contact)
    assert result.domain.state == DomainState.ACTIVE
    assert ledger.balance(organisation, "EUR") == 100_000 - 1000  # charged exactly once
    operations = list(DomainEvent.objects.filter(domain_name="perdu.test")
                      .values_list("operation", "outcome"))
    assert operations == [("reconcile", "success"), ("create", "success"), ("update", "success")]
    assert "clientTransferProhibited" in result.domain.statuses  # the default lock


def test_lost_command_before_create_is_refunded(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    check.check(["jamais.test"])
    sandbox.faults.drop_before("domain:create")
    with pytest.raises(RegistryRefused):
        register.register(organisation=organisation, actor=member, name="jamais.test",
                          registrant=contact)
    assert ledger.balance(organisation, "EUR") == 100_000
    assert Domain.objects.get(name="jamais.test").state == DomainState.DELETED


def test_unanswered_info_leaves_the_order_for_reconciliation(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    check.check(["flou.test"])
    sandbox.faults.drop_after("domain:create")
    sandbox.faults.drop_before("domain:info", times=2)
    with pytest.raises(OutcomePending):
        register.register(organisation=organisation, actor=member, name="flou.test",
                          registrant=contact)
    domain = Domain.objects.get(name="flou.test")
    assert domain.state == DomainState.PENDING_CREATE
    assert domain.orders.get().state == OrderState.UNKNOWN
    assert ledger.balance(organisation, "EUR") == 100_000 - 1000  # reserved, not lost


def test_registration_spends_no_statement_on_waste(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    """Every statement is a round trip to the database (bench/operations.py): the balance row
    is read once, with its lock; the order is stored with its domain, not updated after; the
    TLD is looked up once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register.register(organisation=organisation, actor=member, name="avant.test",
                      registrant=contact)  # the contact is at the registry from now on
    with CaptureQueriesContext(connection) as queries:
        result = register.register(organisation=organisation, actor=member,
                                   name="economie.test", registrant=contact)
    assert result.order.domain == result.domain
    sql = [q["sql"] for q in queries.captured_queries]
    member_reads = [s for s in sql if s.startswith("SELECT") and 'FROM "billing_ledgeraccount"'
                    in s and '"organisation_id" IS NULL' not in s]
    assert len(member_reads) == 1
    assert len([s for s in sql if 'FROM "registries_tld"' in s]) == 1
    assert not [s for s in sql if s.startswith('UPDATE "billing_order" SET "domain_id"')]
