"""Create a hosted zone (standalone, or for a domain of the organisation).

Errors: NotAllowed; InsufficientFunds (hosting a name registered elsewhere has the price the
members adopted: operations/fees.py); ZoneExists (field "name"); InvalidName (field "name");
RecordsInvalid;
NameClaimed (field "name"): the name is held at Bureau by another organisation, or is inside
(or above) a zone another organisation hosts — hosting it would take over their names on
Bureau's name servers.
A PowerDNS that does not answer leaves the zone stored and marked "unknown": the
reconciliation job creates or completes it in PowerDNS (never guessed, always read back).

Flow: the zone row (the source of truth) is stored first; then PowerDNS creates, signs and
attaches secondaries; then the keys are read back and, for a domain registered with Bureau,
the DS goes to the registry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bureau.dns import conf
from bureau.dns.models import ChangeKind, DnssecAlgorithm, DsState, PublishState, Record, Zone
from bureau.dns.names import InvalidName as InvalidDnsName
from bureau.dns.names import zone_name
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.records import Record as RawRecord
from bureau.dns.records import ValidRecord
from bureau.dns.validation import ValidationError, validate_zone
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import InvalidName
from bureau.registrar.operations.update import update

from .common import logger, record_change, uses_bureau_nameservers, verify_may_manage
from .control import verify_may_host
from .dnssec import after_signing, registered_with_bureau
from .errors import DnssecRefused, NameClaimed, NotHosted, RecordsInvalid, ZoneExists
from .fees import charge_year
from .publishing import publish_new_zone


def parse_zone_name(name: str) -> str:
    try:
        return zone_name(name).to_text().lower()
    except InvalidDnsName as exc:
        raise InvalidName(str(exc), field="name") from exc


def create_zone(*, organisation: Organisation, actor: Actor, name: str,
                domain: Domain | None = None, dnssec: bool = True, nsec3: bool = False,
                algorithm: int = DnssecAlgorithm.ECDSAP256SHA256,
                records: Sequence[RawRecord] = ()) -> Zone:
    verify_may_manage(organisation, actor)
    if algorithm not in DnssecAlgorithm.values:
        raise DnssecRefused(_("Algorithm %(number)s is not offered: choose 13 (ECDSA P-256, "
                              "recommended) or 15 (Ed25519).") % {"number": algorithm},
                            field="algorithm")
    a_name = parse_zone_name(name)
    if Zone.objects.filter(name=a_name).exclude(publish_state=PublishState.WITHDRAWN).exists():
        raise ZoneExists(_("%(name)s is already hosted by Bureau.") % {"name": a_name})
    verify_may_host(organisation, a_name)
    valid = validate_new_zone(a_name, records)
    try:
        with transaction.atomic():
            zone = Zone.objects.create(
                name=a_name, organisation=organisation, domain=domain,
                nameservers=conf.nameservers(), dnssec=dnssec, nsec3=nsec3 and dnssec,
                algorithm=algorithm,
                ds_state=DsState.PENDING if dnssec else DsState.NONE)
            Record.objects.bulk_create(
                Record(zone=zone, name=r.name, rtype=r.rtype, content=r.content, ttl=r.ttl,
                       target=Record.target_of(r.content))
                for r in valid)
            # A name registered elsewhere pays its hosting's first year now (members' price).
            charge_year(zone, actor.user)
    except IntegrityError as exc:
        raise ZoneExists(_("%(name)s is already hosted by Bureau.") % {"name": a_name}) from exc
    publish_new_zone(zone)
    record_change(zone, actor, ChangeKind.CREATE, summary=f"zone created ({len(valid)} records)",
                  added=[r.as_dict() for r in zone.records.all()],
                  published=zone.publish_state == PublishState.PUBLISHED)
    if dnssec and zone.publish_state == PublishState.PUBLISHED:
        after_signing(zone)
    return zone


def validate_new_zone(name: str, records: Sequence[RawRecord]) -> list[ValidRecord]:
    try:
        return validate_zone(name, records, nameservers=conf.nameservers())
    except ValidationError as exc:
        raise RecordsInvalid(exc.problems) from exc


def withdraw_zone(zone: Zone, *, reason: str) -> None:
    """Stop serving a zone (PowerDNS and secondaries); its rows and history stay. Used when the
    name turns out to be held by another organisation (registered at Bureau by it)."""
    for target in [conf.client()] + [s.target().client for s in conf.secondaries()]:
        with contextlib.suppress(PowerDNSNotFound):
            target.delete_zone(str(zone.name))
    Zone.objects.filter(pk=zone.pk).update(publish_state=PublishState.WITHDRAWN, domain=None)
    zone.refresh_from_db()
    record_change(zone, Actor.system("dns"), ChangeKind.RECONCILE, summary=reason,
                  published=False)
    logger.warning("zone %s (organisation %s) withdrawn: %s", zone.name,
                   zone.organisation_id, reason)


def stop_hosting(*, zone: Zone, actor: Actor) -> None:
    """The member stops using Bureau's DNS for this zone. Refused while the registry still
    delegates the name to Bureau's name servers (the name would stop resolving): change the
    name servers first. Bureau's DS leaves the registry first (a DS without the zone would
    make validating resolvers fail); then the zone is withdrawn, its history kept."""
    verify_may_manage(zone.organisation, actor)
    zone = Zone.objects.select_related("domain").get(pk=zone.pk)  # the domain as it is now
    if zone.publish_state == PublishState.WITHDRAWN:
        raise NotHosted(_("This zone is no longer hosted by Bureau."))
    domain = registered_with_bureau(zone)
    if domain is not None and uses_bureau_nameservers(domain):
        raise NameClaimed(_("%(name)s still uses Bureau's name servers: give it other name "
                            "servers first, or it would stop resolving.")
                          % {"name": domain.u_label}, field="nameservers")
    if domain is not None and zone.dnssec and domain.ds_records.exists():
        update(domain=domain, actor=actor, ds_records=[])
    withdraw_zone(zone, reason="hosting stopped by the member")
