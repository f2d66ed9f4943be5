"""What the DNS operations share: who may act, the per-zone writer, the one-batch change
(validate the whole zone, store, one PATCH, history) and the history entry."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau.dns import conf
from bureau.dns.models import (
    ChangeKind,
    PublishState,
    Record,
    TemplateApplication,
    Zone,
    ZoneChange,
)
from bureau.dns.powerdns import PowerDNSUnavailable
from bureau.dns.records import Record as RawRecord
from bureau.dns.records import ValidRecord, to_changes
from bureau.dns.validation import ValidationError, validate_record, validate_zone
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_DOMAINS, Organisation
from bureau.registrar.operations.common import Actor, verify_role

from .errors import NotHosted, RecordsInvalid

logger = logging.getLogger("bureau.dns.operations")
DNS_ACTOR = Actor.system("dns")


def verify_may_manage(organisation: Organisation, actor: Actor) -> None:
    verify_role(organisation, actor, ROLES_THAT_MANAGE_DOMAINS)


def locked(zone: Zone) -> Zone:
    """The zone row, locked until the end of the transaction: one writer per zone across
    processes and hosts (the PowerDNS client adds its own lock per zone/server)."""
    try:
        found = Zone.objects.select_for_update().get(pk=zone.pk)
    except Zone.DoesNotExist as exc:
        raise NotHosted(_("This zone is no longer hosted by Bureau.")) from exc
    if found.publish_state == PublishState.WITHDRAWN:
        raise NotHosted(_("This zone is no longer hosted by Bureau."))
    return found


def record_change(zone: Zone, actor: Actor, kind: str, *, summary: str = "",
                  added: Sequence[dict[str, object]] = (),
                  removed: Sequence[dict[str, object]] = (),
                  undoes: ZoneChange | None = None, published: bool = True) -> ZoneChange:
    return ZoneChange.objects.create(
        zone=zone, zone_name=zone.name, actor=actor.user, actor_label=actor.label, kind=kind,
        summary=summary[:255], added=list(added), removed=list(removed), undoes=undoes,
        serial=zone.serial or None, published=published)


def as_raw(record: ValidRecord) -> RawRecord:
    return RawRecord(record.name, record.rtype, record.content, record.ttl)


def validate_new(zone: Zone, records: Iterable[RawRecord | ValidRecord]) -> list[ValidRecord]:
    """Each new record checked alone (raw input becomes canonical); all problems at once."""
    out: list[ValidRecord] = []
    problems = []
    for record in records:
        raw = as_raw(record) if isinstance(record, ValidRecord) else record
        try:
            out.append(validate_record(str(zone.name), raw))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RecordsInvalid(problems)
    return out


@dataclass
class Outcome:
    """What a change did: the history entry, whether PowerDNS confirmed, the serial."""

    change: ZoneChange | None
    published: bool
    serial: int
    added: list[Record] = field(default_factory=list)


def change_records(zone: Zone, actor: Actor, kind: str, *, summary: str,
                   add: Sequence[RawRecord | ValidRecord] = (),
                   remove: Iterable[Record] = (),
                   application: TemplateApplication | None = None,
                   undoes: ZoneChange | None = None,
                   tags: Sequence[int | None] | None = None) -> Outcome:
    """Remove `remove`, add `add` in ONE batch: the resulting zone is validated as a whole
    (nothing stored, nothing sent when it is invalid), stored, published as one PATCH to
    PowerDNS, recorded in the history. `tags` gives each added record its template
    application (undo puts records back with theirs)."""
    remove_ids = {r.pk for r in remove}
    with transaction.atomic():
        zone = locked(zone)
        current = list(zone.records.all())
        unknown = remove_ids - {r.pk for r in current}
        if unknown:
            raise NotHosted(_("Some records to remove are no longer in the zone (ids %(ids)s): "
                              "reload the page.") % {"ids": sorted(unknown)})
        kept = [r for r in current if r.pk not in remove_ids]
        raw_new = [as_raw(r) if isinstance(r, ValidRecord) else r for r in add]
        try:  # the zone as it would be: every problem at once, the new records' and the zone's
            validate_zone(str(zone.name), [as_raw(r.valid()) for r in kept] + raw_new,
                          nameservers=zone.nameservers)
        except ValidationError as exc:
            raise RecordsInvalid(exc.problems) from exc
        new = validate_new(zone, raw_new)
        gone = [r for r in current if r.pk in remove_ids]
        seen = {(r.name, r.rtype, r.content) for r in kept}
        rows = []
        for i, record in enumerate(new):
            key = (record.name, record.rtype, record.content)
            if key in seen:
                continue  # already there: adding it again changes nothing
            seen.add(key)
            tag = tags[i] if tags is not None else (application.pk if application else None)
            rows.append(Record(zone=zone, name=record.name, rtype=record.rtype,
                               content=record.content, ttl=record.ttl, application_id=tag))
        Record.objects.filter(pk__in=remove_ids).delete()
        Record.objects.bulk_create(rows)
        affected = {(r.name, r.rtype) for r in gone} | {(r.name, r.rtype) for r in rows}
        published = publish_rrsets(zone, affected)
        change = record_change(zone, actor, kind, summary=summary,
                               added=[r.as_dict() for r in rows],
                               removed=[r.as_dict() for r in gone], undoes=undoes,
                               published=published)
    return Outcome(change, published, zone.serial, rows)


def publish_rrsets(zone: Zone, keys: set[tuple[str, str]]) -> bool:
    """Send the RRsets `keys` as they now are in the database, as ONE PATCH, then NOTIFY.
    Called inside the zone's transaction. A PowerDNS that does not answer leaves the zone
    marked for the reconciliation job (True: published and confirmed)."""
    if not keys:
        return True
    records = [r.valid() for r in zone.records.all() if (r.name, r.rtype) in keys]
    client = conf.client()
    try:
        client.patch_rrsets(str(zone.name), to_changes(records, replace=keys))
        if conf.secondaries():
            client.notify(str(zone.name))
        zone.serial = client.serial(str(zone.name))
    except PowerDNSUnavailable:
        logger.warning("PowerDNS did not confirm a change of %s; reconciliation will publish it",
                       zone.name, exc_info=True)
        zone.publish_state = PublishState.UNKNOWN
        zone.save(update_fields=["publish_state", "updated_at"])
        return False
    zone.publish_state = PublishState.PUBLISHED
    zone.save(update_fields=["publish_state", "serial", "updated_at"])
    return True


__all__ = ["DNS_ACTOR", "ChangeKind", "Outcome", "change_records", "record_change"]
