"""The portal pages of DNS hosting: the record editor with its validation messages, undo from
the history, import/export, templates, health; the record form fuzzed (bad input never stored,
never sent to PowerDNS)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau.dns import conf
from bureau.dns.models import Zone, ZoneChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user: Any, member: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def zone(browser: Client, zone_name: Callable[[], str], organisation: Any,
         prove_control: Callable[..., str]) -> Iterator[Zone]:
    name = zone_name()
    refused = browser.post("/dns/", {"name": name.rstrip(".")})
    assert refused.status_code == 400 and "_bureau-challenge." + name in refused.content.decode()
    prove_control(organisation, name)
    response = browser.post("/dns/", {"name": name.rstrip(".")})
    assert response.status_code == 302, response.content.decode()[:2000]
    yield Zone.objects.get(name=name)
    conf.client().delete_zone(name)


def served_serial(zone: Zone) -> int:
    return conf.client().serial(str(zone.name))


def test_record_editor_shows_the_problem_on_its_field(browser: Client, zone: Zone) -> None:
    page = browser.get(f"/dns/zones/{zone.pk}/")
    assert page.status_code == 200 and zone.u_label in page.content.decode()
    # Each label points at its own field: no id twice (the two forms' "replace" fields).
    ids = re.findall(r'\bid="([^"]+)"', page.content.decode())
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="id_import_replace"' in page.content.decode()
    serial = served_serial(zone)
    refused = browser.post(f"/dns/zones/{zone.pk}/records/",
                           {"name": "mail", "type": "MX", "ttl": 3600, "content": "10 192.0.2.1"})
    assert refused.status_code == 400
    html = refused.content.decode()
    # The portal speaks French (the default): so do the validation's messages.
    assert 'id="id_content_error"' in html and "pas vers une adresse" in html
    assert zone.records.count() == 0 and served_serial(zone) == serial
    added = browser.post(f"/dns/zones/{zone.pk}/records/",
                         {"name": "www", "type": "A", "ttl": 300, "content": "192.0.2.1"})
    assert added.status_code == 302
    page = browser.get(f"/dns/zones/{zone.pk}/").content.decode()
    assert "192.0.2.1" in page and served_serial(zone) > serial


def test_french_messages(browser: Client, zone: Zone) -> None:
    browser.cookies["django_language"] = "fr"
    page = browser.get(f"/dns/zones/{zone.pk}/").content.decode()
    assert "Enregistrer et publier" in page and "Historique" in page
    change = ZoneChange.objects.get(zone=zone, kind="create")
    response = browser.post(f"/dns/zones/{zone.pk}/history/{change.pk}/undo/", follow=True)
    assert "Cette modification ne peut pas être annulée." in response.content.decode()


def test_a_french_zone_page_says_its_history_health_and_templates_in_french(
        browser: Client, zone: Zone) -> None:
    """What the DNS app stores in English (history summaries, health problems, the built-in
    templates) is shown in French on a French page."""
    from catalogue import untranslated

    from bureau.dns.health import NameserverAnswer, check_delegation, check_lame
    from bureau.dns.models import HealthCheck

    browser.cookies["django_language"] = "fr"
    browser.post(f"/dns/zones/{zone.pk}/records/",
                 {"name": "www", "type": "A", "ttl": 300, "content": "192.0.2.1"})
    edit = ZoneChange.objects.get(zone=zone, kind="edit")
    browser.post(f"/dns/zones/{zone.pk}/history/{edit.pk}/undo/")
    browser.post(f"/dns/zones/{zone.pk}/templates/", {"template": "web-host",
                                                      "param_ipv4": "192.0.2.80"})
    browser.post(f"/dns/zones/{zone.pk}/import/", {"text": "ok IN A 192.0.2.1\n"})
    name = str(zone.name)
    problems = check_delegation(name, [], ["ns1.bureau.test"]) + check_delegation(
        name, ["ns.ailleurs.net"], ["ns1.bureau.test"]) + check_lame(name, [
            NameserverAnswer("ns1.bureau.test", "192.0.2.53", error="timed out"),
            NameserverAnswer("ns2.bureau.test", "192.0.2.54", rcode="REFUSED")])
    HealthCheck.objects.create(zone=zone, ok=False, problems=[
        {"code": p.code, "message": p.message, "params": p.params} for p in problems])

    page = browser.get(f"/dns/zones/{zone.pk}/").content.decode()
    history = page[page.index('id="h-history"'):]
    assert "zone créée (0 enregistrement)" in history and "1 ajouté" in history
    assert "annulation de « 1 ajouté »" in history or "annulation de “1 ajouté”" in history
    assert "Hébergeur web (A, AAAA, www)" in page and "Adresse IPv4" in page
    assert "n’a aucun serveur de noms au registre" in page
    for english in ("zone created", "1 added", "undo of", "Web host", "IPv4 address",
                    "has no name servers", "differ from the hosting ones",
                    "does not answer for", "zone file imported", "not authoritative"):
        assert english not in page, english
    assert untranslated(page) == []


def test_undo_import_export_templates_health(browser: Client, zone: Zone) -> None:
    browser.post(f"/dns/zones/{zone.pk}/records/",
                 {"name": "www", "type": "A", "ttl": 300, "content": "192.0.2.1"})
    change = ZoneChange.objects.filter(zone=zone, kind="edit").get()
    assert browser.post(f"/dns/zones/{zone.pk}/history/{change.pk}/undo/").status_code == 302
    assert zone.records.count() == 0
    bad = browser.post(f"/dns/zones/{zone.pk}/import/",
                       {"text": "ok IN A 192.0.2.1\nnope IN AAAA 1.2.3.4\n", "replace": "on"})
    assert bad.status_code == 400 and "ligne 2" in bad.content.decode()
    good = browser.post(f"/dns/zones/{zone.pk}/import/",
                        {"text": "ok IN A 192.0.2.1\n", "replace": "on"})
    assert good.status_code == 302 and zone.records.count() == 1
    exported = browser.get(f"/dns/zones/{zone.pk}/export/").content.decode()
    assert "192.0.2.1" in exported
    applied = browser.post(f"/dns/zones/{zone.pk}/templates/",
                           {"template": "web-host", "param_ipv4": "192.0.2.80"})
    assert applied.status_code == 302 and zone.records.count() == 4
    application = zone.applications.get()
    browser.post(f"/dns/zones/{zone.pk}/templates/{application.pk}/remove/")
    assert zone.records.count() == 1
    browser.post(f"/dns/zones/{zone.pk}/health/")
    page = browser.get(f"/dns/zones/{zone.pk}/").content.decode()
    assert 'id="health-ok"' in page or 'id="health-problems"' in page


def test_dnssec_for_a_name_hosted_elsewhere(browser: Client,
                                            register_name: Callable[..., Any]) -> None:
    domain = register_name(nameservers=["ns.elsewhere.net"])
    refused = browser.post(f"/dns/domains/{domain.pk}/dnssec/", {"ds": "1 13 2 zz"})
    assert refused.status_code == 400 and "not a usable DS" in refused.content.decode()
    ds = "12345 13 2 " + "ab" * 32
    assert browser.post(f"/dns/domains/{domain.pk}/dnssec/", {"ds": ds}).status_code == 302
    assert [str(d).lower() for d in domain.ds_records.all()] == [ds]


form_text = st.one_of(st.text(max_size=80), st.sampled_from(
    ["@", "www", "", "192.0.2.1", "10 mail", "300", "-1", "abc", "2001:db8::1", "x" * 300]))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.fixed_dictionaries({}, optional={
    "name": form_text, "type": st.one_of(st.sampled_from(["A", "AAAA", "MX", "CNAME", "TXT",
                                                          "SOA", "ZZ"]), form_text),
    "ttl": form_text, "content": form_text, "replace": form_text}))
def test_fuzz_record_form(browser: Client, zone: Zone, data: dict[str, str]) -> None:
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    before = (list(zone.records.values_list("name", "rtype", "content")), served_serial(zone),
              ZoneChange.objects.filter(zone=zone).count())
    response = browser.post(f"/dns/zones/{zone.pk}/records/", data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        after = (list(zone.records.values_list("name", "rtype", "content")),
                 served_serial(zone), ZoneChange.objects.filter(zone=zone).count())
        assert after == before


def test_domain_status_snippet_and_names_hosted_elsewhere(
        browser: Client, register_name: Callable[..., Any]) -> None:
    from django.template import Context, Template

    from bureau.dns.operations.health import check_zone

    hosted = register_name()
    elsewhere = register_name(nameservers=["ns.elsewhere.net"])
    check_zone(Zone.objects.get(domain=hosted))
    snippet = Template("{% load dns_hosting %}{% dns_status domain %}")
    html = snippet.render(Context({"domain": hosted}))
    assert f"/dns/zones/{hosted.zone.pk}/" in html and "No problem found." in html
    html = snippet.render(Context({"domain": elsewhere}))
    assert f"/dns/domains/{elsewhere.pk}/dnssec/" in html
    page = browser.get("/dns/").content.decode()
    assert f"/dns/domains/{elsewhere.pk}/dnssec/" in page
    assert f"/dns/domains/{hosted.pk}/dnssec/" not in page


def test_records_removed_and_a_rollover_started_from_the_zone_page(
    browser: Client, zone: Zone
) -> None:
    browser.cookies["django_language"] = "en"
    browser.post(f"/dns/zones/{zone.pk}/records/",
                 {"name": "www", "type": "A", "ttl": 300, "content": "192.0.2.1"})
    record = zone.records.get(rtype="A")
    page = browser.post(f"/dns/zones/{zone.pk}/records/delete/", {"record": [record.pk]},
                        follow=True).content.decode()
    assert "1 record(s) removed." in page and not zone.records.filter(rtype="A").exists()
    page = browser.post(f"/dns/zones/{zone.pk}/rollover/", follow=True).content.decode()
    assert "Key rollover started" in page and zone.rollovers.count() == 1
    page = browser.post(f"/dns/zones/{zone.pk}/rollover/", follow=True).content.decode()
    assert "already under way" in page and zone.rollovers.count() == 1
