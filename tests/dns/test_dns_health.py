"""Health checks: delegation NS vs hosted NS, DS vs DNSKEY, lame name servers."""

from __future__ import annotations

from collections.abc import Callable

from bureau.dns.dnssec import fetch_dnskeys
from bureau.dns.health import (
    NameserverAnswer,
    check_delegation,
    check_ds,
    check_lame,
    domain_health,
    probe_nameserver,
)
from bureau.dns.powerdns import PowerDNSClient, PowerDNSInstance
from bureau.dns.powerdns.instance import free_port

ZONE = "example.org."


def test_delegation_matching_the_hosting_is_healthy() -> None:
    assert (
        check_delegation(
            ZONE, ["NS1.bureau.coop", "ns2.bureau.coop."], ["ns1.bureau.coop.", "ns2.bureau.coop."]
        )
        == []
    )


def test_delegation_differences_say_what_to_change_at_the_registry() -> None:
    (problem,) = check_delegation(
        ZONE, ["ns1.bureau.coop.", "ns.old-host.net."], ["ns1.bureau.coop.", "ns2.bureau.coop."]
    )
    assert problem.code == "delegation-mismatch"
    assert "add ns2.bureau.coop." in problem.message
    assert "remove ns.old-host.net." in problem.message
    (missing,) = check_delegation(ZONE, [], ["ns1.bureau.coop."])
    assert missing.code == "delegation-missing"


def test_ds_checks_against_served_keys(
    client: PowerDNSClient, pdns: PowerDNSInstance, new_zone: Callable[..., str]
) -> None:
    zone = new_zone(dnssec=True)
    ds = client.ds_records(zone)
    dnskeys, _ = fetch_dnskeys("127.0.0.1", zone, port=pdns.dns_port)
    assert check_ds(zone, ds, dnskeys) == []
    tag, alg, dtype, digest = ds[0].split()
    stale = f"{int(tag) ^ 1} {alg} {dtype} {digest}"
    codes = [p.code for p in check_ds(zone, [stale], dnskeys)]
    assert codes == ["ds-mismatch", "ds-stale"]
    assert [p.code for p in check_ds(zone, [ds[0], stale], dnskeys)] == ["ds-stale"]
    assert [p.code for p in check_ds(zone, [], dnskeys)] == ["ds-missing"]
    assert [p.code for p in check_ds(zone, ds, [])] == ["ds-without-dnskey"]


def test_lame_name_servers_are_found(pdns: PowerDNSInstance, new_zone: Callable[..., str]) -> None:
    zone = new_zone()
    good = probe_nameserver(zone, "ns1.bureau-dns.test.", "127.0.0.1", port=pdns.dns_port)
    assert good.authoritative and good.serial is not None
    assert check_lame(zone, [good]) == []
    # The same server asked for a zone it does not host: REFUSED, so lame for that zone.
    refused = probe_nameserver(
        "not-hosted.example.", "ns1.bureau-dns.test.", "127.0.0.1", port=pdns.dns_port
    )
    silent = probe_nameserver(zone, "ns9.gone.test.", "127.0.0.1", port=free_port(), timeout=0.3)
    problems = check_lame(zone, [good, refused, silent])
    assert [p.code for p in problems] == ["lame", "lame"]
    assert "does not serve it (rcode REFUSED" in problems[0].message
    assert "does not answer" in problems[1].message
    assert NameserverAnswer("a", "b", error="x").error == "x"


def test_domain_health_gathers_every_check(
    client: PowerDNSClient, pdns: PowerDNSInstance, new_zone: Callable[..., str]
) -> None:
    zone = new_zone(dnssec=True)
    hosted = ["ns1.bureau-dns.test.", "ns2.bureau-dns.test."]
    addresses = {"ns1.bureau-dns.test.": ["127.0.0.1"], "ns2.bureau-dns.test.": ["127.0.0.1"]}
    ds = client.ds_records(zone)
    healthy = domain_health(
        zone,
        delegated_ns=hosted,
        hosted_ns=hosted,
        ds_at_registry=ds,
        addresses=addresses,
        port=pdns.dns_port,
    )
    assert healthy == []
    sick = domain_health(
        zone,
        delegated_ns=["ns1.bureau-dns.test.", "ns.elsewhere.test."],
        hosted_ns=hosted,
        ds_at_registry=[],
        addresses=addresses,
        port=pdns.dns_port,
    )
    assert [p.code for p in sick] == ["delegation-mismatch", "ds-missing"]
