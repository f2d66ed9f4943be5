"""Orders that survive anything: refused before any money moves when the EPP frame cannot be
built, never held after an unexpected error, settled by the reconciliation from the registry's
answer when whoever placed them stopped, and credited back for every grace period the registry
credits on a deletion. Against the sandbox registry over real TLS."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bureau import epp
from bureau.core.recovery import WorkerDied, recover_abandoned, this_worker_id
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger, orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState, Operation
from bureau.registrar.operations import delete, reconcile, register, renew, restore, transfer
from bureau.registrar.operations.common import Actor, verify_frame
from bureau.registrar.operations.errors import (
    CommandInvalid,
    ContactInvalid,
    OperationError,
    OutcomePending,
)
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries import connection
from bureau.registrar.registries.models import Tld
from bureau.registrar.tasks import reconcile as reconcile_job
from bureau.registrar.tasks import register_domain
from bureau.sandbox.testing import Sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
START = 100_000


def balance(organisation: Organisation) -> int:
    return ledger.balance(organisation, "EUR")


@pytest.mark.parametrize("code", ["a\u000b\u001bb", "a\ufffeb"])
def test_a_transfer_code_that_cannot_be_sent_is_refused_before_any_charge(
    member: Actor, organisation: Organisation, sandbox_registry: object, code: str
) -> None:
    """Control characters, or a character XML cannot carry (U+FFFE): refused naming the
    field, before anything is charged or stored."""
    with pytest.raises(OperationError) as error:
        transfer.transfer_in(organisation=organisation, actor=member, name="bloque.test",
                             auth_info=code)
    assert error.value.field == "auth_info"
    assert balance(organisation) == START
    assert not Order.objects.exists()
    assert not Domain.objects.filter(name="bloque.test").exists()  # nobody is blocked


def test_the_frame_check_names_what_cannot_be_sent() -> None:
    command = epp.DomainTransfer("request", "bloque.test", auth_info="a\ufffeb")
    with pytest.raises(CommandInvalid) as error:
        verify_frame(command, "transfer code", field="auth_info")
    assert error.value.field == "auth_info" and "Nothing was charged" in str(error.value)
    verify_frame(epp.DomainTransfer("request", "bloque.test", auth_info="Good-1!x"), "code")


def test_an_unexpected_error_after_the_order_makes_it_unknown_not_a_server_error(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug while recording the answer")

    monkeypatch.setattr(register, "_created", broken)
    with pytest.raises(OutcomePending) as error:
        register.register(organisation=organisation, actor=member, name="bogue.test",
                          registrant=contact)
    assert "not be charged twice" in str(error.value)
    order = Order.objects.get(domain_name="bogue.test")
    assert order.state == OrderState.UNKNOWN
    event = DomainEvent.objects.get(order=order)
    assert event.outcome == "unknown" and "RuntimeError" in event.message

    monkeypatch.undo()
    report = reconcile.settle_unknown_orders()
    assert report.settled == ["bogue.test"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED  # the registry did create it: kept, paid once
    assert Domain.objects.get(name="bogue.test").state == DomainState.ACTIVE
    assert balance(organisation) == START - 1000


def test_a_registry_that_cannot_be_reached_credits_the_order_back(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    execute = connection.execute

    def unreachable_for_creates(registry: Any, command: epp.Command) -> epp.Response:
        if isinstance(command, epp.DomainCreate):
            raise epp.EPPConnectionError("connection refused")
        return execute(registry, command)

    monkeypatch.setattr(connection, "execute", unreachable_for_creates)
    with pytest.raises(epp.EPPConnectionError):
        register.register(organisation=organisation, actor=member, name="injoignable.test",
                          registrant=contact)
    assert Order.objects.get(domain_name="injoignable.test").state == OrderState.FAILED
    assert Domain.objects.get(name="injoignable.test").state == DomainState.DELETED
    assert balance(organisation) == START


def stopped_registration(organisation: Organisation, member: Actor, contact: Contact,
                         name: str) -> Order:
    """What a worker killed right after placing the order leaves: charged, pending."""
    domain = Domain.objects.create(name=name, tld=Tld.objects.get(name="test"),
                                   organisation=organisation, registrant=contact,
                                   state=DomainState.PENDING_CREATE)
    return orders.place(organisation=organisation, user=member.user, operation=Operation.CREATE,
                        domain_name=name, amount=1000, currency="EUR", domain=domain)


def test_a_pending_order_left_by_a_stopped_worker_is_settled_and_the_name_freed(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    order = stopped_registration(organisation, member, contact, "orphelin.test")
    assert balance(organisation) == START - 1000
    # Young: it may still be running somewhere, so it is left alone.
    assert reconcile.settle_unknown_orders().checked == 0
    later = timezone.now() + reconcile.settle_after() + timedelta(seconds=1)
    report = reconcile.settle_unknown_orders(now=later)
    assert report.settled == ["orphelin.test"]
    order.refresh_from_db()
    assert order.state == OrderState.FAILED and balance(organisation) == START
    # The name is free again: ordering it works and charges once.
    done = register.register(organisation=organisation, actor=member, name="orphelin.test",
                             registrant=contact)
    assert done.domain.state == DomainState.ACTIVE
    assert balance(organisation) == START - 1000
    assert reconcile.settle_unknown_orders(now=later).checked == 0


def test_a_pending_renewal_the_registry_carried_out_is_completed(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    domain = register.register(organisation=organisation, actor=member, name="prolonge.test",
                               registrant=contact).domain
    before = domain.expires_at
    assert before is not None
    # The worker stopped after the registry renewed, before Bureau heard: only the order.
    order = orders.place(organisation=organisation, user=member.user,
                         operation=Operation.RENEW, domain_name=domain.name, amount=1000,
                         currency="EUR", domain=domain)
    connection.execute(domain.registry, epp.DomainRenew(domain.name,
                                                        current_expiry=before.date()))
    report = reconcile.settle_unknown_orders(older_than=timedelta(0))
    assert report.settled == ["prolonge.test"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    renewed = Domain.objects.get(pk=domain.pk).expires_at
    assert renewed is not None and renewed.year == before.year + 1
    assert balance(organisation) == START - 2000


def test_two_reconciliations_settle_an_order_once(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    stopped_registration(organisation, member, contact, "deux-fois.test")
    first = reconcile.settle_unknown_orders(older_than=timedelta(0))
    second = reconcile.settle_unknown_orders(older_than=timedelta(0))
    assert first.settled == ["deux-fois.test"] and second.checked == 0
    assert balance(organisation) == START
    assert ledger.verify_balances() == []


def test_delete_within_grace_refunds_the_registration_and_both_renewals(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    registrar_before = sandbox.balance("bureau")
    domain = register.register(organisation=organisation, actor=member, name="trois.test",
                               registrant=contact).domain
    domain = renew.renew(domain=domain, actor=member).domain
    domain = renew.renew(domain=domain, actor=member).domain
    assert balance(organisation) == START - 3000
    assert sandbox.balance("bureau") == registrar_before - Decimal("24.00")

    done = delete.delete(domain=domain, actor=member)
    assert done.domain.state == DomainState.DELETED
    assert sandbox.balance("bureau") == registrar_before  # the registry credited all three
    assert balance(organisation) == START  # and Bureau credits the member all three
    assert sorted(domain.orders.values_list("operation", "state")) == [
        ("create", "refunded"), ("renew", "refunded"), ("renew", "refunded")]
    assert ledger.verify_balances() == []


def test_delete_after_the_add_grace_refunds_only_the_renewal_in_its_grace(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    domain = register.register(organisation=organisation, actor=member, name="tard.test",
                               registrant=contact).domain
    sandbox.clock.advance(days=30)
    Order.objects.filter(operation="create").update(
        finished_at=timezone.now() - timedelta(days=30))  # Bureau's clock moves with it
    domain = renew.renew(domain=domain, actor=member).domain
    registrar_before = sandbox.balance("bureau")
    done = delete.delete(domain=domain, actor=member)
    assert done.domain.state == DomainState.REDEMPTION
    assert sandbox.balance("bureau") == registrar_before + Decimal("8.00")  # the renewal
    assert balance(organisation) == START - 1000  # the registration stays paid
    assert sorted(domain.orders.values_list("operation", "state")) == [
        ("create", "completed"), ("renew", "refunded")]


def test_delete_within_the_transfer_grace_refunds_the_transfer(
    member: Actor, organisation: Organisation, sandbox: Sandbox, sandbox_registry: object
) -> None:
    account = sandbox.registrars["rival"]
    config = epp.ClientConfig(host=sandbox.host, port=sandbox.port, client_id=account.clid,
                              password=account.password, cafile=str(sandbox.ca_file),
                              certfile=str(account.cert_file), keyfile=str(account.key_file))
    with epp.Session(config) as rival:
        rival.execute(epp.ContactCreate("rival-g1", [epp.PostalInfo(
            "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
        rival.execute(epp.DomainCreate("arrive.test", registrant="rival-g1",
                                       auth_info="Code-2-Move!"))
        sandbox.clock.advance(days=10)  # past the rival's add grace
        done = transfer.transfer_in(organisation=organisation, actor=member,
                                    name="arrive.test", auth_info="Code-2-Move!")
        rival.execute(epp.DomainTransfer("approve", "arrive.test"))
    process_poll_queue(done.domain.registry)
    domain = Domain.objects.get(pk=done.domain.pk)
    assert domain.state == DomainState.ACTIVE and balance(organisation) == START - 1000
    registrar_before = sandbox.balance("bureau")
    delete.delete(domain=domain, actor=member)
    assert sandbox.balance("bureau") > registrar_before  # the registry credited the transfer
    assert balance(organisation) == START
    assert domain.orders.get().state == OrderState.REFUNDED


@pytest.mark.django_db(transaction=True)
def test_jobs_a_dead_worker_left_running_are_failed_or_queued_again(
    member: Actor, organisation: Organisation, contact: Contact
) -> None:
    ordering = register_domain.enqueue(organisation_id=organisation.pk, user_id=member.user.pk,
                                       name="mort.test", registrant_id=contact.pk)
    periodic = reconcile_job.enqueue()
    alive = register_domain.enqueue(organisation_id=organisation.pk, user_id=member.user.pk,
                                    name="vivant.test", registrant_id=contact.pk)
    dead = f"{socket.gethostname()[:30]}:999999999:12345"  # no such process
    DBTaskResult.objects.filter(id__in=[ordering.id, periodic.id]).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=[dead])
    DBTaskResult.objects.filter(id=alive.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=[this_worker_id()])
    assert str(os.getpid()) in this_worker_id()

    done = recover_abandoned("another-worker")
    assert done == {"requeued": [str(periodic.id)], "failed": [str(ordering.id)]}
    failed = DBTaskResult.objects.get(id=ordering.id)
    assert failed.status == "FAILED"
    assert failed.exception_class_path.endswith(WorkerDied.__qualname__)
    assert "stopped before it ended" in failed.traceback and "reconciliation" in failed.traceback
    assert DBTaskResult.objects.get(id=periodic.id).status == "READY"
    assert DBTaskResult.objects.get(id=alive.id).status == "RUNNING"  # its worker still runs
    assert recover_abandoned("another-worker") == {"requeued": [], "failed": []}


@pytest.mark.django_db(transaction=True)
def test_a_job_running_elsewhere_is_abandoned_only_after_the_setting(
    member: Actor, organisation: Organisation, contact: Contact, settings: Any
) -> None:
    job = register_domain.enqueue(organisation_id=organisation.pk, user_id=member.user.pk,
                                  name="ailleurs.test", registrant_id=contact.pk)
    DBTaskResult.objects.filter(id=job.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=30),
        worker_ids=["other-host:42:777"])
    settings.BUREAU_TASK_ABANDONED_AFTER = 3600
    assert recover_abandoned("me")["failed"] == []
    settings.BUREAU_TASK_ABANDONED_AFTER = 600
    assert recover_abandoned("me")["failed"] == [str(job.id)]


def test_a_stored_contact_with_control_characters_is_refused_before_any_charge(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox
) -> None:
    """A contact stored before Bureau refused such input: registering with it is refused
    with the contact named, not a server error."""
    Contact.objects.filter(pk=contact.pk).update(city="Paris\u001b")
    contact.refresh_from_db()
    with pytest.raises(ContactInvalid) as error:
        register.register(organisation=organisation, actor=member, name="controle.test",
                          registrant=contact)
    assert "Camille Martin" in str(error.value)
    assert balance(organisation) == START and not Order.objects.exists()


@pytest.mark.parametrize("happened", [True, False])
def test_a_pending_restore_left_by_a_stopped_worker_is_settled(
    member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
    happened: bool
) -> None:
    domain = register.register(organisation=organisation, actor=member, name="revient.test",
                               registrant=contact).domain
    sandbox.clock.advance(days=6)  # past the add grace period: deletion goes to redemption
    domain = delete.delete(domain=domain, actor=member).domain
    assert domain.state == DomainState.REDEMPTION
    paid = balance(organisation)
    order = orders.place(organisation=organisation, user=member.user,
                         operation=Operation.RESTORE, domain_name=domain.name, amount=5000,
                         currency="EUR", domain=domain)
    if happened:  # the registry took the request before the worker stopped
        connection.execute(domain.registry, epp.DomainRestore(domain.name))
    report = reconcile.settle_unknown_orders(older_than=timedelta(0))
    assert report.settled == ["revient.test"]
    order.refresh_from_db()
    assert order.state == (OrderState.COMPLETED if happened else OrderState.FAILED)
    assert balance(organisation) == paid - (5000 if happened else 0)
    # Restoring now finishes it: only the report is left when the request was taken.
    done = restore.restore(domain=Domain.objects.get(pk=domain.pk), actor=member)
    assert done.domain.state == DomainState.ACTIVE
    paid_restore = Order.objects.get(operation="restore", state=OrderState.COMPLETED)
    assert balance(organisation) == paid - paid_restore.amount  # paid once either way
