"""The DNS REST API (/api/v1/dns/): zones, record batches with problem details naming the
record and field, import/export, history and undo, templates, health; and a fuzz test: bad
input never reaches PowerDNS and never stores anything."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from bureau.dns import conf
from bureau.dns.models import Record, Zone, ZoneChange
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.records import SUPPORTED_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user: Any, member: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def zone(api: APIClient, zone_name: Callable[[], str], organisation: Any,
         prove_control: Callable[..., str]) -> Iterator[Zone]:
    name = zone_name()
    prove_control(organisation, name)
    response = api.post("/api/v1/dns/zones/", {"name": name.rstrip(".")}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["ds_state"] == "n/a"  # registered elsewhere: the member gives it
    yield Zone.objects.get(name=name)
    with contextlib.suppress(PowerDNSNotFound):
        conf.client().delete_zone(name)


def url(zone: Zone, tail: str = "") -> str:
    return f"/api/v1/dns/zones/{str(zone.name).rstrip('.')}/{tail}"


def pdns_state(zone: Zone) -> tuple[int, set[tuple[str, str, str]]]:
    info = conf.client().get_zone(str(zone.name))
    return info.serial, {(r.name, r.rtype, c) for r in info.rrsets
                         if r.rtype not in {"SOA", "NS", "DNSKEY", "RRSIG"} for c in r.contents}


def test_batch_edit_history_undo_export(api: APIClient, zone: Zone) -> None:
    response = api.post(url(zone, "records/batch/"), {"add": [
        {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 300},
        {"name": "été", "type": "AAAA", "content": "2001:db8::1"}]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["published"] and len(body["added"]) == 2
    assert {r["name"] for r in body["added"]} == {"www." + str(zone.name),
                                                  "xn--t-9fab." + str(zone.name)}
    listed = api.get(url(zone, "records/")).json()
    assert listed["count"] == 2
    history = api.get(url(zone, "history/")).json()["results"]
    assert [c["kind"] for c in history] == ["edit", "create"]
    undone = api.post(url(zone, f"history/{history[0]['id']}/undo/"))
    assert undone.status_code == 200
    assert zone.records.count() == 0
    exported = api.get(url(zone, "export/"))
    assert exported.status_code == 200 and f"$ORIGIN {zone.name}" in exported.content.decode()


def test_refused_batch_is_a_problem_naming_record_and_field(api: APIClient, zone: Zone) -> None:
    before = pdns_state(zone)
    response = api.post(url(zone, "records/batch/"), {"add": [
        {"name": "ok", "type": "A", "content": "192.0.2.1"},
        {"name": "mail", "type": "MX", "content": "10 192.0.2.25"},
        {"name": "x", "type": "TXT", "content": "a" * 70000}]}, format="json")
    assert response.status_code == 400  # over the serializer's limit: no operation ran
    response = api.post(url(zone, "records/batch/"), {"add": [
        {"name": "ok", "type": "A", "content": "192.0.2.1"},
        {"name": "mail", "type": "MX", "content": "10 192.0.2.25"},
        {"name": "www", "type": "CNAME", "content": "www"}]}, format="json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    fields = {e["field"] for e in problem["errors"]}
    assert "add.1.content" in fields and "add.2.content" in fields
    assert zone.records.count() == 0 and pdns_state(zone) == before


def test_import_and_templates(api: APIClient, zone: Zone) -> None:
    bad = api.post(url(zone, "import/"), {"text": "www IN A 192.0.2.1\nbad IN A nope\n"},
                   format="json")
    assert bad.status_code == 422
    assert [e["field"].rsplit(".", 1)[0] for e in bad.json()["errors"]] == ["line.2"]
    good = api.post(url(zone, "import/"), {"text": "www IN A 192.0.2.1\n"}, format="json")
    assert good.status_code == 200 and good.json()["published"]
    templates = api.get("/api/v1/dns/templates/").json()
    assert {"mail-provider", "web-host"} <= {t["slug"] for t in templates["results"]}
    clash = api.post(url(zone, "templates/"), {"template": "web-host"}, format="json")
    assert clash.status_code == 422  # www is an A record already: the CNAME cannot go there
    api.post(url(zone, "records/batch/"), {"remove": [zone.records.get().pk]}, format="json")
    applied = api.post(url(zone, "templates/"), {"template": "web-host",
                                                 "values": {"ipv4": "192.0.2.80"}},
                       format="json")
    assert applied.status_code == 201, applied.content
    application = applied.json()["application"]["id"]
    assert zone.records.count() == 3
    removed = api.delete(url(zone, f"templates/{application}/"))
    assert removed.status_code == 200 and zone.records.count() == 0


def test_health_and_another_organisations_zone(api: APIClient, zone: Zone, pdns: Any) -> None:
    assert api.get(url(zone, "health/")).status_code == 404
    check = api.post(url(zone, "health/"))
    assert check.status_code == 200
    assert "ok" in check.json()
    from django.contrib.auth.models import User

    other = APIClient()
    other.force_authenticate(User.objects.create_user("autre", "a@example.org", "pw-pw-pw-pw"))
    assert other.get(url(zone)).status_code == 404
    assert other.post(url(zone, "records/batch/"), {"add": []}, format="json").status_code == 404


# -- fuzz ----------------------------------------------------------------------------------

junk = st.one_of(st.none(), st.booleans(), st.integers(),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
                 st.lists(st.integers(), max_size=2))
names = st.one_of(st.sampled_from(["@", "www", "mail", "_dmarc", "*", "été", "a.b", "", " ",
                                   "www.example.org.", "x..y", "-bad", "a" * 64]),
                  st.text(max_size=30), junk)
types = st.one_of(st.sampled_from(sorted(SUPPORTED_TYPES | {"SOA", "DNSKEY", "a", "mx"})),
                  st.text(max_size=6), junk)
contents = st.one_of(
    st.sampled_from(["192.0.2.1", "2001:db8::1", "10 mail", "10 mail.example.net.", "www",
                     "v=spf1 -all", '0 issue "letsencrypt.org"', "0 5 5060 sip", "@",
                     "300.1.1.1", "10 192.0.2.1", '"unterminated', "1 . alpn=h2"]),
    st.text(max_size=300), junk)
ttls = st.one_of(st.integers(-10, 10**7), st.sampled_from([60, 300, 3600]), junk)
record_input = st.fixed_dictionaries({}, optional={"name": names, "type": types,
                                                   "content": contents, "ttl": ttls})
payloads = st.one_of(
    st.fixed_dictionaries({"add": st.lists(record_input, max_size=5)},
                          optional={"remove": st.lists(junk, max_size=2)}),
    st.dictionaries(st.text(max_size=8), junk, max_size=3), junk)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=payloads)
def test_fuzz_bad_input_never_reaches_powerdns(api: APIClient, zone: Zone,
                                               payload: Any) -> None:
    before_db = set(Record.objects.filter(zone=zone).values_list("name", "rtype", "content"))
    before_changes = ZoneChange.objects.filter(zone=zone).count()
    before_pdns = pdns_state(zone)
    response = api.post(url(zone, "records/batch/"), payload, format="json")
    assert response.status_code in (200, 400, 422), (payload, response.content)
    after_db = set(Record.objects.filter(zone=zone).values_list("name", "rtype", "content"))
    serial, served = pdns_state(zone)
    if response.status_code != 200:
        assert after_db == before_db
        assert ZoneChange.objects.filter(zone=zone).count() == before_changes
        assert (serial, served) == before_pdns  # nothing was sent to PowerDNS
    else:
        # What Bureau stored is exactly what PowerDNS serves (TXT may be re-split).
        assert {(n, t) for n, t, _c in after_db} == {(n, t) for n, t, _c in served}


def test_registered_name_rollover_and_external_dnssec(
        api: APIClient, register_name: Callable[..., Any]) -> None:
    domain = register_name()
    zone_url = f"/api/v1/dns/zones/{domain.name}/"
    body = api.get(zone_url).json()
    assert body["domain"] == domain.name and body["ds_state"] == "sent"
    assert len(body["keys"]) == 1 and body["keys"][0]["state"] == "active"
    started = api.post(zone_url + "rollover/")
    assert started.status_code == 202 and started.json()["step"] == "ds-both"
    again = api.post(zone_url + "rollover/")
    assert again.status_code == 422 and again["Content-Type"] == "application/problem+json"
    assert len(api.get(zone_url).json()["ds_wanted"]) == 2

    elsewhere = register_name(nameservers=["ns.elsewhere.net"])
    target = f"/api/v1/dns/external-dnssec/{elsewhere.name}/"
    bad = api.put(target, {"ds": ["1 13 2 nothex"]}, format="json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "input.1.content"
    ds = "12345 13 2 " + "AB" * 32
    good = api.put(target, {"ds": [ds]}, format="json")
    assert good.status_code == 200 and good.json()["ds"] == [ds]
    refused = api.put(f"/api/v1/dns/external-dnssec/{domain.name}/", {"ds": [ds]},
                      format="json")
    assert refused.status_code == 422  # Bureau signs that one: its DS is Bureau's


def test_stop_hosting_through_the_api(api: APIClient, zone: Zone) -> None:
    assert api.delete(url(zone)).status_code == 204
    assert api.get(url(zone)).json()["publish_state"] == "withdrawn"
    refused = api.post(url(zone, "records/batch/"), {"add": [
        {"name": "www", "type": "A", "content": "192.0.2.1"}]}, format="json")
    assert refused.status_code == 422 and zone.records.count() == 0


@pytest.mark.parametrize(("payload", "field"), [
    ({"remove": [2**70]}, "remove"),
    ({"add": [{"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 2**70}]}, "add"),
    ({"add": [{"name": "www", "type": "TXT", "content": "v=spf1\x1b -all"}]}, "add"),
    ({"add": [{"name": "www", "type": "TXT", "content": "hel\x85lo"}]}, "add"),
])
def test_out_of_range_integers_and_control_characters_are_refused_before_powerdns(
        api: APIClient, zone: Zone, payload: dict, field: str) -> None:
    before = pdns_state(zone)
    response = api.post(url(zone, "records/batch/"), payload, format="json")
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert any(e["field"].startswith(field) for e in response.json()["errors"])
    assert pdns_state(zone) == before and not zone.records.exists()
