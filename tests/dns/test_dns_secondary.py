"""High availability: a second PowerDNS on loopback serves the new serial after a change."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from bureau.dns.dnssec import fetch_dnskeys, validated_answer
from bureau.dns.health import check_serials, probe_nameserver
from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance
from bureau.dns.publish import (
    HostedZone,
    SecondaryTarget,
    after_key_change,
    create_hosted_zone,
    publish,
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
