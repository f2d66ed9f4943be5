"""What PowerDNS serves for a hosted zone: the member's records, or, while the name is
parked after expiry, the parking records (`parking.py`)."""

from __future__ import annotations

import ipaddress

from django.conf import settings

from bureau.dns.models import PublishState, Zone
from bureau.dns.records import Record as RawRecord
from bureau.dns.records import ValidRecord
from bureau.dns.validation import validate_zone
from bureau.registrar.domains.models import Domain

PARKING_TTL = 300


def parking_addresses() -> list[str]:
    return [a.strip() for a in getattr(settings, "BUREAU_DNS_PARKING_ADDRESSES", []) if a.strip()]


def parking_records(zone: str) -> list[ValidRecord]:
    """The apex and every name under it (a wildcard) answer the parking page's addresses."""
    raw = []
    for address in parking_addresses():
        rtype = "AAAA" if ipaddress.ip_address(address).version == 6 else "A"
        raw += [RawRecord("@", rtype, address, PARKING_TTL),
                RawRecord("*", rtype, address, PARKING_TTL)]
    return validate_zone(zone, raw)


def zone_of(domain: Domain) -> Zone | None:
    return Zone.objects.filter(name=domain.name.rstrip(".") + ".").exclude(
        publish_state=PublishState.WITHDRAWN).first()


def served_records(zone: Zone) -> list[ValidRecord]:
    """What PowerDNS should serve for the zone: the parking records while it is parked."""
    return parking_records(str(zone.name)) if zone.parked else zone.valid_records()


