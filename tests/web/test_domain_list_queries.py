"""The portal's domain list: pages of 50 names, each at a constant number of queries whatever
the number of names the organisation holds (a per-row query makes these tests fail)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.registries.models import Tld
from bureau.web.views.domains import PAGE_SIZE

from .conftest import make_contact

pytestmark = pytest.mark.django_db

# Session, person, the organisations' 2FA policy, the membership; the page's COUNT(*) and the
# page itself.
MOST_QUERIES = 6


def add_domains(org: Organisation, tld: Tld, count: int) -> None:
    contact = make_contact(org, "Holder")
    start = Domain.objects.filter(organisation=org).count()
    now = timezone.now()
    Domain.objects.bulk_create([
        Domain(name=f"n{i:04d}.test", tld=tld, organisation=org, state=DomainState.ACTIVE,
               registrant=contact, nameservers=["ns1.example.net"], statuses=["ok"],
               registered_at=now, expires_at=now + timedelta(days=30 + i),
               auth_info="Secret-Code-123")
        for i in range(start, start + count)])


def page_queries(client: Client, **params: str) -> tuple[int, str]:
    client.get("/domains/", params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/domains/", params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_page_of_the_list_costs_the_same_queries_for_3_or_120_names(
        client_a: Client, org_a: Organisation, tld: Tld) -> None:
    add_domains(org_a, tld, 3)
    few, page = page_queries(client_a)
    assert page.count('href="/domains/') >= 3
    add_domains(org_a, tld, 117)
    many, page = page_queries(client_a)
    assert many == few, f"{few} queries for 3 names, {many} for a page of {PAGE_SIZE}"
    assert many <= MOST_QUERIES
    assert "n0000.test" in page and f"n{PAGE_SIZE - 1:04d}.test" in page
    assert f"n{PAGE_SIZE:04d}.test" not in page
    second, page = page_queries(client_a, page="2", sort="name", q="n0")
    assert second == few
    assert f"n{PAGE_SIZE:04d}.test" in page and "n0000.test" not in page


def test_pages_keep_the_filters_and_a_page_past_the_end_shows_the_last(
        client_a: Client, org_a: Organisation, tld: Tld) -> None:
    add_domains(org_a, tld, PAGE_SIZE + 5)
    page = client_a.get("/domains/", {"sort": "-name", "q": "n0"}).content.decode()
    assert f"n{PAGE_SIZE + 4:04d}.test" in page
    assert "page=2" in page and "sort=-name" in page
    last = client_a.get("/domains/", {"page": "99"}).content.decode()
    assert f"n{PAGE_SIZE + 4:04d}.test" in last and "n0000.test" not in last
    assert client_a.get("/domains/", {"page": "x"}).status_code == 200
