"""Bureau's RDAP answers, field by field (RFC 9083, RFC 9537, RFC 8056, the ICANN gTLD RDAP
profile), for names registered at the sandbox registry over EPP, and its errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

MEDIA = "application/rdap+json"


@pytest.fixture(autouse=True)
def rdap_settings(db: Any, settings: Any, sandbox: Sandbox) -> None:
    settings.BUREAU_RDAP_IANA_ID = "9999"
    settings.BUREAU_RDAP_ABUSE_EMAIL = "abuse@bureau.example"
    settings.BUREAU_RDAP_ABUSE_PHONE = "+33.100000000"
    settings.BUREAU_RDAP_BASE_URL = "http://testserver/rdap/"
    settings.BUREAU_RDAP_BOOTSTRAP_FILE = str(sandbox.state_dir / "rdap" / "dns.json")
    settings.BUREAU_RDAP_RATE = "1000/m"
    caches["rdap"].clear()


def get(path: str, **headers: str) -> Any:
    response = Client().get(path, HTTP_ACCEPT=MEDIA, **headers)
    assert response["Content-Type"] == MEDIA
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def by_role(body: dict[str, Any], role: str) -> dict[str, Any]:
    return next(e for e in body["entities"] if role in e["roles"])


def vcard(entity: dict[str, Any], prop: str) -> list[Any] | None:
    return next((p for p in entity["vcardArray"][1] if p[0] == prop), None)


def register_name(member: Actor, organisation: Organisation, contact: Contact,
                  name: str) -> Domain:
    return register.register(organisation=organisation, actor=member, name=name,
                             registrant=contact, admin=contact, tech=contact,
                             accepted_price=None).domain


def test_active_name_redacted_field_by_field(member: Actor, organisation: Organisation,
                                             contact: Contact, sandbox: Sandbox) -> None:
    domain = register_name(member, organisation, contact, "libre.test")
    response = get("/rdap/domain/LIBRE.test")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    body = response.json()
    assert body["rdapConformance"] == ["rdap_level_0", "icann_rdap_response_profile_1",
                                       "icann_rdap_technical_implementation_guide_1",
                                       "redacted"]
    assert body["objectClassName"] == "domain" and body["ldhName"] == "libre.test"
    assert "unicodeName" not in body and "port43" not in body
    assert body.get("handle") == (domain.roid or None)  # the registry's ROID when known
    assert body["status"] == ["client transfer prohibited"] or "active" in body["status"]
    actions = {e["eventAction"] for e in body["events"]}
    assert {"registration", "expiration", "last update of RDAP database"} <= actions
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert links["self"] == "http://testserver/rdap/domain/libre.test"
    assert links["related"] == sandbox.rdap.base_url + "domain/libre.test"
    titles = {n["title"] for n in body["notices"]}
    assert {"Terms of Use", "Status Codes", "RDDS Inaccuracy Complaint Form"} <= titles
    registrar = by_role(body, "registrar")
    assert registrar["handle"] == "9999"
    assert registrar["publicIds"] == [{"type": "IANA Registrar ID", "identifier": "9999"}]
    abuse = registrar["entities"][0]
    assert abuse["roles"] == ["abuse"]
    assert vcard(abuse, "email")[3] == "abuse@bureau.example"  # type: ignore[index]
    assert vcard(abuse, "tel")[3] == "tel:+33.100000000"  # type: ignore[index]
    registrant = by_role(body, "registrant")
    assert "handle" not in registrant
    assert vcard(registrant, "fn")[3] == ""  # type: ignore[index]
    assert vcard(registrant, "email") is None and vcard(registrant, "tel") is None
    adr = vcard(registrant, "adr")[3]  # type: ignore[index]
    assert adr[2] == "" and adr[3] == "" and adr[5] == "" and adr[6] == "FR"
    assert vcard(registrant, "contact-uri")[3].startswith("mailto:abuse@")  # type: ignore[index]
    redacted = {r["name"]["type"]: r for r in body["redacted"]}
    assert redacted["Registrant Name"]["method"] == "emptyValue"
    assert redacted["Registrant Name"]["postPath"].startswith(
        "$.entities[?(@.roles[0]=='registrant')]")
    assert redacted["Registry Registrant ID"]["method"] == "removal"
    assert redacted["Registry Registrant ID"]["prePath"].endswith(".handle")
    assert all(r["pathLang"] == "jsonpath" for r in body["redacted"])
    assert {"Registrant Email", "Registrant Phone", "Tech Name", "Admin Email"} <= set(redacted)
    assert body["secureDNS"] == {"delegationSigned": False}
    assert "Camille" not in response.content.decode()


def test_consented_holder_is_published_and_its_entity_answers(
        member: Actor, organisation: Organisation, contact: Contact) -> None:
    contact.disclose = True
    contact.save()
    register_name(member, organisation, contact, "publie.test")
    body = get("/rdap/domain/publie.test").json()
    registrant = by_role(body, "registrant")
    assert vcard(registrant, "fn")[3] == "Camille Martin"  # type: ignore[index]
    assert vcard(registrant, "email")[3] == "camille@example.org"  # type: ignore[index]
    assert "redacted" not in body
    handle = registrant["handle"]
    entity = get(f"/rdap/entity/{handle}").json()
    assert entity["objectClassName"] == "entity" and entity["handle"] == handle
    assert get("/rdap/entity/9999").json()["publicIds"][0]["identifier"] == "9999"


def test_idn_and_bundled_names(member: Actor, organisation: Organisation,
                               contact: Contact) -> None:
    domain = register_name(member, organisation, contact, "atelier.ngo")
    assert domain.bundled_names.filter(name="atelier.ong").exists()
    body = get("/rdap/domain/atelier.ong").json()
    assert body["ldhName"] == "atelier.ong"
    assert body["variants"] == [{"relation": ["conjoined"],
                                 "variantNames": [{"ldhName": "atelier.ngo"}]}]
    register_name(member, organisation, contact, "café.test")
    for query in ("café.test", "xn--caf-dma.test"):
        body = get(f"/rdap/domain/{query}").json()
        assert body["ldhName"] == "xn--caf-dma.test" and body["unicodeName"] == "café.test"


def test_pending_transfer_and_redemption_statuses(member: Actor, organisation: Organisation,
                                                  contact: Contact) -> None:
    domain = register_name(member, organisation, contact, "etats.test")
    # As reconciliation records the registry's statuses in these states.
    Domain.objects.filter(pk=domain.pk).update(state=DomainState.PENDING_TRANSFER_OUT,
                                               statuses=["pendingTransfer"])
    assert get("/rdap/domain/etats.test").json()["status"] == ["pending transfer"]
    Domain.objects.filter(pk=domain.pk).update(state=DomainState.REDEMPTION,
                                               statuses=["pendingDelete", "redemptionPeriod"])
    assert get("/rdap/domain/etats.test").json()["status"] == ["pending delete",
                                                                "redemption period"]
    Domain.objects.filter(pk=domain.pk).update(state=DomainState.DELETED)
    assert get("/rdap/domain/etats.test").status_code == 404


@pytest.mark.parametrize(("path", "status"), [
    ("/rdap/domain/-bad-.test", 400),
    ("/rdap/domain/p%D0%B0ypal.test", 400),       # Cyrillic а among Latin letters
    ("/rdap/domain/exemple.nowhere", 404),
    ("/rdap/domain/absent.test", 404),
    ("/rdap/domain/" + "a" * 300, 400),
    ("/rdap/domains?name=ex*.test", 501),
    ("/rdap/nameserver/ns1.example.test", 501),
    ("/rdap/entity/nobody", 404),
    ("/rdap/whatever", 400),
])
def test_bad_queries_get_rdap_errors(db: Any, path: str, status: int) -> None:
    response = get(path)
    assert response.status_code == status
    body = response.json()
    assert body["errorCode"] == status and body["title"] and body["description"]
    assert body["rdapConformance"][0] == "rdap_level_0"


def test_help_head_cors_and_rate_limit(db: Any, settings: Any) -> None:
    body = get("/rdap/help").json()
    assert "rdap_level_0" in body["rdapConformance"] and body["notices"]
    head = Client().head("/rdap/help")
    assert head.status_code == 200 and head.content == b"" and int(head["Content-Length"]) > 0
    preflight = Client().options("/rdap/help")
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert Client().get("/rdap/health").content == b"ok\n"
    settings.BUREAU_RDAP_RATE = "3/m"
    caches["rdap"].clear()
    statuses = [Client().get("/rdap/help").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = Client().get("/rdap/help")
    assert limited.json()["errorCode"] == 429 and int(limited["Retry-After"]) >= 1
    assert Client(REMOTE_ADDR="192.0.2.9").get("/rdap/help").status_code == 200


def test_portal_consent_toggle_speaks_of_publication() -> None:
    from django.utils import translation

    from bureau.web.forms import ContactForm

    for language, words in (("en", "looks the name up (RDAP)"), ("fr", "consulte le nom (RDAP)")):
        with translation.override(language):
            form = ContactForm(organisation=None)
            assert words in str(form["disclose"].help_text)
