"""The notices job run by `bureau worker` in another process, twice (a restart): the due
reminder is sent once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bureau.notices.models import Notice, Term
from bureau.notices.tasks import run_notices
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Registry, Tld


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker() -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url(),
           "BUREAU_STATE_DIR": str(settings.STATE_DIR),
           "BUREAU_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return subprocess.run(
        [sys.executable, "-m", "bureau.cli", "worker", "--batch", "--no-startup-delay",
         "--no-scheduler"], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.django_db(transaction=True)
def test_a_restarted_worker_does_not_send_a_reminder_twice(
        organisation: Organisation, holder: Contact) -> None:
    registry = Registry.objects.create(name="R", slug="r", host="127.0.0.1", client_id="b",
                                       password="x")
    tld = Tld.objects.create(registry=registry, name="worker", create_price=1000,
                             renew_price=1000, transfer_price=1000, restore_price=4000)
    expiry = timezone.now() + timedelta(days=5)
    domain = Domain.objects.create(name="atelier.worker", tld=tld, organisation=organisation,
                                   registrant=holder, state=DomainState.ACTIVE,
                                   expires_at=expiry)
    Term.objects.create(domain=domain, paid_until=expiry, seen_expiry=expiry,
                        checked_at=timezone.now())
    outputs = []
    for _run in range(2):
        result = run_notices.enqueue()
        done = run_worker()
        assert done.returncode == 0, done.stderr
        assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
        outputs.append(done.stdout)
    assert Notice.objects.filter(domain=domain, kind="reminder").count() == 1
    header = f"X-Bureau-Notice: reminder:{domain.pk}:"
    assert outputs[0].count(header) == 2  # holder and billing person
    assert "atelier.worker expire le" in outputs[0]
    assert header not in outputs[1]
