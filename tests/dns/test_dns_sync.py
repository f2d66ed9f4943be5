"""Reconciling PowerDNS with the source of truth: only the differences are sent."""

from __future__ import annotations

from collections.abc import Callable

from bureau.dns.powerdns import PowerDNSClient, RRSetChange
from bureau.dns.publish import publish
from bureau.dns.records import Record
from bureau.dns.sync import sync_zone
from bureau.dns.validation import validate_zone

NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")


def test_sync_repairs_drift_and_then_has_nothing_to_do(
    client: PowerDNSClient, new_zone: Callable[..., str]
) -> None:
    zone = new_zone(dnssec=True)
    truth = validate_zone(
        zone,
        [
            Record("www", "A", "192.0.2.1", 300),
            Record("@", "TXT", "v=spf1 -all"),
            Record("@", "MX", "10 mail.example.net."),
            Record("@", "HTTPS", '1 . alpn="h2,h3"'),
            Record("_443._tcp.www", "TLSA", "3 1 1 " + "AB" * 32),
        ],
    )
    publish(client, zone, truth)
    assert sync_zone(client, zone, truth, nameservers=NAMESERVERS) == []

    # Drift: a stray record, a changed value, a lost record, a different TTL.
    client.patch_rrsets(
        zone,
        [
            RRSetChange(f"stray.{zone}", "A", 300, ("192.0.2.99",)),
            RRSetChange(f"www.{zone}", "A", 300, ("192.0.2.2",)),
            RRSetChange.delete(zone, "MX"),
            RRSetChange(zone, "TXT", 60, ('"v=spf1 -all"',)),
        ],
    )
    serial = client.serial(zone)
    changes = sync_zone(client, zone, truth, nameservers=NAMESERVERS)
    assert {(c.name, c.rtype, bool(c.contents)) for c in changes} == {
        (f"stray.{zone}", "A", False),
        (f"www.{zone}", "A", True),
        (zone, "MX", True),
        (zone, "TXT", True),
    }
    assert client.serial(zone) == serial + 1  # one PATCH
    assert sync_zone(client, zone, truth, nameservers=NAMESERVERS) == []
    # The zone's name servers are reconciled too.
    changes = sync_zone(client, zone, truth, nameservers=["ns3.bureau-dns.test."])
    assert [(c.rtype, c.contents) for c in changes] == [("NS", ("ns3.bureau-dns.test.",))]
