"""What the DNS operations share: who may act, the per-zone writer, the one-batch change
(validate the whole zone, store, one PATCH, history) and the history entry."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import dns.name
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.dns import conf
from bureau.dns.models import (
    ChangeKind,
    Publication,
    PublishState,
    Record,
    TemplateApplication,
    Zone,
    ZoneChange,
)
from bureau.dns.powerdns import PowerDNSError
from bureau.dns.publish import send_changes
from bureau.dns.records import Record as RawRecord
from bureau.dns.records import ValidRecord, to_changes
from bureau.dns.validation import TARGET_TYPES, ValidationError, validate_record, validate_zone
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_DOMAINS, Organisation
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import Actor, verify_role

from .errors import NotHosted, RecordsInvalid

logger = logging.getLogger("bureau.dns.operations")
DNS_ACTOR = Actor.system("dns")


def uses_bureau_nameservers(domain: Domain) -> bool:
    return conf.is_bureau_set(domain.nameservers)


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
                   tags: Sequence[int | None] | None = None, publish: bool = True) -> Outcome:
    """Remove `remove`, add `add` in ONE batch: the resulting zone is validated as a whole
    (nothing stored, nothing sent when it is invalid), stored with its history entry and an
    outbox entry (`Publication`) in one transaction; then, after the commit, published as one
    PATCH (`publish_pending`). `tags` gives each added record its template application (undo
    puts records back with theirs). Callers inside their own transaction pass
    ``publish=False`` and call `publish_pending` after their commit: no database lock is
    ever held while PowerDNS is called."""
    remove_ids = {r.pk for r in remove}
    with transaction.atomic():
        zone = locked(zone)
        gone = list(zone.records.filter(pk__in=remove_ids))
        unknown = remove_ids - {r.pk for r in gone}
        if unknown:
            raise NotHosted(_("Some records to remove are no longer in the zone (ids %(ids)s): "
                              "reload the page.") % {"ids": sorted(unknown)})
        raw_new = [as_raw(r) if isinstance(r, ValidRecord) else r for r in add]
        near = neighbourhood(zone, gone, raw_new)
        kept = [r for r in near if r.pk not in remove_ids]
        try:  # the zone as it would be: every problem at once, the new records' and the zone's
            validate_zone(str(zone.name), [as_raw(r.valid()) for r in kept] + raw_new,
                          nameservers=zone.nameservers)
        except ValidationError as exc:
            raise RecordsInvalid(exc.problems) from exc
        new = validate_new(zone, raw_new)
        seen = {(r.name, r.rtype, r.content) for r in kept}
        rows = []
        for i, record in enumerate(new):
            key = (record.name, record.rtype, record.content)
            if key in seen:
                continue  # already there: adding it again changes nothing
            seen.add(key)
            tag = tags[i] if tags is not None else (application.pk if application else None)
            rows.append(Record(zone=zone, name=record.name, rtype=record.rtype,
                               content=record.content, ttl=record.ttl, application_id=tag,
                               target=Record.target_of(record.content)))
        Record.objects.filter(pk__in=remove_ids).delete()
        Record.objects.bulk_create(rows)
        affected = {(r.name, r.rtype) for r in gone} | {(r.name, r.rtype) for r in rows}
        # The history says what changed; whether PowerDNS confirmed is the outbox's business.
        change = record_change(zone, actor, kind, summary=summary,
                               added=[r.as_dict() for r in rows],
                               removed=[r.as_dict() for r in gone], undoes=undoes,
                               published=not affected)
        if affected:
            # A delegation that appears or goes changes the auth flags of the names under
            # it: PowerDNS rectifies the whole zone (a PATCH). Other changes, names that
            # appear or go included, go as an RFC 2136 update: PowerDNS fixes the DNSSEC
            # order of those names and their empty non-terminals only.
            delegation = any(rtype in ("NS", "DS") for _, rtype in affected)
            Publication.objects.create(zone=zone, change=change, rectify=delegation,
                                       rrsets=sorted([*k] for k in affected))
            Zone.objects.filter(pk=zone.pk).update(publish_state=PublishState.PENDING)
    outcome = Outcome(change, not affected, zone.serial, rows)
    if publish:
        settle_outcome(outcome, zone)
    return outcome


# Above this many changed records (imports, templates), the whole zone is read instead.
NEIGHBOURHOOD_LIMIT = 200


def neighbourhood(zone: Zone, gone: Sequence[Record], new: Sequence[RawRecord]) -> list[Record]:
    """The stored records the zone rules can relate to a change: those at the changed names
    and at the names above them (delegations), below a changed name that is or becomes a
    delegation, at the hosts the new records point to (CNAME targets, glue), and those
    pointing to a changed name. Validating them with the change finds what validating the
    whole zone finds, without reading a 10,000-record zone for one edit."""
    if len(gone) + len(new) > NEIGHBOURHOOD_LIMIT:
        return list(zone.records.all())
    origin = dns.name.from_text(str(zone.name))
    owners = {str(r.name) for r in gone}
    targets: set[str] = set()
    delegating = {str(r.name) for r in gone if r.rtype in ("NS", "DS")}
    for raw in new:
        try:
            record = validate_record(origin, raw)
        except ValidationError:
            continue  # reported by the validation of the whole change
        owners.add(record.name)
        if record.rtype in ("NS", "DS"):
            delegating.add(record.name)
        target = getattr(record.rdata(), TARGET_TYPES.get(record.rtype, "-"), None)
        if isinstance(target, dns.name.Name) and target.is_subdomain(origin):
            targets.add(target.to_text().lower())
    above = {n.to_text() for o in owners for n in ancestors_in(dns.name.from_text(o), origin)}
    # Two indexed reads, unordered: an OR of the two, or the model's ordering, has the
    # database walk the whole zone.
    near = list(zone.records.filter(name__in=owners | above | targets).order_by())
    seen = {r.pk for r in near}
    near += [r for r in zone.records.filter(target__in=owners).order_by()
             if r.pk not in seen]
    delegating |= {str(r.name) for r in near if r.rtype == "NS" and str(r.name) in owners}
    below = Q()
    for cut in delegating:
        below |= Q(name__endswith="." + cut)
    if delegating:
        seen = {r.pk for r in near}
        near += [r for r in zone.records.filter(below) if r.pk not in seen]
    return near


def ancestors_in(name: dns.name.Name, origin: dns.name.Name) -> list[dns.name.Name]:
    out = []
    while name != origin and len(name.labels) > len(origin.labels):
        name = name.parent()
        out.append(name)
    return out


def settle_outcome(outcome: Outcome, zone: Zone) -> Outcome:
    """Publish what the change left in the outbox; the outcome says whether it went."""
    outcome.published = publish_pending(zone)
    outcome.serial = Zone.objects.values_list("serial", flat=True).get(pk=zone.pk)
    return outcome


def publish_pending(zone: Zone) -> bool:
    """Send the zone's outbox to PowerDNS as ONE PATCH (the RRsets as they are in the database
    now), then NOTIFY; remove the entries sent. Runs outside any transaction, one publisher
    per zone. A PowerDNS that fails or does not answer in time leaves the entries and the
    zone "unknown": the reconciliation job retries until PowerDNS and Bureau agree. True when
    nothing is left to publish."""
    name = str(zone.name)
    with conf.publisher_locks().hold(name):
        pending = list(Publication.objects.filter(zone_id=zone.pk, published_at__isnull=True))
        if not pending:
            return True
        if Zone.objects.filter(pk=zone.pk, parked=True).exists():
            return False  # PowerDNS serves the parking page; unparking publishes it all
        keys = {(n, t) for p in pending for n, t in p.rrsets}
        records = [r.valid() for r in Record.objects.filter(
            zone_id=zone.pk, name__in={n for n, _ in keys}) if (r.name, r.rtype) in keys]
        client = conf.client()
        try:
            # One RFC 2136 update: PowerDNS fixes the DNSSEC order of the changed names
            # only. Delegations go as a PATCH: PowerDNS rectifies the whole zone (a PATCH
            # without it would leave the replaced rows out of the NSEC/NSEC3 chain).
            target = None if any(p.rectify for p in pending) else conf.update_target()
            way = send_changes(client, name, to_changes(records, replace=keys), target=target)
            if target is not None and way == "patch":
                conf.forget_update_key()
            if conf.secondaries():
                client.notify(name)
            serial = client.serial(name)
        except PowerDNSError as exc:
            logger.warning("PowerDNS did not confirm a change of %s (%s); the job retries",
                           name, exc)
            Publication.objects.filter(pk__in=[p.pk for p in pending]).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:2000])
            Zone.objects.filter(pk=zone.pk).exclude(
                publish_state=PublishState.WITHDRAWN).update(publish_state=PublishState.UNKNOWN)
            return False
        with transaction.atomic():
            Publication.objects.filter(pk__in=[p.pk for p in pending]).update(
                published_at=clock.now(), serial=serial)
            left = Publication.objects.filter(zone_id=zone.pk, published_at__isnull=True).exists()
            Zone.objects.filter(pk=zone.pk).exclude(
                publish_state=PublishState.WITHDRAWN).update(
                serial=serial,
                publish_state=PublishState.PENDING if left else PublishState.PUBLISHED)
        zone.serial = serial
        return not left


__all__ = ["DNS_ACTOR", "ChangeKind", "Outcome", "change_records", "record_change"]
