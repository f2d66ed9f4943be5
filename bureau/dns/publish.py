"""Publishing use cases over the PowerDNS client: what the Django side calls.

A hosted zone is a primary zone, signed by default, whose changes are sent as one PATCH and
then NOTIFY'd to the secondaries (sooner than PowerDNS's own NOTIFY, per the field notes).

Secondaries learn the zones from a catalog zone (RFC 9432): the primary's producer zone
`CATALOG` lists every hosted zone, each secondary has a consumer zone of the same name, so a
secondary added later receives every existing zone and a zone created or deleted on the
primary appears or disappears everywhere. Every transfer (the catalog's and each zone's) is
signed with one TSIG key, `TRANSFER_KEY`, that Bureau creates on the primary and copies to
each secondary; the primary serves AXFR to nobody else.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bureau.dns.powerdns.client import PowerDNSClient, RRSetChange, ZoneKind
from bureau.dns.powerdns.errors import PowerDNSError
from bureau.dns.powerdns.update import UpdateKey, UpdateRefused, send_update
from bureau.dns.records import ValidRecord, to_changes

logger = logging.getLogger("bureau.dns.publish")

CATALOG = "catalog.bureau.invalid."
TRANSFER_KEY = "bureau-transfer."
TRANSFER_ALGORITHM = "hmac-sha256"
# Bureau's key for RFC 2136 updates to the primary (`send_changes`).
UPDATE_KEY = "bureau-publish."
# Above this many RRsets a change goes as a PATCH (imports, templates: one message stays small).
UPDATE_LIMIT = 100


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
    algorithm: str = "ECDSAP256SHA256",
) -> HostedZone:
    """Create `zone` on the primary with its records, sign it, and hand it to its secondaries
    (through the catalog, transfers signed with the transfer key).
    `api_rectify=False` leaves rectifying to the callers that add or remove names
    (`patch_rrsets(rectify=True)`).

    `primary_address` ("127.0.0.1:5300") is where secondaries transfer from; it is needed
    when `secondaries` are given."""
    if secondaries and primary_address is None:
        raise ValueError("primary_address is needed to attach secondaries")
    if secondaries:
        ensure_catalog(client)
    client.create_zone(
        zone, kind=ZoneKind.PRIMARY, nameservers=nameservers, rrsets=to_changes(records),
        catalog=CATALOG if secondaries else "",
        transfer_key=TRANSFER_KEY if secondaries else "",
    )
    if dnssec:
        client.enable_dnssec(zone, algorithm=algorithm)
    if dnssec and nsec3:
        client.set_nsec3(zone)
        client.rectify(zone)
    if not api_rectify:
        client.rectify(zone)
        client.set_api_rectify(zone, False)
    if secondaries:
        assert primary_address is not None
        client.set_metadata(zone, "ALSO-NOTIFY", sorted(s.dns_address for s in secondaries))
        for secondary in secondaries:
            attach_secondary(client, secondary, primary_address)
            adopt_member(secondary, zone)
    return HostedZone(
        name=zone,
        serial=client.serial(zone),
        ds=tuple(client.ds_records(zone)) if dnssec else (),
    )


def transfer_key(primary: PowerDNSClient) -> tuple[str, str]:
    """(algorithm, secret) of the transfer key, created on the primary the first time."""
    key = primary.tsig_key(TRANSFER_KEY)
    if key is None:
        secret = base64.b64encode(secrets.token_bytes(32)).decode()
        primary.create_tsig_key(TRANSFER_KEY, TRANSFER_ALGORITHM, secret)
        key = (TRANSFER_ALGORITHM, secret)
    return key


def update_key(primary: PowerDNSClient) -> UpdateKey:
    """Bureau's key for RFC 2136 updates, created on the primary the first time."""
    key = primary.tsig_key(UPDATE_KEY)
    if key is None:
        secret = base64.b64encode(secrets.token_bytes(32)).decode()
        primary.create_tsig_key(UPDATE_KEY, TRANSFER_ALGORITHM, secret)
        key = (TRANSFER_ALGORITHM, secret)
    return UpdateKey(UPDATE_KEY, *key)


def allow_updates(client: PowerDNSClient, zone: str, sources: Sequence[str]) -> None:
    """Let `zone` take RFC 2136 updates signed with Bureau's key from `sources` (address
    ranges) only: the key first, so the zone never accepts an unsigned update."""
    client.set_metadata(zone, "TSIG-ALLOW-DNSUPDATE", [UPDATE_KEY])
    client.set_metadata(zone, "ALLOW-DNSUPDATE-FROM", list(sources))


@dataclass(frozen=True)
class UpdateTarget:
    """Where and how Bureau sends RFC 2136 updates: the primary's DNS address, the key,
    and the address ranges Bureau's processes send from (each zone's ALLOW-DNSUPDATE-FROM)."""

    address: str
    key: UpdateKey
    sources: tuple[str, ...]
    timeout: float = 5.0


def reads_back_alike(change: RRSetChange) -> bool:
    """PowerDNS 4.7 stores a CAA record with an empty value received in an update without
    its quotes (`0 issue `), where a PATCH keeps them (`0 issue ""`): such a change goes as
    a PATCH, so that PowerDNS holds what Bureau recorded whichever way it went."""
    return change.rtype != "CAA" or not any(content.endswith('""') for content in
                                            change.contents)


def send_changes(client: PowerDNSClient, zone: str, changes: Sequence[RRSetChange], *,
                 target: UpdateTarget | None = None) -> str:
    """Apply `changes` in one transaction. With a `target` and at most `UPDATE_LIMIT`
    RRsets, as an RFC 2136 update (PowerDNS fixes the DNSSEC order of the changed names
    only); a zone that does not allow it yet is allowed, then asked again; still refused,
    or without a target, as a PATCH (PowerDNS rectifies the whole zone). Returns "update"
    or "patch", the way it went."""
    if target is not None and 0 < len(changes) <= UPDATE_LIMIT and all(
            reads_back_alike(change) for change in changes):
        for attempt in range(2):
            try:
                with client.locks.hold(zone):
                    send_update(target.address, zone, changes, target.key,
                                timeout=target.timeout)
                return "update"
            except UpdateRefused as exc:
                if attempt == 0:
                    allow_updates(client, zone, target.sources)
                else:
                    logger.warning("PowerDNS refused Bureau's update of %s (%s): sent as a "
                                   "PATCH; does BUREAU_PDNS_UPDATE_FROM name the address this "
                                   "host sends from?", zone, exc)
    client.patch_rrsets(zone, changes)
    return "patch"


def ensure_catalog(primary: PowerDNSClient) -> None:
    """The producer zone and the transfer key exist on the primary (idempotent)."""
    transfer_key(primary)
    if not primary.zone_exists(CATALOG):
        # RFC 9432: a catalog is not meant to be resolved; its NS is "invalid.".
        primary.create_zone(CATALOG, kind=ZoneKind.PRODUCER, nameservers=["invalid."],
                            transfer_key=TRANSFER_KEY)


def attach_secondary(
    primary: PowerDNSClient, secondary: SecondaryTarget, primary_address: str
) -> None:
    """Make `secondary` a consumer of the primary's catalog (idempotent): the transfer key
    copied there, a consumer zone transferring the catalog with it, NOTIFY of the catalog
    sent to it. It then creates every zone the catalog lists; `sync_secondary` gives those
    zones the key (PowerDNS 4.7's consumer does not) and transfers them."""
    ensure_catalog(primary)
    algorithm, secret = transfer_key(primary)
    if secondary.client.tsig_key(TRANSFER_KEY) != (algorithm, secret):
        secondary.client.delete_tsig_key(TRANSFER_KEY)
        secondary.client.create_tsig_key(TRANSFER_KEY, algorithm, secret)
    notify = {*primary.get_metadata(CATALOG, "ALSO-NOTIFY"), secondary.dns_address}
    primary.set_metadata(CATALOG, "ALSO-NOTIFY", sorted(notify))
    if not secondary.client.zone_exists(CATALOG):
        secondary.client.create_zone(CATALOG, kind=ZoneKind.CONSUMER, masters=[primary_address],
                                     transfer_key=TRANSFER_KEY)
        secondary.client.axfr_retrieve(CATALOG)


def adopt_member(secondary: SecondaryTarget, zone: str, *, timeout: float = 10.0) -> bool:
    """Once the secondary's consumer created `zone` from the catalog, give it the transfer key
    and transfer it now. False when the zone did not appear within `timeout` (the secondary
    is late or unreachable: `sync_secondary` tries again)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if secondary.client.zone_exists(zone):
                break
            secondary.client.axfr_retrieve(CATALOG)  # the catalog's NOTIFY may be queued
        except PowerDNSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    if TRANSFER_KEY not in secondary.client.transfer_keys(zone):
        secondary.client.set_zone_options(zone, slave_tsig_key_ids=[TRANSFER_KEY])
    secondary.client.axfr_retrieve(zone)
    return True


@dataclass
class SyncReport:
    """What `sync_secondary` did for one secondary, and what it could not do."""

    secondary: str
    repaired: list[str] = field(default_factory=list)  # zones transferred again
    missing: list[str] = field(default_factory=list)  # not created by the catalog (yet)
    error: str = ""  # the secondary's API did not answer: nothing could be checked


def sync_secondary(primary: PowerDNSClient, secondary: SecondaryTarget, primary_address: str,
                   *, wait: float = 10.0) -> SyncReport:
    """Bring one secondary up to the primary: consumer of the catalog, and every hosted zone
    there, with the transfer key, NOTIFY'd to it and transferred again where its serial lags
    (a secondary added later, or one that missed NOTIFYs). Zones the primary hosts outside
    the catalog (created before it) join it. Two zone lists when all is well."""
    report = SyncReport(secondary.dns_address)
    try:
        attach_secondary(primary, secondary, primary_address)
        hosted = {z.name: z for z in primary.list_zones()
                  if z.kind == ZoneKind.PRIMARY.value and z.name != CATALOG}
        for zone in hosted.values():
            if zone.catalog != CATALOG:
                primary.set_zone_options(zone.name, catalog=CATALOG,
                                         master_tsig_key_ids=[TRANSFER_KEY])
        served = {z.name: z for z in secondary.client.list_zones()}
        lagging = [z for name, z in sorted(hosted.items())
                   if name not in served or served[name].serial < z.serial]
        for zone in lagging:
            notify = set(primary.get_metadata(zone.name, "ALSO-NOTIFY"))
            if secondary.dns_address not in notify:
                primary.set_metadata(zone.name, "ALSO-NOTIFY",
                                     sorted({*notify, secondary.dns_address}))
            if adopt_member(secondary, zone.name, timeout=wait):
                report.repaired.append(zone.name)
            else:
                report.missing.append(zone.name)
    except PowerDNSError as exc:
        report.error = str(exc)
    return report


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


def after_key_change(client: PowerDNSClient, zone: str) -> int:
    """Send a DNSKEY change (rollover step) to the secondaries: key changes do not move the
    serial in PowerDNS 4.7, so bump it, then NOTIFY. Returns the serial to wait for."""
    serial = client.bump_serial(zone)
    client.notify(zone)
    return serial
