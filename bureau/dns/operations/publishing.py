"""Bring a zone to PowerDNS: create it there (signed, with its secondaries) and, when it is
there already or differs, make PowerDNS's copy equal to the database's. Creation and
comparison call each other (a zone found existing is compared; a zone found missing is
created), so they live together."""

from __future__ import annotations

from bureau.core import clock
from bureau.dns import conf
from bureau.dns.models import ChangeKind, Publication, PublishState, Zone
from bureau.dns.powerdns import PowerDNSConflict, PowerDNSNotFound, PowerDNSUnavailable
from bureau.dns.powerdns.client import RRSetChange
from bureau.dns.publish import after_key_change, create_hosted_zone
from bureau.dns.sync import sync_zone

from .common import DNS_ACTOR, logger, record_change
from .dnssec import refresh_keys
from .served import served_records


def soa_change(zone: Zone) -> RRSetChange:
    """The SOA Bureau publishes: its first name server as MNAME, hostmaster at the name
    servers' domain as RNAME (PowerDNS fills the serial, SOA-EDIT-API)."""
    return RRSetChange(str(zone.name), "SOA", 3600, (soa_content(zone, 0),))


def soa_content(zone: Zone, serial: int) -> str:
    primary = zone.nameservers[0]
    contact = "hostmaster." + primary.split(".", 1)[1]
    return f"{primary} {contact} {serial} 10800 3600 604800 3600"


def publish_new_zone(zone: Zone) -> None:
    """Create the zone in PowerDNS (signed, with its secondaries); idempotent: a zone already
    there (an earlier attempt whose answer was lost) is reconciled instead."""
    client = conf.client()
    secondaries = [s.target() for s in conf.secondaries()]
    try:
        try:
            hosted = create_hosted_zone(
                client, str(zone.name), nameservers=zone.nameservers,
                records=[r.valid() for r in zone.records.all()], dnssec=zone.dnssec,
                primary_address=conf.primary_address(), secondaries=secondaries,
                nsec3=zone.nsec3, algorithm=zone.signing_algorithm)
            # PowerDNS writes its default SOA (ns1.<zone>); name Bureau's primary instead,
            # then bump the serial so that the secondaries take it too.
            client.patch_rrsets(str(zone.name), [soa_change(zone)])
            serial = after_key_change(client, str(zone.name)) if secondaries else hosted.serial
        except PowerDNSConflict:
            push_zone(zone)
            return
    except PowerDNSUnavailable:
        logger.warning("PowerDNS did not confirm the creation of %s; reconciliation will",
                       zone.name, exc_info=True)
        zone.publish_state = PublishState.UNKNOWN
        zone.save(update_fields=["publish_state", "updated_at"])
        return
    zone.serial = serial
    zone.publish_state = PublishState.PUBLISHED
    zone.save(update_fields=["serial", "publish_state", "updated_at"])
    if zone.dnssec:
        refresh_keys(zone)


def push_zone(zone: Zone) -> int:
    """PowerDNS's copy of the zone made equal to the database's; returns the RRsets changed."""
    client = conf.client()
    name = str(zone.name)
    # What is in the outbox now is covered by this full comparison (made after this read).
    sent = list(Publication.objects.filter(zone_id=zone.pk, published_at__isnull=True)
                .values_list("pk", flat=True))
    try:
        client.get_zone(name, rrsets=False)
    except PowerDNSNotFound:
        publish_new_zone(zone)
        return len(zone.records.all())
    changes = sync_zone(client, name, served_records(zone), nameservers=zone.nameservers,
                        notify=bool(conf.secondaries()))
    if zone.dnssec:
        client.enable_dnssec(name, algorithm=zone.signing_algorithm)
    zone.serial = client.serial(name)
    Publication.objects.filter(pk__in=sent).update(published_at=clock.now(), serial=zone.serial)
    zone.publish_state = PublishState.PENDING if Publication.objects.filter(
        zone_id=zone.pk, published_at__isnull=True).exists() else PublishState.PUBLISHED
    zone.save(update_fields=["serial", "publish_state", "updated_at"])
    if zone.dnssec:
        refresh_keys(zone)
    if changes:
        record_change(zone, DNS_ACTOR, ChangeKind.RECONCILE,
                      summary=f"PowerDNS differed from Bureau: {len(changes)} RRsets re-sent")
    return len(changes)
