"""Use case: check a deposit folder as the escrow agent does (the library's verifier), with
the previous deposits' names from the history for an incremental, and record the outcome."""

from __future__ import annotations

from pathlib import Path

from bureau.core import clock
from bureau.escrow.profiles import get_profile
from bureau.escrow.reader import AgentKeys
from bureau.escrow.verify import Report, verify_deposit

from . import conf
from .history import DbNameLookup, series_ids
from .models import Deposit, DepositKind, DepositState


def recorded_deposit(folder: Path) -> Deposit | None:
    return Deposit.objects.filter(folder=str(folder.resolve())).first() or \
        Deposit.objects.filter(folder=str(folder)).first()


def verify_folder(folder: Path, keys: AgentKeys) -> tuple[Report, Deposit | None]:
    """Verify ``folder``; if it is a recorded deposit, check an incremental against the
    series it was made after, and mark a delivered deposit ``verified`` when it passes."""
    deposit = recorded_deposit(folder)
    previous = None
    profile = conf.profile()
    if deposit is not None:
        profile = get_profile(deposit.profile)
        if deposit.kind == DepositKind.INCREMENTAL:
            previous = DbNameLookup(series_ids(before=deposit))
    report = verify_deposit(folder, profile, keys, previous=previous)
    if deposit is not None:
        if report.ok and deposit.state == DepositState.DELIVERED:
            deposit.state = DepositState.VERIFIED
            deposit.verified_at = clock.now()
            deposit.save(update_fields=["state", "verified_at"])
        elif not report.ok:
            deposit.error = report.text()[-2000:]
            deposit.save(update_fields=["error"])
    return report, deposit
