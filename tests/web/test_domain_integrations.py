"""The domain page with the notices panel (renewal timeline, auto-renew toggle without
JavaScript, contact-data banners) and the DNS panel (hosted zone, health problems)."""

from __future__ import annotations

import pytest
from django.test import Client

from bureau.dns.models import HealthCheck, Zone
from bureau.notices.models import RenewalChoice
from bureau.registrar.domains.models import Domain

pytestmark = pytest.mark.django_db


def test_domain_page_shows_renewal_contact_banner_and_dns_health(
        client_a: Client, domain_a: Domain) -> None:
    zone = Zone.objects.create(name="alpha.test.", organisation=domain_a.organisation,
                               domain=domain_a, nameservers=["ns1.bureau.test."])
    HealthCheck.objects.create(zone=zone, ok=False, problems=[
        {"code": "delegation-mismatch",
         "message": "the registry delegates alpha.test to ns1.example.net"}])
    page = client_a.get(f"/domains/{domain_a.pk}/").content.decode()
    # notices: the renewal panel with its dates, the explicit choice, the contact banner.
    assert "Expiry and automatic renewal" in page and "Paid until" in page
    assert "Automatic renewal: not chosen" in page
    assert "is not verified" in page  # the holder's email was never verified
    assert f'action="/notices/auto-renew/{domain_a.name}/"' in page
    assert "Giving the name up? Read this first." in page
    # dns: the hosted zone and its health problems.
    assert "DNS hosting" in page
    assert "the registry delegates alpha.test to ns1.example.net" in page
    # Deleting leads to the guided goodbye.
    assert f'href="/notices/goodbye/{domain_a.name}/"' in page


def test_auto_renew_toggle_works_without_javascript(client_a: Client, domain_a: Domain) -> None:
    back = f"/domains/{domain_a.pk}/"
    turned_on = client_a.post(f"/notices/auto-renew/{domain_a.name}/",
                              {"on": "1", "next": back})
    assert turned_on.status_code == 302 and turned_on["Location"] == back
    assert RenewalChoice.objects.get(domain=domain_a).auto_renew is True
    page = client_a.get(back).content.decode()
    assert "Automatic renewal is on." in page and "Turn automatic renewal off" in page
    client_a.post(f"/notices/auto-renew/{domain_a.name}/", {"on": "0", "next": back})
    assert RenewalChoice.objects.get(domain=domain_a).auto_renew is False
