"""Health checks through Bureau (stored per zone): a healthy registered name, a wrong
delegation at the registry, a missing DS; secondaries at the current serial after an edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bureau.dns import conf
from bureau.dns.models import HealthCheck, Zone
from bureau.dns.operations.health import check_zone
from bureau.dns.operations.records import edit_records
from bureau.dns.records import Record
from bureau.dns.secondaries import wait_until_current
from bureau.registrar.operations.update import update

pytestmark = pytest.mark.django_db


def codes(check: HealthCheck) -> set[str]:
    return {p["code"] for p in check.problems}


def test_a_registered_hosted_name_is_healthy(register_name: Callable[..., Any]) -> None:
    domain = register_name()
    check = check_zone(Zone.objects.get(domain=domain))
    assert check.ok, check.problems
    assert check.pk is not None


def test_health_flags_a_wrong_delegation(register_name: Callable[..., Any],
                                         member: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    update(domain=domain, actor=member, nameservers=["ns1.bureau-dns.net", "ns.elsewhere.net"])
    check = check_zone(zone)
    assert not check.ok
    assert "delegation-mismatch" in codes(check)
    message = next(p["message"] for p in check.problems if p["code"] == "delegation-mismatch")
    assert "ns2.bureau-dns.net" in message and "ns.elsewhere.net" in message
    assert zone.health_checks.first() == check  # the latest, shown on the domain page


def test_health_flags_a_missing_ds(register_name: Callable[..., Any], member: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    update(domain=domain, actor=member, ds_records=[])
    assert "ds-missing" in codes(check_zone(zone))


def test_health_flags_a_lame_nameserver(register_name: Callable[..., Any],
                                        dns_settings: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    dns_settings.BUREAU_DNS_NAMESERVER_ADDRESSES = [
        "ns1.bureau-dns.net=127.0.0.1", "ns2.bureau-dns.net=127.0.0.2"]  # nothing there
    check = check_zone(zone, timeout=0.5)
    assert "lame" in codes(check)


def test_secondary_serves_the_current_serial_after_an_edit(
        dns_settings: Any, pdns: Any, pdns_secondary: Any, hosted_zone: Callable[..., Any],
        member: Any, secondary_client: Any) -> None:
    dns_settings.BUREAU_DNS_SECONDARIES = json.dumps([{
        "api_url": pdns_secondary.api_url, "api_key": pdns_secondary.api_key,
        "dns_address": f"127.0.0.1:{pdns_secondary.dns_port}"}])
    zone = hosted_zone()
    try:
        servers = [s.server() for s in conf.secondaries()]
        assert all(s.current for s in wait_until_current(str(zone.name), zone.serial, servers))
        outcome = edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.4")])
        status = wait_until_current(str(zone.name), outcome.serial, servers, timeout=5)
        assert all(s.current for s in status), status
        check = check_zone(zone)
        assert check.secondaries == {f"127.0.0.1:{pdns_secondary.dns_port}": outcome.serial}
        assert "serial-behind" not in codes(check)
    finally:
        secondary_client.delete_zone(str(zone.name))


def test_health_repairs_a_lagging_secondary_and_says_what_it_cannot(
        dns_settings: Any, pdns: Any, pdns_secondary: Any, hosted_zone: Callable[..., Any],
        member: Any, secondary_client: Any) -> None:
    here = f"127.0.0.1:{pdns_secondary.dns_port}"
    dead = "127.0.0.1:9"  # nothing answers there, neither DNS nor API
    dns_settings.BUREAU_DNS_SECONDARIES = json.dumps([{
        "api_url": pdns_secondary.api_url, "api_key": pdns_secondary.api_key,
        "dns_address": here}])
    zone = hosted_zone()
    name = str(zone.name)
    try:
        servers = [s.server() for s in conf.secondaries()]
        assert all(s.current for s in wait_until_current(name, zone.serial, servers))
        # The secondary loses the transfer key: it cannot follow the next change.
        secondary_client.set_zone_options(name, slave_tsig_key_ids=[])
        outcome = edit_records(zone=zone, actor=member, add=[Record("www", "A", "192.0.2.5")])
        assert not wait_until_current(name, outcome.serial, servers, timeout=2)[0].current
        check = check_zone(zone)
        assert "serial-behind" not in codes(check), check.problems  # repaired
        assert check.secondaries == {here: outcome.serial}

        dns_settings.BUREAU_DNS_SECONDARIES = json.dumps([
            {"api_url": pdns_secondary.api_url, "api_key": pdns_secondary.api_key,
             "dns_address": here},
            {"api_url": "http://127.0.0.1:9", "api_key": "x", "dns_address": dead}])
        check = check_zone(zone, timeout=0.5)
        (problem,) = [p for p in check.problems if p["code"] == "serial-behind"]
        assert dead in problem["message"] and "does not answer" in problem["message"]
        assert check.secondaries[here] == outcome.serial and check.secondaries[dead] is None
    finally:
        secondary_client.delete_zone(name)
