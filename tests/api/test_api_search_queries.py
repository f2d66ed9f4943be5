"""A search's database cost does not grow with the number of TLDs Bureau sells: the TLDs,
their registry and the cooperative's adopted prices are each read once, whatever their number
(a person notices every extra round trip as a slower search)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bureau.registrar.registries.models import Registry, Tld

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]


def search_queries(client: APIClient, label: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/search/", {"q": label})
    assert response.status_code == 200, response.json()
    return len(queries.captured_queries), [r["name"] for r in response.json()["results"]]


def test_search_queries_do_not_grow_with_the_tlds_sold(api: Api, registry: Registry) -> None:
    client = api("alice")
    search_queries(client, "echauffement")  # first command: login, token last use noted
    sold = sorted(Tld.objects.filter(is_active=True).values_list("name", flat=True))
    assert len(sold) >= 5

    all_tlds, names = search_queries(client, "toutes")
    assert sorted(name.split(".", 1)[1] for name in names) == sold
    Tld.objects.exclude(name="test").update(is_active=False)
    one_tld, names = search_queries(client, "une")
    assert names == ["une.test"]
    assert all_tlds == one_tld
