"""High availability: a second PowerDNS on loopback serves the new serial after a change; it
learns the zones from the catalog (RFC 9432), transfers signed with Bureau's TSIG key; a
secondary added later receives every zone."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.query
import dns.tsigkeyring
import dns.xfr
import dns.zone
import pytest

from bureau.dns.dnssec import fetch_dnskeys, validated_answer
from bureau.dns.health import check_serials, probe_nameserver
from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance, PowerDNSNotFound
from bureau.dns.publish import (
    CATALOG,
    TRANSFER_KEY,
    HostedZone,
    SecondaryTarget,
    after_key_change,
    create_hosted_zone,
    publish,
    sync_secondary,
    transfer_key,
)
from bureau.dns.records import Record
from bureau.dns.secondaries import Server, secondary_status, wait_until_current
from bureau.dns.validation import validate_zone

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")


@pytest.fixture
def replicated(
    client: PowerDNSClient,
    secondary_client: PowerDNSClient,
    pdns: PowerDNSInstance,
    secondary_target: SecondaryTarget,
    zone_name: Callable[[], str],
) -> Iterator[HostedZone]:
    zone = zone_name()
    hosted = create_hosted_zone(
        client,
        zone,
        nameservers=NAMESERVERS,
        records=validate_zone(zone, [Record("www", "A", "192.0.2.1", 60)]),
        primary_address=f"127.0.0.1:{pdns.dns_port}",
        secondaries=[secondary_target],
    )
    yield hosted
    secondary_client.delete_zone(zone)
    client.delete_zone(zone)


def test_secondary_serves_the_new_serial_after_a_change(
    client: PowerDNSClient,
    pdns: PowerDNSInstance,
    pdns_secondary: PowerDNSInstance,
    replicated: HostedZone,
) -> None:
    zone = replicated.name
    servers = [
        Server("127.0.0.1", pdns.dns_port, "primary"),
        Server("127.0.0.1", pdns_secondary.dns_port, "secondary"),
    ]
    assert all(s.current for s in wait_until_current(zone, replicated.serial, servers, timeout=10))

    started = time.monotonic()
    serial = publish(client, zone, validate_zone(zone, [Record("www", "A", "192.0.2.2", 60)]))
    assert serial > replicated.serial
    status = wait_until_current(zone, serial, servers, timeout=10)
    assert all(s.current for s in status), status
    assert time.monotonic() - started < 5  # NOTIFY through the API, not the refresh timer

    # The secondary serves the signed data: it validates from the same DS.
    rrset = validated_answer(
        "127.0.0.1", zone, f"www.{zone}", "A", replicated.ds, port=pdns_secondary.dns_port
    )
    assert [r.to_text() for r in rrset] == ["192.0.2.2"]


def test_a_secondary_that_lags_is_reported(
    client: PowerDNSClient, pdns_secondary: PowerDNSInstance, replicated: HostedZone
) -> None:
    zone = replicated.name
    servers = [Server("127.0.0.1", pdns_secondary.dns_port)]
    assert wait_until_current(zone, replicated.serial, servers, timeout=10)[0].current
    future = replicated.serial + 1000
    (status,) = secondary_status(zone, future, servers)
    assert not status.current and status.serial is not None
    answer = probe_nameserver(
        zone, "ns2.bureau-dns.test.", "127.0.0.1", port=pdns_secondary.dns_port
    )
    (problem,) = check_serials(zone, [answer], future)
    assert problem.code == "serial-behind"
    assert "did not transfer the last change" in problem.message


def test_a_new_key_reaches_the_secondary(
    client: PowerDNSClient,
    pdns_secondary: PowerDNSInstance,
    replicated: HostedZone,
) -> None:
    zone = replicated.name
    servers = [Server("127.0.0.1", pdns_secondary.dns_port)]
    assert wait_until_current(zone, replicated.serial, servers, timeout=10)[0].current
    client.add_cryptokey(zone, active=False)
    serial = after_key_change(client, zone)
    assert wait_until_current(zone, serial, servers, timeout=10)[0].current
    dnskeys, _ = fetch_dnskeys("127.0.0.1", zone, port=pdns_secondary.dns_port)
    assert len(dnskeys) == 2


def test_transfers_need_the_transfer_key(
    client: PowerDNSClient, pdns: PowerDNSInstance, replicated: HostedZone
) -> None:
    """The primary gives a zone, and the catalog, only to transfers signed with Bureau's key."""
    zone = replicated.name
    for name in (zone, CATALOG):
        with pytest.raises(dns.xfr.TransferError):
            dns.zone.from_xfr(dns.query.xfr("127.0.0.1", name, port=pdns.dns_port, timeout=5))
    algorithm, secret = transfer_key(client)
    keyring = dns.tsigkeyring.from_text({TRANSFER_KEY: (algorithm, secret)})
    copy = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=pdns.dns_port, timeout=5,
                                           keyring=keyring, keyname=TRANSFER_KEY,
                                           keyalgorithm=algorithm))
    assert copy.get_rdataset("www", "A") is not None
    catalog = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", CATALOG, port=pdns.dns_port,
                                              timeout=5, keyring=keyring, keyname=TRANSFER_KEY,
                                              keyalgorithm=algorithm))
    members = {r.target.to_text() for _, _, r in catalog.iterate_rdatas("PTR")}
    assert zone in members  # RFC 9432: the catalog lists the zone


def test_a_secondary_added_later_receives_every_zone(
    client: PowerDNSClient,
    pdns: PowerDNSInstance,
    replicated: HostedZone,
    zone_name: Callable[[], str],
    tmp_path: Path,
) -> None:
    # A zone created while no secondary was known: outside the catalog until the sync.
    alone = zone_name()
    hosted = create_hosted_zone(client, alone, nameservers=NAMESERVERS, records=validate_zone(
        alone, [Record("www", "A", "192.0.2.9", 60)]))
    primary_address = f"127.0.0.1:{pdns.dns_port}"
    try:
        with PowerDNSInstance(tmp_path / "late", primary=False, secondary=True) as late, \
                PowerDNSClient(late.api_url, late.api_key) as late_client:
            target = SecondaryTarget(late_client, f"127.0.0.1:{late.dns_port}")
            report = sync_secondary(client, target, primary_address)
            assert not report.error and not report.missing, report
            server = [Server("127.0.0.1", late.dns_port, "late")]
            for zone, serial in ((replicated.name, client.serial(replicated.name)),
                                 (alone, client.serial(alone))):
                assert wait_until_current(zone, serial, server, timeout=10)[0].current
            rrset = validated_answer("127.0.0.1", alone, f"www.{alone}", "A", hosted.ds,
                                     port=late.dns_port)
            assert [r.to_text() for r in rrset] == ["192.0.2.9"]
            # From now on it is NOTIFY'd like the others: a change reaches it at once.
            started = time.monotonic()
            serial = publish(client, alone, validate_zone(alone, [Record("www", "A",
                                                                         "192.0.2.10", 60)]))
            assert wait_until_current(alone, serial, server, timeout=5)[0].current
            assert time.monotonic() - started < 2
            # A zone deleted on the primary leaves the catalog, and the secondary drops it.
            client.delete_zone(alone)
            deadline = time.monotonic() + 10
            while late_client.zone_exists(alone) and time.monotonic() < deadline:
                late_client.axfr_retrieve(CATALOG)
                time.sleep(0.2)
            assert not late_client.zone_exists(alone)
            assert sync_secondary(client, target, primary_address).repaired == []
    finally:
        with contextlib.suppress(PowerDNSNotFound):
            client.delete_zone(alone)
