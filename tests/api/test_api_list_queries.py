"""The domain list costs a constant number of queries per page, whatever the number of names:
a per-row query (a relation read in the serializer, a lazy field) makes these tests fail."""

from __future__ import annotations

from datetime import timedelta

import idna
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.api.throttling import AuthFailureThrottle
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import BundledName, Domain, DomainState, DSRecord
from bureau.registrar.domains.names import to_u_label
from bureau.registrar.registries.models import Registry, Tld

from .conftest import TokenMaker, contact_of

pytestmark = pytest.mark.django_db

# Token lookup (with its last-use write at most once a minute, not per request), the
# page's COUNT(*), the page, its DS records and bundled names.
MOST_QUERIES = 5


def add_domains(org: Organisation, count: int) -> None:
    registry = Registry.objects.get_or_create(
        slug="offline", defaults={"name": "Offline", "host": "127.0.0.1", "port": 9,
                                  "client_id": "bureau", "password": "x"})[0]
    tld = Tld.objects.get_or_create(registry=registry, name="lst", defaults={
        "create_price": 1200, "renew_price": 1200, "transfer_price": 1000,
        "restore_price": 5000})[0]
    contact = contact_of(org)
    start = Domain.objects.filter(organisation=org).count()
    now = timezone.now()
    made = Domain.objects.bulk_create([
        Domain(name=f"n{i:04d}.lst", tld=tld, organisation=org, state=DomainState.ACTIVE,
               registrant=contact, admin_contact=contact, tech_contact=contact,
               billing_contact=contact, nameservers=["ns1.example.net"], statuses=["ok"],
               registered_at=now, expires_at=now + timedelta(days=30 + i),
               auth_info="Secret-Code-123")
        for i in range(start, start + count)])
    DSRecord.objects.bulk_create([DSRecord(domain=d, key_tag=1, algorithm=13, digest_type=2,
                                           digest="AB" * 32) for d in made])
    BundledName.objects.bulk_create([BundledName(domain=d, name=f"b-{d.name}",
                                                 u_label=f"b-{d.name}") for d in made])


def list_queries(client: APIClient, **params: str) -> tuple[int, int]:
    client.get("/api/v1/domains/", params)  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/domains/", params)
    assert response.status_code == 200, response.json()
    return len(queries), len(response.json()["results"])


def test_a_page_of_the_list_costs_the_same_queries_for_3_or_120_names(
        make_token: TokenMaker, org_a: Organisation) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token('alice')}")
    add_domains(org_a, 3)
    few, shown = list_queries(client)
    assert shown == 3
    add_domains(org_a, 117)
    many, shown = list_queries(client)
    assert shown == 50
    assert many == few, f"{few} queries for 3 names, {many} for a page of 50"
    assert many <= MOST_QUERIES
    filtered, _shown = list_queries(client, tld="lst", ordering="-expires_at", search="n00")
    assert filtered <= MOST_QUERIES


def test_the_list_through_a_session_costs_no_query_per_row(
        people: dict[str, object], org_a: Organisation) -> None:
    client = APIClient()
    client.force_login(people["alice"])  # type: ignore[arg-type]
    add_domains(org_a, 3)
    few, _shown = list_queries(client)
    add_domains(org_a, 117)
    many, shown = list_queries(client)
    assert shown == 50 and many == few


class NoReads:
    """A cache that fails the test when read: the failure counter of an address."""

    def get(self, key: str, default: object = None) -> object:
        raise AssertionError(f"the failure counter {key} was read for a valid token")


def test_a_valid_token_costs_no_read_of_the_failure_counter(
        make_token: TokenMaker, org_a: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token('alice')}")
    monkeypatch.setattr(AuthFailureThrottle, "cache", NoReads())
    assert client.get("/api/v1/domains/").status_code == 200


@pytest.mark.parametrize("name", ["bench-00001.test", "xn--caf-dma.example", "Abc.test",
                                  "a--b.test", "-x.test", "_dmarc.example", "a.test.",
                                  "xn--0zwm56d.xn--0zwm56d", "XN--CAF-DMA.example", ""])
def test_the_shortcut_to_u_labels_reads_as_idna_does(name: str) -> None:
    try:
        decoded = idna.decode(name)
    except idna.IDNAError:
        decoded = name
    assert to_u_label(name) == decoded
