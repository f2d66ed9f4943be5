"""The client against a real PowerDNS on loopback: zones, one-PATCH changes, errors, queries."""

from __future__ import annotations

from collections.abc import Callable

import dns.flags
import dns.rcode
import pytest

from bureau.dns.powerdns import (
    PowerDNSClient,
    PowerDNSConflict,
    PowerDNSError,
    PowerDNSInstance,
    PowerDNSNotFound,
    PowerDNSRejected,
    PowerDNSUnavailable,
    RRSetChange,
    ZoneKind,
)
from bureau.dns.publish import publish
from bureau.dns.query import answer_rrset, ask
from bureau.dns.records import Record
from bureau.dns.validation import validate_zone

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")


def test_instance_runs_on_loopback_with_its_own_key(pdns: PowerDNSInstance) -> None:
    settings = pdns.settings()
    assert settings["local-address"] == "127.0.0.1"
    assert settings["webserver-address"] == "127.0.0.1"
    assert settings["socket-dir"] == str(pdns.workdir)
    assert pdns.api_url == f"http://127.0.0.1:{pdns.api_port}"
    assert len(pdns.api_key) >= 24
    with (
        PowerDNSClient(pdns.api_url, "wrong-key") as stranger,
        pytest.raises(PowerDNSError, match="API key"),
    ):
        stranger.list_zones()


def test_create_zone_is_served_with_soa_and_ns(
    client: PowerDNSClient, pdns: PowerDNSInstance, zone_name: Callable[[], str]
) -> None:
    name = zone_name()
    info = client.create_zone(name, kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
    try:
        assert info.kind == "Master"
        assert set(info.rrset(name, "NS").contents) == set(NAMESERVERS)  # type: ignore[union-attr]
        response = ask("127.0.0.1", name, "NS", port=pdns.dns_port)
        assert response.flags & dns.flags.AA
        assert {r.to_text() for r in answer_rrset(response, name, "NS")} == set(NAMESERVERS)  # type: ignore[union-attr]
        with pytest.raises(PowerDNSConflict, match="already exists"):
            client.create_zone(name, nameservers=NAMESERVERS)
    finally:
        client.delete_zone(name)
    with pytest.raises(PowerDNSNotFound):
        client.get_zone(name)
    response = ask("127.0.0.1", name, "SOA", port=pdns.dns_port)
    assert response.rcode() == dns.rcode.REFUSED


def test_one_patch_changes_many_rrsets_and_bumps_the_serial_once(
    client: PowerDNSClient, pdns: PowerDNSInstance, new_zone: Callable[..., str]
) -> None:
    zone = new_zone()
    before = client.serial(zone)
    records = validate_zone(
        zone,
        [
            Record("www", "A", "192.0.2.1", 300),
            Record("www", "A", "192.0.2.2", 300),
            Record("@", "MX", "10 mail.example.net."),
            Record("@", "TXT", "v=spf1 -all"),
        ],
    )
    serial = publish(client, zone, records, notify=False)
    assert serial == before + 1
    for transport_tcp in (False, True):
        response = ask("127.0.0.1", f"www.{zone}", "A", port=pdns.dns_port, tcp=transport_tcp)
        got = answer_rrset(response, f"www.{zone}", "A")
        assert got is not None and {r.to_text() for r in got} == {"192.0.2.1", "192.0.2.2"}
        assert got.ttl == 300
    # Deleting through `replace`: the RRset left without records goes.
    publish(client, zone, [], replace=[(f"www.{zone}", "A")], notify=False)
    response = ask("127.0.0.1", f"www.{zone}", "A", port=pdns.dns_port)
    assert response.rcode() == dns.rcode.NXDOMAIN


def test_errors_are_mapped_to_clear_exceptions(
    client: PowerDNSClient, new_zone: Callable[..., str]
) -> None:
    zone = new_zone()
    with pytest.raises(PowerDNSRejected, match=r"x\.example\.com\. IN A: Name is out of zone"):
        client.patch_rrsets(zone, [RRSetChange("x.example.com.", "A", 300, ("192.0.2.1",))])
    with pytest.raises(PowerDNSRejected, match="while parsing IP address"):
        client.patch_rrsets(zone, [RRSetChange(f"x.{zone}", "A", 300, ("nope",))])
    with pytest.raises(PowerDNSNotFound):
        client.patch_rrsets("absent.test.", [RRSetChange("absent.test.", "A", 300, ("192.0.2.1",))])
    with (
        PowerDNSClient("http://127.0.0.1:9", "k", timeout=1) as dead,
        pytest.raises(PowerDNSUnavailable, match="read the zone back"),
    ):
        dead.list_zones()


def test_metadata_export_and_rectify(client: PowerDNSClient, new_zone: Callable[..., str]) -> None:
    zone = new_zone(dnssec=True)
    client.set_metadata(zone, "ALLOW-AXFR-FROM", ["127.0.0.1/32"])
    assert client.get_metadata(zone, "ALLOW-AXFR-FROM") == ["127.0.0.1/32"]
    client.patch_rrsets(zone, [RRSetChange(f"www.{zone}", "AAAA", 60, ("2001:db8::1",))])
    client.rectify(zone)
    text = client.export_zone(zone)
    assert f"www.{zone}\t60\tIN\tAAAA\t2001:db8::1" in text


def test_instance_with_postgresql_backend(
    tmp_path_factory: pytest.TempPathFactory, postgres_db: object
) -> None:
    from bureau.dns.powerdns import PostgresDatabase

    assert isinstance(postgres_db, PostgresDatabase)
    with (
        PowerDNSInstance(
            tmp_path_factory.mktemp("pdns-pg"), backend="gpgsql", postgres=postgres_db
        ) as pg,
        PowerDNSClient(pg.api_url, pg.api_key) as c,
    ):
        c.create_zone("pg.bureau-test.org", kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
        c.enable_dnssec("pg.bureau-test.org")
        assert c.ds_records("pg.bureau-test.org")
        response = ask("127.0.0.1", "pg.bureau-test.org", "SOA", port=pg.dns_port)
        assert response.flags & dns.flags.AA


def test_a_port_in_use_gives_a_start_error_with_the_log(
    pdns: PowerDNSInstance, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from bureau.dns.powerdns import PowerDNSStartError

    clash = PowerDNSInstance(tmp_path_factory.mktemp("pdns-clash"), dns_port=pdns.dns_port)
    with pytest.raises(PowerDNSStartError, match="pdns_server exited") as info:
        clash.start()
    assert "127.0.0.1" in str(info.value)
    assert not clash.running


def test_restart_keeps_zones_and_api_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("pdns-restart")
    with PowerDNSInstance(workdir) as first, PowerDNSClient(first.api_url, first.api_key) as c:
        c.create_zone("kept.bureau-test.org", kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
        key = first.api_key
    with PowerDNSInstance(workdir) as second, PowerDNSClient(second.api_url, second.api_key) as c:
        assert second.api_key == key
        assert c.zone_exists("kept.bureau-test.org")
