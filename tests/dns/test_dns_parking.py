"""While the notices app parks an expired name (ERRP: parking name servers, no DS at the
registry), the DNS app does not send the zone's DS back, and its health checks do not report
the parking delegation as drift; once the name is renewed and unparked, all is as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from bureau import epp
from bureau.dns.models import Zone
from bureau.dns.operations.dnssec import reconcile_ds, send_ds
from bureau.dns.operations.health import check_zone
from bureau.notices.parking import is_parked, park, unpark
from bureau.registrar.operations.common import send

pytestmark = pytest.mark.django_db


def registry_view(domain: Any) -> tuple[set[str], int]:
    outcome = send(domain.registry, epp.DomainInfo(domain.name))
    assert outcome.response is not None
    data = outcome.response.extension(epp.SecDNSData)
    ns = {n if isinstance(n, str) else n.name for n in outcome.response.data.nameservers}
    return ns, len(data.ds_data) if data is not None else 0


def test_a_parked_name_keeps_its_parking_and_reports_no_drift(
        register_name: Callable[..., Any]) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    assert registry_view(domain)[1] > 0  # Bureau sent the DS at registration
    parking = park(domain, timezone.now())
    domain.refresh_from_db()
    assert is_parked(domain)
    parked_view = registry_view(domain)
    assert parked_view[1] == 0 and all("parking" in ns for ns in parked_view[0])

    send_ds(zone)
    reconcile_ds(zone)
    assert registry_view(domain) == parked_view  # the DS did not come back
    check = check_zone(Zone.objects.get(pk=zone.pk))
    assert check.ok, check.problems

    unpark(parking, timezone.now())
    domain.refresh_from_db()
    assert not is_parked(domain)
    ns, ds = registry_view(domain)
    assert ds > 0 and not any("parking" in n for n in ns)
    assert check_zone(Zone.objects.get(pk=zone.pk)).ok


def test_without_the_predicate_the_parking_delegation_is_drift(
        register_name: Callable[..., Any], settings: Any) -> None:
    settings.BUREAU_DNS_PARKED_CHECK = ""  # the DNS app alone, without the notices app's hook
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    park(domain, timezone.now())
    codes = {p["code"] for p in check_zone(Zone.objects.get(pk=zone.pk)).problems}
    assert "delegation-mismatch" in codes
