"""Delivery over SFTP to a real OpenSSH sshd on loopback, with the deposit history updated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from escrow_fixtures import Sshd, free_port

from bureau.registrar.escrow import tasks
from bureau.registrar.escrow.delivery import deliver_pending
from bureau.registrar.escrow.deposits import make_deposit
from bureau.registrar.escrow.models import Deposit, DepositState, EscrowAlert

from .conftest import Registrar, make_domains

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def sftp_settings(settings: Any, escrow_settings: Path, sshd: Sshd, request: Any) -> Sshd:
    # Each test its own remote folder: the library resumes by size, so a same-named file left
    # by another deposit would never be replaced (reported as a library issue).
    root = sshd.root / request.node.name
    root.mkdir()
    sshd = Sshd(sshd.port, sshd.user, sshd.client_key, root)
    settings.BUREAU_ESCROW_SFTP_HOST = "127.0.0.1"
    settings.BUREAU_ESCROW_SFTP_PORT = str(sshd.port)
    settings.BUREAU_ESCROW_SFTP_USER = sshd.user
    settings.BUREAU_ESCROW_SFTP_KEY_FILE = str(sshd.client_key)
    settings.BUREAU_ESCROW_SFTP_REMOTE_DIR = str(sshd.root)
    settings.BUREAU_ESCROW_SFTP_KNOWN_HOSTS = ""
    settings.BUREAU_ESCROW_SFTP_TRUST_NEW_HOST = "1"  # a test host key, made just now
    settings.BUREAU_ESCROW_DELIVERY_RETRIES = "2"
    return sshd


def test_written_deposits_are_delivered_and_checked(registrar: Registrar,
                                                    sftp_settings: Sshd) -> None:
    make_domains(registrar, 0, 500)
    full = make_deposit("full", date=DAY)
    report = deliver_pending(sleep=lambda s: None)
    assert [d.pk for d in report.delivered] == [full.pk] and not report.failed
    full.refresh_from_db()
    assert full.state == DepositState.DELIVERED and full.delivery_attempts == 1
    assert full.delivered_at is not None
    for name in full.file_names:
        remote = sftp_settings.root / name
        assert remote.read_bytes() == (Path(full.folder) / name).read_bytes()
    assert f"{full.hash_file}.asc" in full.file_names  # the hash file's signature too
    assert deliver_pending(sleep=lambda s: None).delivered == []  # nothing left


def test_failed_delivery_is_retried_recorded_and_alerted(
    registrar: Registrar, sftp_settings: Sshd, settings: Any, mailoutbox: list[Any],
) -> None:
    make_domains(registrar, 0, 20)
    settings.ADMINS = [("Ops", "ops@bureau.example")]
    deposit = make_deposit("full", date=DAY)
    settings.BUREAU_ESCROW_SFTP_PORT = str(free_port())  # nobody listens there
    waits: list[float] = []
    report = deliver_pending(sleep=waits.append)
    assert report.failed and not report.delivered
    assert len(waits) == 2  # 3 attempts, backoff between them
    deposit.refresh_from_db()
    assert deposit.state == DepositState.WRITTEN and deposit.delivery_attempts == 3
    assert "after 3 attempts" in deposit.error
    alert = EscrowAlert.objects.get(kind="delivery", resolved_at__isnull=True)
    assert alert.emailed and len(mailoutbox) == 1
    assert "not delivered" in mailoutbox[0].body

    settings.BUREAU_ESCROW_SFTP_PORT = str(sftp_settings.port)  # the agent is back
    report = deliver_pending(sleep=lambda s: None)
    deposit.refresh_from_db()
    assert deposit.state == DepositState.DELIVERED and deposit.delivery_attempts == 4
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_periodic_jobs_deposit_and_deliver(registrar: Registrar, sftp_settings: Sshd) -> None:
    make_domains(registrar, 0, 20)
    result = tasks.daily_incremental.call()  # no full deposit yet: makes one
    assert result == {"kind": "full", "rows": 20, "delivered": 1, "failed": 0}
    full = Deposit.objects.get()
    assert full.state == DepositState.DELIVERED
    assert "already dated" in str(tasks.weekly_full.call()["skipped"])
    assert "already dated" in str(tasks.daily_incremental.call()["skipped"])
    # a day later
    Deposit.objects.filter(pk=full.pk).update(date=full.date - dt.timedelta(days=1),
                                              started_at=full.started_at - dt.timedelta(days=1))
    assert "less than 5 days ago" in str(tasks.weekly_full.call()["skipped"])
    make_domains(registrar, 20, 2)
    result = tasks.daily_incremental.call()
    assert result == {"kind": "inc", "rows": 2, "delivered": 1, "failed": 0}
    assert tasks.check_lateness.call()[0].endswith("on time")
