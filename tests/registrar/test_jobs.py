"""The job queue: a task enqueued in the database is run by `bureau worker` in another
process, and periodic jobs are enqueued once per period however many schedulers ask."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bureau.core.models import PeriodicJob
from bureau.core.periodic import JobSpec, enqueue_due
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.tasks import verify_ledger

pytestmark = [pytest.mark.sqlite]


def database_url() -> str:
    """The URL of the test database this test runs on, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url(),
           "BUREAU_STATE_DIR": str(settings.STATE_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "bureau.cli", "worker", "--batch", "--no-startup-delay", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_worker_runs_an_enqueued_task(organisation: Organisation) -> None:
    ledger.top_up(organisation, 1000, "EUR")
    result = verify_ledger.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    done = run_worker("--no-scheduler")
    assert done.returncode == 0, done.stderr

    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "SUCCESSFUL", stored.exception_class_path
    assert stored.return_value == 0  # no account drifted


@pytest.mark.django_db(transaction=True)
def test_worker_enqueues_and_runs_due_periodic_jobs() -> None:
    done = run_worker()
    assert done.returncode == 0, done.stderr
    job = PeriodicJob.objects.get(name="verify-ledger")
    assert job.next_run_at > timezone.now() + timedelta(minutes=50)
    assert DBTaskResult.objects.get(id=job.last_result_id).status == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_periodic_job_is_enqueued_once_per_period(db: Any) -> None:
    spec = JobSpec("check", "bureau.registrar.tasks.verify_ledger", timedelta(minutes=10))
    now = timezone.now()
    assert enqueue_due(now, [spec]) == ["check"]
    # A second scheduler at the same moment, or a minute later, finds nothing due.
    assert enqueue_due(now, [spec]) == []
    assert enqueue_due(now + timedelta(minutes=1), [spec]) == []
    assert enqueue_due(now + timedelta(minutes=10), [spec]) == ["check"]
    assert DBTaskResult.objects.filter(
        task_path="bureau.registrar.tasks.verify_ledger").count() == 2


@pytest.mark.django_db(transaction=True)
def test_worker_applies_registry_messages_through_epp(
    member: Any, organisation: Organisation, contact: Any, sandbox: Any
) -> None:
    """The periodic poll job, run by the worker in another process, reads the sandbox's poll
    queue over TLS and updates the domain."""
    from bureau.registrar.domains.models import Domain
    from bureau.registrar.operations.register import register

    domain = register(organisation=organisation, actor=member, name="surveille.test",
                      registrant=contact).domain
    sandbox.operator.set_server_status("surveille.test", add=["serverHold"])
    from bureau.registrar.tasks import process_poll_queues

    result = process_poll_queues.enqueue()
    done = run_worker("--no-scheduler")
    assert done.returncode == 0, done.stderr
    assert DBTaskResult.objects.get(id=result.id).return_value >= 1
    assert "serverHold" in Domain.objects.get(pk=domain.pk).statuses


@pytest.mark.django_db(transaction=True)
def test_worker_registers_an_enqueued_name(
    member: Any, organisation: Organisation, contact: Any, sandbox: Any
) -> None:
    """A registration enqueued as a job is run by the worker in another process: the name is
    active at Bureau and held by Bureau at the sandbox, charged once; a refused one fails the
    job with the operation's message and charges nothing."""
    from bureau.registrar.billing.models import Order
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.tasks import register_domain

    balance = ledger.balance(organisation, "EUR")
    ok = register_domain.enqueue(organisation_id=organisation.pk, user_id=member.user.pk,
                                 name="en-file.test", registrant_id=contact.pk)
    refused = register_domain.enqueue(organisation_id=organisation.pk, user_id=member.user.pk,
                                      name="nic.test", registrant_id=contact.pk)
    done = run_worker("--no-scheduler")
    assert done.returncode == 0, done.stderr

    stored = DBTaskResult.objects.get(id=ok.id)
    assert stored.status == "SUCCESSFUL", stored.traceback
    assert stored.return_value["domain"] == "en-file.test"
    assert Domain.objects.get(name="en-file.test").state == DomainState.ACTIVE
    assert [d["clid"] for d in sandbox.domains() if d["name"] == "en-file.test"] == ["bureau"]

    failed = DBTaskResult.objects.get(id=refused.id)
    assert failed.status == "FAILED"
    assert "NotAvailable: nic.test" in failed.traceback  # the worker speaks French
    order = Order.objects.get(domain__name="en-file.test")
    assert ledger.balance(organisation, "EUR") == balance - order.amount
