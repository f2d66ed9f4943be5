"""A worker killed (SIGKILL) in the middle of a registration, a renewal, a transfer, a
deletion or a restore, then started again and the reconciliation run: the ledger, Bureau and
the registry agree, nothing is charged twice and no money is held.

Each case runs the job in a real `bureau worker` process against the sandbox registry over
TLS. A sandbox fault delays the answer to one command (after executing it, or after refusing
it without executing it with `fail`) long enough to kill the worker while it waits: the
registry did it, or did not, and Bureau never heard. The worker started again fails the job
its predecessor left RUNNING (bureau/core/recovery.py); the reconciliation, run by that worker,
settles the order from the registry's answer.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Sum
from django_tasks_db.models import DBTaskResult

from bureau import epp
from bureau.notices.tasks import renew_domain
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations import delete, register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.tasks import (
    delete_domain,
    reconcile,
    register_domain,
    restore_domain,
    transfer_domain,
)
from bureau.sandbox.testing import Sandbox

from .test_jobs import database_url

pytestmark = pytest.mark.django_db(transaction=True)
START = 100_000
# What the sandbox charges Bureau for .test, per year (a restore: once).
REGISTRY_PRICES = {"create": Decimal("8.00"), "renew": Decimal("8.00"),
                   "transfer-in": Decimal("8.00"), "restore": Decimal("40.00")}
DELAY_MS = 6000


def worker(*, settle_after: int = 600) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url(),
           "BUREAU_STATE_DIR": str(settings.STATE_DIR),
           "BUREAU_ORDER_SETTLE_AFTER": str(settle_after)}
    return subprocess.Popen(
        [sys.executable, "-m", "bureau.cli", "worker", "--batch", "--no-startup-delay",
         "--no-scheduler"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def kill_while_waiting(sandbox: Sandbox, job: Any, command: str, *, refuse: bool,
                       skip: int = 0) -> None:
    """Run ``job`` in a worker and kill it while the registry holds back its answer to
    ``command`` (which it executed, or refused without executing when ``refuse``), after
    letting ``skip`` earlier ``command`` through (each held back a moment, the time to set
    the switch for the next)."""
    def hold(last: bool) -> None:
        if last and refuse:
            sandbox.faults.add("fail", command)
        sandbox.faults.delay(DELAY_MS if last else 1500, command)

    hold(skip == 0)
    process = worker()
    try:
        for n in range(skip + 1):
            if n:
                hold(n == skip)
            wait_for(lambda: not sandbox.faults.active() or process.poll() is not None,
                     f"the worker to send {command}")
            assert process.poll() is None, process.communicate()[0]
        time.sleep(0.5)  # the registry has executed it and sleeps before answering
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert DBTaskResult.objects.get(id=job.id).status == "RUNNING"  # left by the dead worker


def restart_and_reconcile(job: Any) -> None:
    """A worker starts again: it fails the job left RUNNING, then runs the reconciliation
    (pending orders count as old at once here)."""
    settled = reconcile.enqueue()
    process = worker(settle_after=0)
    output = process.communicate(timeout=180)[0]
    assert process.returncode == 0, output
    dead = DBTaskResult.objects.get(id=job.id)
    assert dead.status == "FAILED"
    assert dead.exception_class_path == "bureau.core.recovery.WorkerDied"
    assert DBTaskResult.objects.get(id=settled.id).status == "SUCCESSFUL", output


def registry_kept(sandbox: Sandbox, name: str) -> Decimal:
    """What the registry kept from Bureau for this name, in euros."""
    with sqlite3.connect(sandbox.db_path) as conn:
        total = conn.execute("SELECT COALESCE(SUM(CAST(amount AS REAL)), 0) FROM ledger"
                             " WHERE clid = 'bureau' AND object = ?", (name,)).fetchone()[0]
    return -Decimal(str(total)).quantize(Decimal("0.01"))


def assert_agreement(sandbox: Sandbox, organisation: Organisation, name: str,
                     registry_holds: bool) -> None:
    """The ledger, Bureau and the registry tell the same story about ``name``."""
    orders = Order.objects.filter(domain_name=name)
    assert not orders.filter(state__in=[OrderState.PENDING, OrderState.UNKNOWN]).exists(), \
        list(orders.values_list("operation", "state"))
    kept = orders.filter(state=OrderState.COMPLETED)
    # Charged once each; every order not kept is credited back, once.
    for order in orders:
        kinds = sorted(order.journals.values_list("kind", flat=True))
        assert kinds == (["charge"] if order.state == OrderState.COMPLETED
                         else ["charge", "refund"]), (order, kinds)
    assert ledger.balance(organisation, "EUR") == START - (kept.aggregate(
        total=Sum("amount"))["total"] or 0)
    assert ledger.verify_balances() == []
    # What the member paid for is what the registry charged Bureau for: year for year, and
    # each restore once.
    assert registry_kept(sandbox, name) == sum(
        (REGISTRY_PRICES[order.operation] * (1 if order.operation == "restore" else order.period)
         for order in kept), Decimal("0.00"))
    at_registry = {d["name"]: d for d in sandbox.domains()}
    held = name in at_registry and at_registry[name]["clid"] == "bureau" and \
        at_registry[name]["state"] == "active"
    assert held == registry_holds
    live = Domain.objects.filter(name=name).exclude(
        state__in=[DomainState.DELETED, DomainState.TRANSFERRED_OUT]).first()
    if registry_holds:
        assert live is not None and live.state == DomainState.ACTIVE
        assert live.expires_at is not None
        assert at_registry[name]["expires"][:10] == live.expires_at.date().isoformat()
    else:
        assert live is None or live.state == DomainState.REDEMPTION


@pytest.mark.parametrize(("command", "refuse", "registered"), [
    ("domain:create", False, True),    # created, the answer never read
    ("domain:create", True, False),    # not created
    ("domain:update", False, True),    # created and answered; killed setting the locks
])
def test_killed_while_registering(member: Actor, organisation: Organisation, contact: Contact,
                                  sandbox: Sandbox, command: str, refuse: bool,
                                  registered: bool) -> None:
    job = register_domain.enqueue(organisation_id=organisation.pk, user_id=member.user.pk,
                                  name="tue.test", registrant_id=contact.pk)
    kill_while_waiting(sandbox, job, command, refuse=refuse)
    restart_and_reconcile(job)
    assert_agreement(sandbox, organisation, "tue.test", registry_holds=registered)
    if not registered:  # the name is free again: ordering it works, charged once
        register.register(organisation=organisation, actor=member, name="tue.test",
                          registrant=contact)
        assert_agreement(sandbox, organisation, "tue.test", registry_holds=True)


@pytest.mark.parametrize("refuse", [False, True])
def test_killed_while_renewing(member: Actor, organisation: Organisation, contact: Contact,
                               sandbox: Sandbox, refuse: bool) -> None:
    domain = register.register(organisation=organisation, actor=member, name="renouvele.test",
                               registrant=contact).domain
    job = renew_domain.enqueue(domain_id=domain.pk, user_id=member.user.pk)
    kill_while_waiting(sandbox, job, "domain:renew", refuse=refuse)
    restart_and_reconcile(job)
    assert_agreement(sandbox, organisation, "renouvele.test", registry_holds=True)
    years = Order.objects.filter(domain_name="renouvele.test",
                                 state=OrderState.COMPLETED).aggregate(y=Sum("period"))["y"]
    assert years == (1 if refuse else 2)


@pytest.mark.parametrize("refuse", [False, True])
def test_killed_while_transferring_in(member: Actor, organisation: Organisation,
                                      sandbox: Sandbox, sandbox_registry: Any,
                                      refuse: bool) -> None:
    account = sandbox.registrars["rival"]
    config = epp.ClientConfig(host=sandbox.host, port=sandbox.port, client_id=account.clid,
                              password=account.password, cafile=str(sandbox.ca_file),
                              certfile=str(account.cert_file), keyfile=str(account.key_file))
    with epp.Session(config) as rival:
        rival.execute(epp.ContactCreate("rival-k1", [epp.PostalInfo(
            "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
        rival.execute(epp.DomainCreate("demenage.test", registrant="rival-k1",
                                       auth_info="Code-2-Move!"))
        job = transfer_domain.enqueue(organisation_id=organisation.pk,
                                      user_id=member.user.pk, name="demenage.test",
                                      auth_info="Code-2-Move!")
        kill_while_waiting(sandbox, job, "domain:transfer", refuse=refuse)
        restart_and_reconcile(job)
        order = Order.objects.get(domain_name="demenage.test")
        if refuse:
            assert order.state == OrderState.FAILED
            assert_agreement(sandbox, organisation, "demenage.test", registry_holds=False)
            return
        # Requested at the registry: the order waits for the losing registrar, as usual.
        assert order.state == OrderState.PENDING
        assert Domain.objects.get(name="demenage.test").state == DomainState.PENDING_TRANSFER_IN
        rival.execute(epp.DomainTransfer("approve", "demenage.test"))
    process_poll_queue(sandbox_registry)
    assert_agreement(sandbox, organisation, "demenage.test", registry_holds=True)


@pytest.mark.parametrize("refuse", [False, True])
def test_killed_while_deleting(member: Actor, organisation: Organisation, contact: Contact,
                               sandbox: Sandbox, refuse: bool) -> None:
    domain = register.register(organisation=organisation, actor=member, name="efface.test",
                               registrant=contact).domain
    job = delete_domain.enqueue(domain_id=domain.pk, user_id=member.user.pk)
    kill_while_waiting(sandbox, job, "domain:delete", refuse=refuse)
    restart_and_reconcile(job)
    # Deleted within the add grace period: the registry credited the registration, and the
    # reconciliation credited it back to the member.
    assert_agreement(sandbox, organisation, "efface.test", registry_holds=refuse)


@pytest.mark.parametrize(("step", "refuse"), [
    ("request", False),  # the registry took the request (and the money): the report follows
    ("request", True),   # not taken: still in redemption, credited back
    ("report", False),   # restored, the answer never read
    ("report", True),    # request taken, report refused: sent again
])
def test_killed_while_restoring(member: Actor, organisation: Organisation, contact: Contact,
                                sandbox: Sandbox, step: str, refuse: bool) -> None:
    domain = register.register(organisation=organisation, actor=member, name="revenant.test",
                               registrant=contact).domain
    sandbox.clock.advance(days=6)  # past the add grace period: deletion goes to redemption
    domain = delete.delete(domain=domain, actor=member).domain
    assert domain.state == DomainState.REDEMPTION
    job = restore_domain.enqueue(domain_id=domain.pk, user_id=member.user.pk)
    # Both steps are domain:update (RFC 3915): the report is the second.
    kill_while_waiting(sandbox, job, "domain:update", refuse=refuse,
                       skip=1 if step == "report" else 0)
    restart_and_reconcile(job)
    restored = not (step == "request" and refuse)
    assert_agreement(sandbox, organisation, "revenant.test", registry_holds=restored)
    restores = Order.objects.filter(domain_name="revenant.test", operation="restore")
    assert [o.state for o in restores] == [OrderState.COMPLETED if restored
                                           else OrderState.FAILED]
