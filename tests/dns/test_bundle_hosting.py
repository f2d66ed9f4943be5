"""A bundle (RFC 9095) registered with Bureau's DNS works under each of its names: the registry
delegates every name of the bundle to Bureau's servers and publishes the bundle's one DS set
under each, so Bureau hosts a signed zone per name and sends the DS of all of them. Every name
answers `dig` from PowerDNS and validates with `delv` from the DS the registry shows for that
name (read over EPP), through the API, the CLI and the portal; the reconciliation finds the
registry's DS as wanted; a zone missing for a bundled name is hosted by the job."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from dns_fixtures import delv
from programs import require_program
from rest_framework.test import APIClient

from bureau import epp
from bureau.dns import conf
from bureau.dns.models import DsState, PublishState, Zone
from bureau.dns.operations.dnssec import reconcile_ds
from bureau.dns.operations.hosting import host_missing_zones
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.domains.names import to_a_label
from bureau.registrar.operations.common import send
from bureau.registrar.operations.update import update

pytestmark = pytest.mark.django_db

BUREAU_NS = sorted(ns + "." for ns in ("ns1.bureau-dns.net", "ns2.bureau-dns.net"))


def registry_ds(domain: Domain, name: str) -> list[epp.DSData]:
    """The DS the registry shows for ``name`` (one name of the bundle), over EPP."""
    outcome = send(domain.registry, epp.DomainInfo(name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    assert data is not None and data.ds_data, f"no DS at the registry for {name}"
    return list(data.ds_data)


def assert_every_name_works(domain: Domain, pdns: Any, tmp_path: Path) -> None:
    assert len(domain.names) > 1
    for name in domain.names:
        owner = name + "."
        zone = Zone.objects.get(name=owner, organisation=domain.organisation)
        assert zone.publish_state == PublishState.PUBLISHED, name
        assert zone.ds_state == DsState.SENT, name
        dig = subprocess.run([require_program("dig", "bind9-dnsutils"), "@127.0.0.1", "-p",
                              str(pdns.dns_port), "+norec", "+short", owner, "NS"],
                             capture_output=True, text=True, timeout=30)
        assert sorted(dig.stdout.split()) == BUREAU_NS, (name, dig.stdout, dig.stderr)
        validated = delv(pdns, owner, [f"{d.key_tag} {d.alg} {d.digest_type} {d.digest}"
                                       for d in registry_ds(domain, name)], owner, "SOA",
                         tmp_path)
        assert "; fully validated" in validated.stdout, (name, validated.stdout
                                                         + validated.stderr)


def drop_zones(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(PowerDNSNotFound):
            conf.client().delete_zone(to_a_label(name) + ".")


def label() -> str:
    return f"ensemble{os.getpid()}"


def test_api_registration_of_a_bundle_hosts_every_name_signed(
        user: Any, member: Any, organisation: Any, contact: Any, pdns: Any,
        tmp_path: Path) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    names = [f"{label()}.ngo", f"{label()}.ong"]
    try:
        response = api.post("/api/v1/domains/", {"name": names[0], "registrant": contact.pk},
                            format="json")
        assert response.status_code == 201, response.content
        domain = Domain.objects.get(name=names[0], state=DomainState.ACTIVE)
        assert domain.names == names
        assert_every_name_works(domain, pdns, tmp_path)
        # Bureau's copy of the registry's DS is the whole set: nothing left to send.
        for zone in Zone.objects.filter(organisation=organisation):
            assert reconcile_ds(zone) == DsState.SENT
    finally:
        drop_zones(names)


def test_a_bundle_moved_to_bureaus_dns_later_gets_every_zone_from_the_job(
        user: Any, member: Any, organisation: Any, contact: Any, pdns: Any,
        tmp_path: Path) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    names = [f"plustard{os.getpid()}.ngo", f"plustard{os.getpid()}.ong"]
    try:
        response = api.post("/api/v1/domains/", {"name": names[1], "registrant": contact.pk,
                                                 "dns": "later"}, format="json")
        assert response.status_code == 201, response.content
        domain = Domain.objects.get(name=names[1])  # the name created is the RDN
        assert not Zone.objects.exists()
        update(domain=domain, actor=member, nameservers=[n.rstrip(".") for n in BUREAU_NS])
        hosted = host_missing_zones()
        assert [str(z.name) for z in hosted] == [names[1] + "."]
        assert sorted(str(z.name) for z in Zone.objects.all()) == [n + "." for n in names]
        assert_every_name_works(Domain.objects.get(pk=domain.pk), pdns, tmp_path)
        assert host_missing_zones() == []
    finally:
        drop_zones(names)


def test_cli_registration_of_a_chinese_bundle_hosts_every_name_signed(
        member: Any, organisation: Any, contact: Any, pdns: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("domain", "register", "愛國.测试", "--org", organisation.slug, stdout=out)
    domain = Domain.objects.get(name=to_a_label("愛國.测试"))
    try:
        assert set(domain.u_labels) == {"愛國.测试", "爱国.测试"}
        assert_every_name_works(domain, pdns, tmp_path)
    finally:
        drop_zones(domain.names)


def test_portal_checkout_of_a_bundle_hosts_every_name_signed(
        user: Any, member: Any, organisation: Any, contact: Any, pdns: Any,
        tmp_path: Path) -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    names = [f"portail{os.getpid()}.ngo", f"portail{os.getpid()}.ong"]
    try:
        browser.post("/cart/add/", {"name": names[1], "price": 3200, "currency": "EUR"})
        done = browser.post("/cart/checkout/", {"registrant": contact.pk, "period": 1,
                                                "dns": "bureau"})
        assert done.status_code == 302, done.content.decode()[-3000:]
        domain = Domain.objects.get(state=DomainState.ACTIVE)
        assert sorted(domain.names) == names
        assert_every_name_works(domain, pdns, tmp_path)
    finally:
        drop_zones(names)


def test_health_checks_each_name_of_a_bundle_against_the_bundle(
        user: Any, member: Any, organisation: Any, contact: Any, pdns: Any) -> None:
    """Each name of a bundle has its own zone, but the registry holds one delegation and one
    DS set for them all: the health of each zone reads the bundle's (the bundled name's zone
    too, which has no domain of its own), expects the other names' DS there, and tells when
    the bundle points elsewhere or when a name's own DS is missing from the set. Leaving
    Bureau's name servers removes the DS of every name, coming back sends them all."""
    from django.utils import translation

    from bureau.dns.messages import health_text
    from bureau.dns.operations.dnssec import ds_at_registry, to_ds
    from bureau.dns.operations.health import check_zone

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    names = [f"sante{os.getpid()}.ngo", f"sante{os.getpid()}.ong"]
    try:
        response = api.post("/api/v1/domains/", {"name": names[0], "registrant": contact.pk},
                            format="json")
        assert response.status_code == 201, response.content
        domain = Domain.objects.get(name=names[0], state=DomainState.ACTIVE)
        rdn, bdn = (Zone.objects.get(name=n + ".", organisation=organisation) for n in names)
        assert bdn.domain is None
        for zone in (rdn, bdn):  # the other name's DS at the registry is no stale DS
            check = check_zone(zone)
            assert check.ok, (zone.name, check.problems)

        elsewhere = ["ns1.elsewhere-dns.net", "ns2.elsewhere-dns.net"]
        update(domain=domain, actor=member, nameservers=elsewhere)
        assert ds_at_registry(domain) == []  # the DS of every name of the bundle went
        for zone in (rdn, bdn):
            check = check_zone(zone)
            assert [p["code"] for p in check.problems] == ["delegated-elsewhere"], check.problems
            assert "ns1.elsewhere-dns.net" in check.problems[0]["message"]
            with translation.override("fr"):  # said in the reader's language
                assert "est délégué à ns1.elsewhere-dns.net" in health_text(check.problems[0])

        update(domain=Domain.objects.get(pk=domain.pk), actor=member,
               nameservers=[n.rstrip(".") for n in BUREAU_NS])
        check = check_zone(bdn)
        assert check.ok, check.problems
        # Only the registered name's DS left at the registry: the bundled name is told that
        # no DS there matches its keys (resolvers would fail it), the other one is healthy.
        update(domain=Domain.objects.get(pk=domain.pk), actor=member,
               ds_records=[to_ds(t) for t in Zone.objects.get(pk=rdn.pk).ds_wanted])
        assert check_zone(rdn).ok
        assert [p["code"] for p in check_zone(bdn).problems] == ["ds-mismatch"]
    finally:
        drop_zones(names)
