"""A registration holds each of its names (RFC 9095 bundles): another organisation cannot host
a zone for a bundled name, nor at or under it; the holder can."""

from __future__ import annotations

from typing import Any

import pytest

from bureau.dns.models import Zone
from bureau.dns.operations.control import holds
from bureau.dns.operations.errors import NameClaimed
from bureau.dns.operations.zones import create_zone
from bureau.registrar.domains.models import BundledName, Domain, DomainState
from bureau.registrar.registries.models import Registry, Tld

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(organisation: Any) -> Domain:
    registry = Registry.objects.create(name="Bundles", slug="bundles", host="127.0.0.1",
                                       client_id="bureau", password="x")
    tld = Tld.objects.create(registry=registry, name="ngo", create_price=3200,
                             renew_price=3200, transfer_price=3200, bundling="registry")
    domain = Domain.objects.create(name="commun.ngo", tld=tld, organisation=organisation,
                                   state=DomainState.ACTIVE)
    BundledName.objects.create(domain=domain, name="commun.ong")
    return domain


def test_a_bundled_name_is_refused_to_another_organisation(bundle: Domain, member: Any,
                                                           organisation: Any) -> None:
    from bureau.registrar.accounts.models import Membership, Organisation, Role

    other = Organisation.objects.create(name="Autre asso", slug="autre-asso")
    Membership.objects.create(user=member.user, organisation=other, role=Role.OWNER)
    for name in ("commun.ong", "www.commun.ong"):
        with pytest.raises(NameClaimed, match="another organisation"):
            create_zone(organisation=other, actor=member, name=name)
    assert not Zone.objects.exists()
    assert holds(organisation, "commun.ong") and holds(organisation, "mail.commun.ong")
    assert not holds(other, "commun.ong")


def test_the_api_and_the_portal_refuse_a_bundled_name_to_another_organisation(
        bundle: Domain, member: Any) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from rest_framework.test import APIClient

    from bureau.registrar.accounts.models import Membership, Organisation, Role

    other = Organisation.objects.create(name="Autre asso", slug="autre-asso")
    rival = User.objects.create_user("rival@example.org", "rival@example.org", "pw-rival-1234")
    Membership.objects.create(user=rival, organisation=other, role=Role.OWNER)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(rival)
    response = api.post("/api/v1/dns/zones/", {"name": "commun.ong"}, format="json")
    assert response.status_code == 422, response.content
    assert "held by another organisation" in response.json()["detail"]
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(rival)
    page = browser.post("/dns/", {"name": "www.commun.ong"})
    assert page.status_code == 400
    assert "held by another organisation" in page.content.decode()
    assert not Zone.objects.exists()
