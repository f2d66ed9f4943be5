"""Which names are already deposited, answered from the deposit history table.

The current *series* is the latest full deposit that was written plus every incremental
written after it. An incremental holds every sponsored name not in the series (spec 4.1.11),
and a name registered again since the series deposited it (deleted, then registered by
someone else): restore takes the later row.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef

from bureau.registrar.domains.models import HELD_STATES, Domain

from .models import DEPOSITED_STATES, Deposit, DepositedName, DepositKind


def series_ids(before: Deposit | None = None) -> list[int]:
    """Ids of the latest full deposit and the incrementals after it (all written), as the
    history stood when ``before`` was started (``before`` itself excluded)."""
    qs = Deposit.objects.filter(state__in=DEPOSITED_STATES)
    if before is not None:
        qs = qs.filter(started_at__lt=before.started_at).exclude(pk=before.pk)
    full = qs.filter(kind=DepositKind.FULL).order_by("-started_at", "-id").first()
    if full is None:
        return []
    later = qs.filter(kind=DepositKind.INCREMENTAL, started_at__gte=full.started_at)
    return [full.pk, *later.values_list("pk", flat=True)]


class DbNameLookup:
    """A :class:`bureau.escrow.history.NameLookup` over the given deposits, for the verifier
    of an incremental (a few names): one query per batch of 5,000 names. (A deposit itself
    leaves out the deposited names in SQL, see rows.selection.)"""

    def __init__(self, deposit_ids: Sequence[int]) -> None:
        self.deposit_ids = list(deposit_ids)

    def present(self, names: Sequence[str]) -> set[str]:
        if not self.deposit_ids or not names:
            return set()
        # a name registered (again) after the deposit that holds it started is a new
        # registration, possibly of another holder: not deposited yet
        newer = Domain.objects.filter(name=OuterRef("name"), state__in=HELD_STATES,
                                      registered_at__gt=OuterRef("deposit__started_at"))
        return set(DepositedName.objects.filter(name__in=list(names),
                                                deposit_id__in=self.deposit_ids)
                   .exclude(Exists(newer)).values_list("name", flat=True).distinct())


def prune(keep_series: int = 2) -> int:
    """Forget the names of deposits older than the last ``keep_series`` full deposits (their
    names are never asked again). Returns the number of rows removed."""
    fulls = list(Deposit.objects.filter(kind=DepositKind.FULL, state__in=DEPOSITED_STATES)
                 .order_by("-started_at", "-id").values_list("started_at", flat=True)
                 [:keep_series])
    if len(fulls) < keep_series:
        return 0
    removed, _ = DepositedName.objects.filter(deposit__started_at__lt=fulls[-1]).delete()
    return removed
