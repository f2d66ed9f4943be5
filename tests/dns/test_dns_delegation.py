"""DS follows delegation: Bureau's DS is at the registry (read back over EPP from the sandbox)
only while the registry's NS set points at Bureau's name servers. Leaving them removes
Bureau's DS in the same update (the member is told in the API answer and on the portal); a
name delegated elsewhere keeps the DS its member gives; coming back puts Bureau's DS back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bureau.dns import conf
from bureau.dns.models import DsState, Zone
from bureau.dns.operations.dnssec import ds_at_registry, set_external_dnssec, to_ds
from bureau.dns.tasks import reconcile_zones
from bureau.registrar.domains.models import DomainEvent, Operation
from bureau.registrar.operations.update import update

pytestmark = pytest.mark.django_db

THEIR_DS = "4242 13 2 " + "AB" * 32
BUREAU_NS = ["ns1.bureau-dns.net", "ns2.bureau-dns.net"]


def updates(domain: Any) -> int:
    return DomainEvent.objects.filter(domain=domain, operation=Operation.UPDATE).count()


def test_leaving_bureaus_name_servers_removes_its_ds_in_the_same_update_and_says_so(
        register_name: Callable[..., Any], user: Any, member: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    try:
        assert set(ds_at_registry(domain) or []) == {to_ds(t) for t in zone.ds_wanted}
        before = updates(domain)
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.force_authenticate(user)
        response = api.patch(f"/api/v1/domains/{domain.name}/",
                             {"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]},
                             format="json")
        assert response.status_code == 200, response.content
        assert "DS" in response.json()["notice"] and "removed" in response.json()["notice"]
        assert updates(domain) == before + 1  # one EPP update: NS and DS together
        assert ds_at_registry(domain) == []
        domain.refresh_from_db()
        # The job does not send Bureau's DS back while the name is delegated elsewhere.
        reconcile_zones.call()
        zone.refresh_from_db()
        assert zone.ds_state == DsState.UNDELEGATED
        assert ds_at_registry(domain) == []

        # DNSSEC hosted elsewhere: the member's DS is sent and kept.
        set_external_dnssec(domain=domain, actor=member, ds=[THEIR_DS])
        reconcile_zones.call()
        assert ds_at_registry(domain) == [to_ds(THEIR_DS)]

        # Back to Bureau's name servers: Bureau's DS replaces theirs, in the same update.
        before = updates(domain)
        done = update(domain=domain, actor=member, nameservers=BUREAU_NS)
        assert "again" in done.detail["notice"]
        assert updates(domain) == before + 1
        assert set(ds_at_registry(domain) or []) == {to_ds(t) for t in zone.ds_wanted}
    finally:
        conf.client().delete_zone(str(zone.name))


def test_the_portal_tells_the_member_when_the_ds_goes(
        register_name: Callable[..., Any], user: Any) -> None:
    domain = register_name()
    zone = Zone.objects.get(domain=domain)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    try:
        page = browser.post(f"/domains/{domain.pk}/nameservers/",
                            {"nameservers": "ns1.elsewhere.net\nns2.elsewhere.net"},
                            follow=True)
        assert "removed from the registry in the same change" in page.content.decode()
        assert ds_at_registry(domain) == []
    finally:
        conf.client().delete_zone(str(zone.name))


def test_hosting_a_name_delegated_elsewhere_sends_no_ds(
        register_name: Callable[..., Any], member: Any, organisation: Any) -> None:
    from bureau.dns.operations.zones import create_zone

    domain = register_name(nameservers=["ns1.elsewhere.net", "ns2.elsewhere.net"])
    set_external_dnssec(domain=domain, actor=member, ds=[THEIR_DS])
    zone = create_zone(organisation=organisation, actor=member, name=domain.name,
                       domain=domain)
    try:
        assert zone.keys.exists()  # signed, ready for when the name comes
        zone.refresh_from_db()
        assert zone.ds_state == DsState.UNDELEGATED
        assert ds_at_registry(domain) == [to_ds(THEIR_DS)]  # the member's DS untouched
    finally:
        conf.client().delete_zone(str(zone.name))
