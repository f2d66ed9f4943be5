"""A name that works at once: the checkout's DNS choice, through the API, the portal and the
CLI. Bureau's DNS (the default) → name servers at the registry, zone created and signed, DS
sent: the name answers SOA/NS from PowerDNS (dnspython and dig) and validates with delv from
the DS the registry holds (read back over EPP) as soon as the order completes. Own name
servers are checked (two at least, each resolving) before anything is ordered."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from dns_fixtures import delv
from programs import require_program
from rest_framework.test import APIClient

from bureau.dns import conf
from bureau.dns.models import DsState, PublishState, Zone
from bureau.dns.operations.dnssec import ds_at_registry
from bureau.dns.powerdns import PowerDNSClient, ZoneKind
from bureau.dns.powerdns.client import RRSetChange
from bureau.dns.query import answer_rrset, ask
from bureau.registrar.billing.models import Order
from bureau.registrar.domains.models import Domain, DomainState

pytestmark = pytest.mark.django_db

BUREAU_NS = ("ns1.bureau-dns.net", "ns2.bureau-dns.net")  # the dns_settings fixture's
NAMESERVERS = ("ns1.bureau-dns.test.", "ns2.bureau-dns.test.")

_names = iter(range(1, 10**6))


def fresh_name() -> str:
    return f"works-{next(_names)}-{os.getpid()}.test"


def assert_works_at_once(domain: Domain, pdns: Any, tmp_path: Path) -> None:
    """SOA and NS served by PowerDNS, and delv validates from the registry's DS."""
    name = domain.name + "."
    assert sorted(domain.nameservers) == sorted(BUREAU_NS)
    zone = Zone.objects.get(domain=domain)
    assert zone.publish_state == PublishState.PUBLISHED and zone.ds_state == DsState.SENT
    soa = answer_rrset(ask("127.0.0.1", name, "SOA", port=pdns.dns_port), name, "SOA")
    ns = answer_rrset(ask("127.0.0.1", name, "NS", port=pdns.dns_port), name, "NS")
    assert soa is not None and ns is not None
    assert sorted(r.target.to_text() for r in ns) == sorted(n + "." for n in BUREAU_NS)
    dig = subprocess.run([require_program("dig", "bind9-dnsutils"), "@127.0.0.1", "-p",
                          str(pdns.dns_port), "+norec", "+short", name, "NS"],
                         capture_output=True, text=True, timeout=30)
    assert sorted(dig.stdout.split()) == sorted(n + "." for n in BUREAU_NS)

    at_registry = ds_at_registry(domain)
    assert at_registry, "no DS at the registry"
    validated = delv(pdns, name, [f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest}"
                                  for d in at_registry], name, "SOA", tmp_path)
    assert "; fully validated" in validated.stdout, validated.stdout + validated.stderr


@pytest.fixture
def own_nameservers(world_client: PowerDNSClient, dns_settings: Any) -> list[str]:
    """Two name servers of the member's own DNS host, resolvable in the DNS outside Bureau."""
    zone = f"member-dns-{os.getpid()}.net."
    if not world_client.zone_exists(zone):
        world_client.create_zone(zone, kind=ZoneKind.PRIMARY, nameservers=NAMESERVERS)
        world_client.patch_rrsets(zone, [RRSetChange(f"ns{i}.{zone}", "A", 60, ("192.0.2.53",))
                                         for i in (1, 2)])
    return [f"ns1.{zone}".rstrip("."), f"ns2.{zone}".rstrip(".")]


def test_api_registration_uses_bureaus_dns_by_default_and_works_at_once(
        user: Any, member: Any, organisation: Any, contact: Any, pdns: Any,
        tmp_path: Path) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    name = fresh_name()
    response = api.post("/api/v1/domains/", {"name": name, "registrant": contact.pk},
                        format="json")
    assert response.status_code == 201, response.content
    domain = Domain.objects.get(name=name, state=DomainState.ACTIVE)
    try:
        assert_works_at_once(domain, pdns, tmp_path)
    finally:
        conf.client().delete_zone(name + ".")


def test_api_own_name_servers_are_checked_before_anything_is_ordered(
        user: Any, member: Any, organisation: Any, contact: Any,
        own_nameservers: list[str]) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    name = fresh_name()
    orders = Order.objects.count()
    for bad, why in ((["ns1.nowhere-at-all.example"], "at least two"),
                     (["ns1.nowhere-at-all.example", "ns2.nowhere-at-all.example"],
                      "has no address"),
                     ([f"ns1.{name}", f"ns2.{name}"], "inside")):
        response = api.post("/api/v1/domains/", {"name": name, "registrant": contact.pk,
                                                 "dns": "own", "nameservers": bad},
                            format="json")
        assert response.status_code == 422, response.content
        assert why in response.json()["detail"]
        assert response.json()["errors"][0]["field"] == "nameservers"
    assert Order.objects.count() == orders  # nothing ordered, nothing charged
    response = api.post("/api/v1/domains/", {"name": name, "registrant": contact.pk,
                                             "dns": "own", "nameservers": own_nameservers},
                        format="json")
    assert response.status_code == 201, response.content
    domain = Domain.objects.get(name=name, state=DomainState.ACTIVE)
    assert sorted(domain.nameservers) == sorted(own_nameservers)
    assert not Zone.objects.filter(domain=domain).exists()
    later = fresh_name()
    response = api.post("/api/v1/domains/", {"name": later, "registrant": contact.pk,
                                             "dns": "later"}, format="json")
    assert response.status_code == 201
    assert Domain.objects.get(name=later).nameservers == []


def test_portal_checkout_offers_bureaus_dns_first_and_checks_own_name_servers(
        user: Any, member: Any, organisation: Any, contact: Any, pdns: Any, tmp_path: Path,
        own_nameservers: list[str]) -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    first, second = fresh_name(), fresh_name()
    for name in (first, second):
        browser.post("/cart/add/", {"name": name, "price": 1000, "currency": "EUR"})
    page = browser.get("/cart/").content.decode()
    assert page.index('value="bureau"') < page.index('value="own"') < page.index('value="later"')
    assert re.search(r'<input[^>]*value="bureau"[^>]*checked', page)  # the default
    refused = browser.post("/cart/checkout/", {"registrant": contact.pk, "period": 1,
                                               "dns": "own", "nameservers": "ns.nowhere.example"})
    assert refused.status_code == 400 and "at least two" in refused.content.decode()
    assert not Domain.objects.filter(name__in=[first, second]).exists()
    done = browser.post("/cart/checkout/", {"registrant": contact.pk, "period": 1,
                                            "dns": "bureau"})
    assert done.status_code == 302, done.content.decode()[:3000]
    try:
        for name in (first, second):
            assert_works_at_once(Domain.objects.get(name=name), pdns, tmp_path)
    finally:
        for name in (first, second):
            conf.client().delete_zone(name + ".")


def test_cli_registration_uses_bureaus_dns_by_default(
        member: Any, organisation: Any, contact: Any, pdns: Any, tmp_path: Path,
        register_name: Callable[..., Any]) -> None:
    name = fresh_name()
    out = io.StringIO()
    call_command("domain", "register", name, "--org", organisation.slug, stdout=out)
    try:
        assert_works_at_once(Domain.objects.get(name=name), pdns, tmp_path)
    finally:
        conf.client().delete_zone(name + ".")
