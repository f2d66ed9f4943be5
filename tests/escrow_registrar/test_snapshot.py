"""A deposit made as the jobs and the command make it, outside any transaction: its records
and its names come from one snapshot, the names recorded on a second connection while the
files are written, kept only when the deposit is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bureau.registrar.domains.models import Domain
from bureau.registrar.escrow import tasks
from bureau.registrar.escrow.deposits import make_deposit
from bureau.registrar.escrow.models import Deposit, DepositedName, DepositState

from .conftest import Registrar, make_domains

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2026, 11, 20)


def names_of(deposit: Deposit) -> set[str]:
    return set(DepositedName.objects.filter(deposit=deposit).values_list("name", flat=True))


def test_names_are_recorded_from_the_deposits_snapshot(registrar: Registrar,
                                                       escrow_settings: Path) -> None:
    domains = make_domains(registrar, 0, 120)
    deposit = make_deposit("full", date=DAY)
    assert deposit.state == DepositState.WRITTEN and deposit.records == 120
    assert names_of(deposit) == {d.name for d in domains}
    new = {d.name for d in make_domains(registrar, 120, 3)}
    inc = make_deposit("inc", date=DAY + dt.timedelta(days=1))
    assert inc.records == 3 and names_of(inc) == new


def test_a_failed_deposit_records_no_names(registrar: Registrar, escrow_settings: Path) -> None:
    make_domains(registrar, 0, 120)
    Domain.objects.filter(name="name119.test").update(expires_at=None)
    with pytest.raises(Exception, match=r"'name119\.test' cannot be deposited"):
        make_deposit("full", date=DAY)
    assert Deposit.objects.get().state == DepositState.FAILED
    assert not DepositedName.objects.exists()


def test_old_series_are_pruned_by_their_own_job(registrar: Registrar, escrow_settings: Path,
                                                 settings: Any) -> None:
    """A deposit does not wait for forgetting the names of the series before last: the
    daily prune job does it."""
    make_domains(registrar, 0, 50)
    first = make_deposit("full", date=DAY)
    second = make_deposit("full", date=DAY + dt.timedelta(days=7))
    third = make_deposit("full", date=DAY + dt.timedelta(days=14))
    assert len(names_of(first)) == 50  # still there after the deposits
    assert settings.BUREAU_PERIODIC_JOBS["escrow-prune"]["every"] == 86400
    assert tasks.prune_history.call() == {"removed": 50}
    assert not names_of(first) and len(names_of(second)) == len(names_of(third)) == 50
    settings.BUREAU_ESCROW_IANA_ID = ""
    assert tasks.prune_history.call() == {"skipped": "escrow not configured"}
