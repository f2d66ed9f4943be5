"""A deposit made as the jobs and the command make it, outside any transaction: its records
and its names come from one snapshot shared by three connections (the records of the lower
half of the row ids, those of the upper half, the names), the names kept only when the
deposit is written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from escrow_fixtures import Party

from bureau.escrow.profiles import get_profile
from bureau.escrow.reader import AgentKeys, read_deposit
from bureau.registrar.domains.models import Domain
from bureau.registrar.escrow import tasks
from bureau.registrar.escrow.deposits import make_deposit
from bureau.registrar.escrow.models import Deposit, DepositedName, DepositState

from .conftest import Registrar, make_domains

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2026, 11, 20)


def names_of(deposit: Deposit) -> set[str]:
    return set(DepositedName.objects.filter(deposit=deposit).values_list("name", flat=True))


def test_names_are_recorded_from_the_deposits_snapshot(
    registrar: Registrar, escrow_settings: Path, agent: Party, registrar_key: Party,
) -> None:
    domains = make_domains(registrar, 0, 1200)
    deposit = make_deposit("full", date=DAY)
    assert deposit.state == DepositState.WRITTEN and deposit.records == 1200
    assert names_of(deposit) == {d.name for d in domains}
    deposited = [r.domain for r in read_deposit(
        Path(deposit.folder), get_profile(deposit.profile),
        AgentKeys.from_files(agent.secret, [registrar_key.public]))]
    assert sorted(deposited) == sorted(d.name for d in domains)  # each once, from both halves
    new = {d.name for d in make_domains(registrar, 1200, 3)}
    inc = make_deposit("inc", date=DAY + dt.timedelta(days=1))
    assert inc.records == 3 and names_of(inc) == new


@pytest.mark.parametrize("bad", ["name3.test", "name119.test"])
def test_a_failed_deposit_records_no_names(registrar: Registrar, escrow_settings: Path,
                                           bad: str) -> None:
    """Whichever connection meets the bad row (a low or a high row id)."""
    make_domains(registrar, 0, 120)
    Domain.objects.filter(name=bad).update(expires_at=None)
    with pytest.raises(Exception, match=rf"'{re.escape(bad)}' cannot be deposited"):
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
