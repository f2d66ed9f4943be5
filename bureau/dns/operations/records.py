"""Edit the records of a hosted zone: a batch of additions and removals (an edit is a removal
plus an addition) validated as a whole zone, stored, and published as ONE PATCH.

Errors: NotAllowed; NotHosted (a record to remove is gone); RecordsInvalid (each problem names
the record and field: nothing stored, nothing sent to PowerDNS). A PowerDNS that does not
answer leaves the change stored and the zone marked for the reconciliation job
(`Outcome.published` is False).
"""

from __future__ import annotations

from collections.abc import Sequence

from bureau.dns.models import ChangeKind, Record, Zone
from bureau.dns.records import Record as RawRecord
from bureau.registrar.operations.common import Actor

from .common import Outcome, change_records, verify_may_manage


def edit_records(*, zone: Zone, actor: Actor, add: Sequence[RawRecord] = (),
                 remove: Sequence[Record] = (), summary: str = "") -> Outcome:
    verify_may_manage(zone.organisation, actor)
    if not summary:
        parts = []
        if add:
            parts.append(f"{len(add)} added")
        if remove:
            parts.append(f"{len(remove)} removed")
        summary = ", ".join(parts) or "no change"
    return change_records(zone, actor, ChangeKind.EDIT, summary=summary, add=add, remove=remove)
