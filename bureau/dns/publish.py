"""Publishing use cases over the PowerDNS client: what the Django side calls.

A hosted zone is a primary zone, signed by default, whose changes are sent as one PATCH and
then NOTIFY'd to the secondaries (sooner than PowerDNS's own NOTIFY, per the field notes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bureau.dns.powerdns.client import PowerDNSClient, ZoneKind
from bureau.dns.records import ValidRecord, to_changes


@dataclass(frozen=True)
class SecondaryTarget:
    """A secondary PowerDNS: its API (to create the zone there) and its DNS address."""

    client: PowerDNSClient
    dns_address: str  # "127.0.0.1:5301": where the primary sends NOTIFY


@dataclass(frozen=True)
class HostedZone:
    name: str
    serial: int
    ds: tuple[str, ...]  # what to send to the registry (secDNS), empty when unsigned


def create_hosted_zone(
    client: PowerDNSClient,
    zone: str,
    *,
    nameservers: Sequence[str],
    records: Iterable[ValidRecord] = (),
    dnssec: bool = True,
    primary_address: str | None = None,
    secondaries: Sequence[SecondaryTarget] = (),
    api_rectify: bool = True,
    nsec3: bool = False,
) -> HostedZone:
    """Create `zone` on the primary with its records, sign it, and set up its secondaries.
    `api_rectify=False` leaves rectifying to the callers that add or remove names
    (`patch_rrsets(rectify=True)`).

    `primary_address` ("127.0.0.1:5300") is where secondaries transfer from; it is needed
    when `secondaries` are given."""
    client.create_zone(
        zone, kind=ZoneKind.PRIMARY, nameservers=nameservers, rrsets=to_changes(records)
    )
    if dnssec:
        client.enable_dnssec(zone)
    if dnssec and nsec3:
        client.set_nsec3(zone)
        client.rectify(zone)
    if not api_rectify:
        client.rectify(zone)
        client.set_api_rectify(zone, False)
    for secondary in secondaries:
        if primary_address is None:
            raise ValueError("primary_address is needed to attach secondaries")
        attach_secondary(client, secondary, zone, primary_address)
    return HostedZone(
        name=zone,
        serial=client.serial(zone),
        ds=tuple(client.ds_records(zone)) if dnssec else (),
    )


def attach_secondary(
    primary: PowerDNSClient, secondary: SecondaryTarget, zone: str, primary_address: str
) -> None:
    """Let `secondary` transfer `zone` from the primary and be NOTIFY'd of its changes."""
    host = secondary.dns_address.rsplit(":", 1)[0]
    notify = sorted({*primary.get_metadata(zone, "ALSO-NOTIFY"), secondary.dns_address})
    allow = sorted({*primary.get_metadata(zone, "ALLOW-AXFR-FROM"), _netmask(host)})
    primary.set_metadata(zone, "ALSO-NOTIFY", notify)
    primary.set_metadata(zone, "ALLOW-AXFR-FROM", allow)
    if secondary.client.zone_exists(zone):
        secondary.client.set_masters(zone, [primary_address])
    else:
        secondary.client.create_zone(zone, kind=ZoneKind.SECONDARY, masters=[primary_address])
    secondary.client.axfr_retrieve(zone)


def publish(
    client: PowerDNSClient,
    zone: str,
    records: Iterable[ValidRecord],
    *,
    replace: Iterable[tuple[str, str]] = (),
    notify: bool = True,
) -> int:
    """Replace the RRsets of `records` (and delete the `replace` keys left empty) in ONE PATCH,
    then NOTIFY the secondaries; returns the new serial to wait for."""
    client.patch_rrsets(zone, to_changes(records, replace=replace))
    if notify:
        client.notify(zone)
    return client.serial(zone)


def _netmask(host: str) -> str:
    host = host.strip("[]")
    return f"{host}/128" if ":" in host else f"{host}/32"


def after_key_change(client: PowerDNSClient, zone: str) -> int:
    """Send a DNSKEY change (rollover step) to the secondaries: key changes do not move the
    serial in PowerDNS 4.7, so bump it, then NOTIFY. Returns the serial to wait for."""
    serial = client.bump_serial(zone)
    client.notify(zone)
    return serial
