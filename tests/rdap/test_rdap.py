"""Bureau's RDAP answers, field by field (RFC 9083, RFC 9537, RFC 8056, the ICANN gTLD RDAP
profile), for names registered at the sandbox registry over EPP, and its errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.test import Client

from bureau import epp
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations import delete, register, restore, transfer, update
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
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
    assert body["handle"] == domain.roid != ""  # the registry's ROID
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



def registry_handle(sandbox: Sandbox, name: str) -> str:
    """The ROID in the registry's own RDAP answer."""
    answer = httpx.get(sandbox.rdap.base_url + f"domain/{name}", timeout=10)
    assert answer.status_code == 200 and answer.json()["handle"]
    return str(answer.json()["handle"])


def test_handle_is_the_registry_roid_from_registration_on(
        member: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox) -> None:
    # Straight after the create, before any reconciliation: the create's answer has no ROID.
    register_name(member, organisation, contact, "roid.test")
    body = get("/rdap/domain/roid.test").json()
    assert body["handle"] == registry_handle(sandbox, "roid.test")


def test_transfer_out_pending_then_gone(member: Actor, organisation: Organisation,
                                        contact: Contact, rival: epp.Session) -> None:
    domain = register_name(member, organisation, contact, "partant.test")
    update.update(domain=domain, actor=member, locks={"transfer": False})
    code = transfer.reveal_auth_info(domain=domain, actor=member)
    rival.execute(epp.DomainTransfer("request", "partant.test", auth_info=code))
    process_poll_queue(domain.registry)  # the registry's message: a transfer out pending
    body = get("/rdap/domain/partant.test").json()
    assert body["status"] == ["pending transfer"]
    transfer.approve_transfer_out(domain=Domain.objects.get(pk=domain.pk), actor=member)
    gone = get("/rdap/domain/partant.test")
    assert gone.status_code == 404 and gone.json()["errorCode"] == 404


def test_transfer_in_answers_once_completed(member: Actor, organisation: Organisation,
                                            rival: epp.Session, sandbox: Sandbox) -> None:
    rival.execute(epp.ContactCreate("rival-h1", [epp.PostalInfo(
        "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",), pc="69001"))],
        "h@example.org", voice=epp.Phone("+33.478000000")))
    rival.execute(epp.DomainCreate("arrivant.test", registrant="rival-h1",
                                   auth_info="Code-2-Move!"))
    done = transfer.transfer_in(organisation=organisation, actor=member, name="arrivant.test",
                                auth_info="Code-2-Move!")
    # Requested, not ours yet: the registry's RDAP speaks for the name, not Bureau's.
    assert get("/rdap/domain/arrivant.test").status_code == 404
    rival.execute(epp.DomainTransfer("approve", "arrivant.test"))
    process_poll_queue(done.domain.registry)
    body = get("/rdap/domain/arrivant.test").json()
    assert body["handle"] == registry_handle(sandbox, "arrivant.test")
    actions = {e["eventAction"] for e in body["events"]}
    assert "transfer" in actions
    # The holder Bureau copied from the registry is redacted like any other.
    assert "Registrant Name" in {r["name"]["type"] for r in body["redacted"]}


def test_redemption_then_restored(member: Actor, organisation: Organisation, contact: Contact,
                                  sandbox: Sandbox) -> None:
    domain = register_name(member, organisation, contact, "etats.test")
    sandbox.clock.advance(days=30)  # past the add grace period: deletion goes to redemption
    done = delete.delete(domain=domain, actor=member)
    assert done.domain.state == DomainState.REDEMPTION
    body = get("/rdap/domain/etats.test").json()
    # The registry's statuses as the delete left them, with the transfer lock still on.
    assert body["status"] == ["client transfer prohibited", "pending delete",
                              "redemption period"]
    restore.restore(domain=done.domain, actor=member)
    assert "redemption period" not in get("/rdap/domain/etats.test").json()["status"]


@pytest.mark.parametrize(("path", "status"), [
    ("/rdap/domain/-bad-.test", 400),
    ("/rdap/domain/p%D0%B0ypal.test", 400),       # Cyrillic а among Latin letters
    ("/rdap/domain/exemple.nowhere", 404),
    ("/rdap/domain/absent.test", 404),
    ("/rdap/domain/" + "a" * 300, 400),
    ("/rdap/domains?name=ex*.test", 501),
    ("/rdap/nameserver/ns1.example.test", 501),
    ("/rdap/entity/nobody", 404),
    ("/rdap/entity/a%00b", 400),                  # the database refuses NUL: never a 500
    ("/rdap/domain/%00.test", 400),
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
    client = Client(REMOTE_ADDR="192.0.2.1")  # a client of its own: the counts above aside
    statuses = [client.get("/rdap/help").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/rdap/help")
    assert limited.json()["errorCode"] == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="192.0.2.9").get("/rdap/help").status_code == 200


def test_portal_consent_toggle_speaks_of_publication() -> None:
    from django.utils import translation

    from bureau.web.forms import ContactForm

    for language, words in (("en", "looks the name up (RDAP)"), ("fr", "consulte le nom (RDAP)")):
        with translation.override(language):
            form = ContactForm(organisation=None)
            assert words in str(form["disclose"].help_text)
