"""Records by RRset (owner name + type → records, one TTL for the set), beside the records by
id: what DNS people and their tools expect.

``set_rrsets`` replaces the given RRsets (an empty list of records removes one) in ONE change:
validated together with the rest of the zone, stored, published as one PATCH; any problem
refuses the whole request (nothing stored, nothing sent, no history).

Errors: NotAllowed; NotHosted; RecordsInvalid (field ``rrsets.<index>.<field>``: the
problems of the records of RRset <index>)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name

from bureau.dns.models import ChangeKind, Record, Zone
from bureau.dns.names import InvalidName, owner_name
from bureau.dns.records import Record as RawRecord
from bureau.dns.validation import Problem
from bureau.registrar.operations.common import Actor

from .common import Outcome, change_records, verify_may_manage
from .errors import RecordsInvalid


@dataclass(frozen=True)
class RRSet:
    """``name``: as typed (``@``, ``www``, or absolute); ``records``: contents as typed."""

    name: str
    rtype: str
    ttl: int
    records: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class StoredRRSet:
    name: str  # absolute A-label
    rtype: str
    ttl: int
    records: list[str]


def list_rrsets(zone: Zone) -> list[StoredRRSet]:
    out: dict[tuple[str, str], StoredRRSet] = {}
    for record in zone.records.order_by("name", "rtype", "content"):
        key = (str(record.name), str(record.rtype))
        if key not in out:
            out[key] = StoredRRSet(key[0], key[1], int(record.ttl), [])
        out[key].records.append(str(record.content))
    return list(out.values())


def absolute_owner(zone: Zone, name: str, index: int) -> str:
    try:
        return owner_name(name, dns.name.from_text(str(zone.name))).to_text().lower()
    except InvalidName as exc:
        raise RecordsInvalid([Problem("name", str(exc), RawRecord(name, "", "", 0, index))]
                             ) from exc


def set_rrsets(*, zone: Zone, actor: Actor, rrsets: Sequence[RRSet]) -> Outcome:
    verify_may_manage(zone.organisation, actor)
    add: list[RawRecord] = []
    keys: set[tuple[str, str]] = set()
    for index, rrset in enumerate(rrsets):
        owner = absolute_owner(zone, rrset.name, index)
        rtype = rrset.rtype.strip().upper()
        keys.add((owner, rtype))
        # ``line`` carries the RRset's index, so that problems name it.
        add.extend(RawRecord(owner, rtype, content, rrset.ttl, index) for content in rrset.records)
    owners = {owner for owner, _ in keys}
    remove = [r for r in Record.objects.filter(zone=zone, name__in=owners)
              if (r.name, r.rtype) in keys]
    summary = "RRsets replaced: " + ", ".join(f"{o} {t}" for o, t in sorted(keys))
    return change_records(zone, actor, ChangeKind.EDIT, summary=summary, add=add, remove=remove)
