"""Make PowerDNS match the source of truth after an unknown outcome, and periodically:
read the zone back, send only the differences (one PATCH), create it if it is missing, sign
it if it should be; then settle the DS at the registry with a domain info."""

from __future__ import annotations

from bureau.core import clock
from bureau.dns import conf
from bureau.dns.models import ChangeKind, DsState, Publication, PublishState, Zone
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.sync import sync_zone

from .common import DNS_ACTOR, record_change
from .served import served_records


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
        from .zones import publish_new_zone

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
        from .dnssec import refresh_keys

        refresh_keys(zone)
    if changes:
        record_change(zone, DNS_ACTOR, ChangeKind.RECONCILE,
                      summary=f"PowerDNS differed from Bureau: {len(changes)} RRsets re-sent")
    return len(changes)


def reconcile_zone(zone: Zone) -> None:
    push_zone(zone)
    if zone.dnssec and zone.ds_state in (DsState.PENDING, DsState.UNKNOWN, DsState.SENT):
        from .dnssec import after_signing, reconcile_ds

        if zone.ds_state == DsState.PENDING:
            after_signing(zone)
        else:
            reconcile_ds(zone)
