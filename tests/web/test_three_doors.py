"""One operation, three doors: a contact change, a renewal and a transfer-code reveal made
through the portal, the API and the `bureau` command give the same outcome at the sandbox
registry and leave the same history and security-log entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from bureau import epp
from bureau.audit.models import EventKind, SecurityEvent
from bureau.audit.operations import tokens
from bureau.audit.scopes import SCOPES
from bureau.core import clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainEvent, Operation, Outcome
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.connection import execute
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox

from .conftest import make_contact

pytestmark = pytest.mark.django_db

Door = Callable[[Domain], None]


@pytest.fixture
def api_a(alice: User, org_a: Organisation) -> APIClient:
    client = APIClient()
    secret = tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="doors",
                                 scopes=list(SCOPES)).secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def registered(alice: User, org_a: Organisation, sandbox_registry: Registry) -> Domain:
    ledger.top_up(org_a, 100_000, "EUR")
    return register.register(organisation=org_a, actor=Actor(alice), name="portes.test",
                             registrant=make_contact(org_a, "Holder")).domain


@pytest.fixture
def registry_clock(sandbox: Sandbox) -> Iterator[Sandbox]:
    with clock.use(sandbox.clock.now_datetime):
        yield sandbox


def cli(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def at_registry(registry: Registry, contact: Contact) -> epp.ContactInfoData:
    data = execute(registry, epp.ContactInfo(str(contact.handle_at(registry)))).data
    assert isinstance(data, epp.ContactInfoData)
    return data


def test_a_contact_change_reaches_the_registry_from_every_door(
        client_a: Client, api_a: APIClient, registered: Domain,
        sandbox_registry: Registry) -> None:
    holder = registered.registrant
    form = {"name": holder.name, "email": holder.email, "phone": holder.phone,
            "street": holder.street, "city": holder.city, "postal_code": holder.postal_code,
            "country": holder.country}

    def portal(city: str) -> None:
        response = client_a.post(f"/contacts/{holder.pk}/", {**form, "city": city})
        assert response.status_code == 302, response.content.decode()

    def api(city: str) -> None:
        response = api_a.patch(f"/api/v1/contacts/{holder.pk}/", {"city": city}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["registries_not_updated"] == []

    def command(city: str) -> None:
        assert "saved" in cli("contact", "--as", "alice", "update", str(holder.pk),
                              "--city", city)

    for door, city in ((portal, "Lyon"), (api, "Nantes"), (command, "Lille")):
        door(city)
        holder.refresh_from_db()
        assert holder.city == city
        (postal,) = at_registry(sandbox_registry, holder).postal_info
        assert postal.addr is not None and postal.addr.city == city, door.__name__

    # Refused alike: a control character, named on its field, and nothing sent.
    assert "U+001B" in client_a.post(f"/contacts/{holder.pk}/",
                                      {**form, "city": "Lyon\x1b"}).content.decode()
    assert "city" in api_a.patch(f"/api/v1/contacts/{holder.pk}/", {"city": "Lyon\x1b"},
                                 format="json").json()["errors"][0]["field"]
    with pytest.raises(CommandError, match=r"--city: .*U\+001B"):
        cli("contact", "--as", "alice", "update", str(holder.pk), "--city", "Lyon\x1b")
    (postal,) = at_registry(sandbox_registry, holder).postal_info
    assert postal.addr is not None and postal.addr.city == "Lille"


def renewals(domain: Domain) -> list[tuple[str, str, str | None]]:
    return [(e.outcome, e.actor_label, e.actor.username if e.actor else None)
            for e in DomainEvent.objects.filter(domain_name=domain.name,
                                                operation=Operation.RENEW).order_by("at")]


def test_a_renewal_is_the_holders_renew_from_every_door(
        client_a: Client, api_a: APIClient, registered: Domain, org_a: Organisation,
        registry_clock: Sandbox) -> None:
    url = f"/domains/{registered.pk}/renew/"
    doors: list[Door] = [
        lambda d: _ok(client_a.post(url, {"period": 1, "accepted_price": 1000}), 302),
        lambda d: _ok(api_a.post(f"/api/v1/domains/{d.name}/renew/", {"period": 1},
                                 format="json"), 200),
        lambda d: cli("domain", "--as", "alice", "renew", d.name) and None,
    ]
    for door in doors:
        registered.refresh_from_db()
        before, balance = registered.expires_at, ledger.balance(org_a, "EUR")
        assert before is not None
        door(registered)
        registered.refresh_from_db()
        assert registered.expires_at == before.replace(year=before.year + 1)
        assert ledger.balance(org_a, "EUR") == balance - 1000
    assert [(outcome, user) for outcome, _label, user in renewals(registered)] == \
        [(Outcome.SUCCESS, "alice")] * 3

    # After expiry, the command keeps the registry's auto-renewal year, as the portal does.
    expiry = registered.expires_at
    assert expiry is not None
    registry_clock.clock.advance(seconds=(expiry + timedelta(days=3) - clock.now())
                                 .total_seconds())
    balance = ledger.balance(org_a, "EUR")
    cli("domain", "--as", "alice", "renew", registered.name)
    registered.refresh_from_db()
    assert registered.expires_at is not None
    assert registered.expires_at.date() == expiry.replace(year=expiry.year + 1).date()
    assert ledger.balance(org_a, "EUR") == balance - 1000


def _ok(response: object, status: int) -> None:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]


def test_a_transfer_code_reveal_is_logged_alike_from_every_door(
        client_a: Client, api_a: APIClient, registered: Domain, alice: User,
        org_a: Organisation) -> None:
    code = str(registered.auth_info)
    shown = [
        client_a.post(f"/domains/{registered.pk}/auth-code/").content.decode(),
        api_a.post(f"/api/v1/domains/{registered.name}/auth-code/").json()["auth_code"],
        cli("domain", "--as", "alice", "authinfo", registered.name),
    ]
    assert all(code in text for text in shown)
    history = DomainEvent.objects.filter(domain_name=registered.name,
                                         operation=Operation.AUTH_INFO_REVEAL).order_by("at")
    assert [(e.outcome, e.actor) for e in history] == [(Outcome.SUCCESS, alice)] * 3
    events = SecurityEvent.objects.filter(kind=EventKind.AUTH_CODE_REVEALED).order_by("at")
    assert [(e.user, e.organisation, e.detail["domain"]) for e in events] == \
        [(alice, org_a, registered.name)] * 3
    vias = [e.detail["via"] for e in events]
    assert vias[0] == "portal" and vias[1].startswith("api-token:") and vias[2] == "cli"
    assert [e.actor_label for e in history] == vias
    assert events[0].ip_address == "127.0.0.1" and events[1].ip_address == "127.0.0.1"


def test_a_contact_is_deleted_here_and_at_the_registry_from_every_door(
        client_a: Client, api_a: APIClient, registered: Domain, org_a: Organisation,
        sandbox_registry: Registry) -> None:
    from bureau.registrar.operations.handles import ensure_handle

    def portal(contact: Contact) -> str:
        response = client_a.post(f"/contacts/{contact.pk}/delete/", follow=True)
        return response.content.decode()

    def api(contact: Contact) -> str:
        response = api_a.delete(f"/api/v1/contacts/{contact.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        return "" if response.status_code == 204 else response.json()["detail"]

    def command(contact: Contact) -> str:
        try:
            return cli("contact", "--as", "alice", "delete", str(contact.pk))
        except CommandError as exc:
            return str(exc)

    holder = registered.registrant
    for door in (portal, api, command):
        # In use by a name: refused alike, kept here and at the registry.
        assert "give those names another contact first" in door(holder), door.__name__
        assert Contact.objects.filter(pk=holder.pk).exists()
        assert at_registry(sandbox_registry, holder).id == holder.handle_at(sandbox_registry)
        # Unused: gone here and at the registry.
        spare = make_contact(org_a, f"Spare {door.__name__}")
        handle = ensure_handle(spare, sandbox_registry)
        door(spare)
        assert not Contact.objects.filter(pk=spare.pk).exists(), door.__name__
        with pytest.raises(epp.CommandFailed) as refused:
            execute(sandbox_registry, epp.ContactInfo(handle))
        assert refused.value.code == 2303, door.__name__  # object does not exist
