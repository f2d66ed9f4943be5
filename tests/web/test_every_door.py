"""Every state-changing operation with more than one door, run through each (the portal, the
API, the `bureau` command where it has one): the same effect, the same history or security
log entry naming the door, the same refusals (re-authentication before sensitive actions, the
organisation's 2FA requirement). tests/doors.py holds the person at the doors; the contact
change, the renewal and the transfer-code reveal are in test_three_doors.py, a DNS change in
tests/dns/test_dns_doors.py.

The `bureau` command acts from the server's console: it asks no password again, but it
refuses a person without the second factor their organisation requires, and the operations
check the person's role."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from doors import Doors, asks_for_2fa, asks_to_reauthenticate, history, security_log
from rest_framework.test import APIClient

from bureau import epp
from bureau.audit.models import ApiToken, EventKind, Invitation
from bureau.audit.operations import tokens
from bureau.audit.operations.members import set_require_2fa
from bureau.notices.goodbye import checklist
from bureau.notices.models import Goodbye
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Order
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation, Outcome
from bureau.registrar.operations import register, update
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.poll import process_poll_queue
from bureau.registrar.registries.connection import execute
from bureau.registrar.registries.models import Registry
from bureau.sandbox.testing import Sandbox

from .conftest import make_contact, make_person

pytestmark = pytest.mark.django_db

DOORS = ["portal", "api", "cli"]
FUNDS = 100_000


@pytest.fixture
def holder(alice: User, org_a: Organisation, sandbox_registry: Registry) -> Contact:
    ledger.top_up(org_a, FUNDS, "EUR")
    return make_contact(org_a, "Holder")


def registered(org_a: Organisation, alice: User, holder: Contact, *names: str) -> list[Domain]:
    return [register.register(organisation=org_a, actor=Actor(alice), name=name,
                              registrant=holder).domain for name in names]


def spent(org_a: Organisation) -> int:
    return FUNDS - ledger.balance(org_a, "EUR")


# --- Names ---------------------------------------------------------------------------------

def test_a_registration_from_every_door(alice: User, org_a: Organisation, holder: Contact,
                                        sandbox: Sandbox) -> None:
    doors = Doors(alice)
    portal = doors.portal()
    portal.post("/cart/add/", {"name": "porte-portal.test", "price": 1000, "currency": "EUR"})
    assert portal.post("/cart/checkout/", {"registrant": holder.pk, "period": 1,
                                           "dns": "later"}).status_code == 302
    assert doors.api().post("/api/v1/domains/", {
        "name": "porte-api.test", "registrant": holder.pk, "dns": "later"},
        format="json").status_code == 201
    doors.cli("domain", "register", "porte-cli.test", "--org", org_a.slug, "--holder",
              str(holder.pk), "--dns", "later")
    at_registry = {d["name"]: d for d in sandbox.domains()}
    for door in DOORS:
        name = f"porte-{door}.test"
        assert Domain.objects.get(name=name).state == DomainState.ACTIVE
        assert at_registry[name]["clid"] == "bureau"
        assert history(name, Operation.CREATE) == [(Outcome.SUCCESS, alice, door)]
    assert spent(org_a) == 3 * 1000

    # Refused alike, nothing ordered: a label mixing Latin and Cyrillic.
    mixed = "p\u0430ypal.test"
    portal.post("/cart/add/", {"name": mixed, "price": 1000, "currency": "EUR"})
    portal.post("/cart/checkout/", {"registrant": holder.pk, "period": 1, "dns": "later"})
    assert doors.api().post("/api/v1/domains/", {"name": mixed, "registrant": holder.pk},
                            format="json").status_code == 422
    with pytest.raises(CommandError, match="script"):
        doors.cli("domain", "register", mixed, "--org", org_a.slug, "--dns", "later")
    assert Order.objects.count() == 3 and spent(org_a) == 3 * 1000


def test_a_goodbye_then_a_restore_from_every_door(alice: User, org_a: Organisation,
                                                 holder: Contact, sandbox: Sandbox) -> None:
    names = {door: f"adieu-{door}.test" for door in DOORS}
    domains = dict(zip(DOORS, registered(org_a, alice, holder, *names.values()), strict=True))
    sandbox.clock.advance(days=6)  # past the add grace period: deletion goes to redemption
    ticked = [item.key for item in checklist()]

    def portal_goodbye(doors: Doors, name: str) -> object:
        return doors.portal().post(f"/notices/goodbye/{name}/", {
            "mode": "delete", "checked": ticked, "typed_name": name})

    def api_goodbye(doors: Doors, name: str) -> object:
        return doors.api().post(f"/api/v1/domains/{name}/goodbye/", {
            "mode": "delete", "checklist": ticked, "typed_name": name}, format="json")

    # A session that must re-authenticate deletes nothing (the console is trusted).
    stale = Doors(alice).stale()
    assert asks_to_reauthenticate(portal_goodbye(stale, names["portal"]))
    assert asks_to_reauthenticate(api_goodbye(stale, names["api"]))
    assert not Goodbye.objects.exists()

    doors = Doors(alice)
    portal_goodbye(doors, names["portal"])
    api_goodbye(doors, names["api"])
    doors.cli("domain", "delete", names["cli"])
    for door, name in names.items():
        domain = Domain.objects.get(pk=domains[door].pk)
        assert domain.state == DomainState.REDEMPTION, door
        assert "pendingDelete" in execute(domain.registry, epp.DomainInfo(name)).data \
            .status_values
        assert Goodbye.objects.get(domain=domain).confirmed_by == alice
        # The registry answers a deletion out of the add grace period with "pending".
        assert history(name, Operation.DELETE) == [(Outcome.PENDING, alice, door)]

    before = spent(org_a)
    price = domains["cli"].tld.restore_price
    portal = doors.portal()
    assert portal.post(f"/domains/{domains['portal'].pk}/restore/",
                       {"accepted_price": price}).status_code == 302
    assert doors.api().post(f"/api/v1/domains/{names['api']}/restore/", {},
                            format="json").status_code == 200
    doors.cli("domain", "restore", names["cli"])
    for door, name in names.items():
        assert Domain.objects.get(pk=domains[door].pk).state == DomainState.ACTIVE, door
        assert "pendingDelete" not in execute(domains[door].registry,
                                              epp.DomainInfo(name)).data.status_values
        assert (Outcome.SUCCESS, alice, door) in history(name, Operation.RESTORE)
    assert spent(org_a) == before + 3 * price


def test_name_servers_changed_from_every_door(alice: User, org_a: Organisation,
                                              holder: Contact) -> None:
    (domain,) = registered(org_a, alice, holder, "serveurs.test")
    doors = Doors(alice)
    hosts = {door: [f"ns1.{door}.example.net", f"ns2.{door}.example.net"] for door in DOORS}
    assert doors.portal().post(f"/domains/{domain.pk}/nameservers/", {
        "nameservers": "\n".join(hosts["portal"])}).status_code == 302
    assert Domain.objects.get(pk=domain.pk).nameservers == hosts["portal"]
    assert doors.api().patch(f"/api/v1/domains/{domain.name}/", {
        "nameservers": hosts["api"]}, format="json").status_code == 200
    assert Domain.objects.get(pk=domain.pk).nameservers == hosts["api"]
    doors.cli("domain", "nameservers", domain.name, *hosts["cli"])
    data = execute(domain.registry, epp.DomainInfo(domain.name)).data
    assert sorted(str(ns) for ns in data.nameservers) == hosts["cli"]
    assert [door for _outcome, _who, door in history(domain.name, Operation.UPDATE)][-3:] \
        == DOORS


def test_a_new_holder_and_locks_set_at_both_doors(alice: User, org_a: Organisation,
                                                  holder: Contact,
                                                  sandbox_registry: Registry) -> None:
    names = {"portal": "verrous-portal.test", "api": "verrous-api.test"}
    domains = dict(zip(names, registered(org_a, alice, holder, *names.values()), strict=True))
    doors = Doors(alice)
    new = make_contact(org_a, "New Holder")

    def portal(domain: Domain, consent: bool) -> object:
        return doors.portal().post(f"/domains/{domain.pk}/holder/", {
            "new_registrant": new.pk, "old_holder_consent": "on",
            **({"new_holder_consent": "on"} if consent else {})})

    def api(domain: Domain, consent: bool) -> object:
        return doors.api().post(f"/api/v1/domains/{domain.name}/holder/", {
            "registrant": new.pk, "old_holder_consent": True, "new_holder_consent": consent},
            format="json")

    # Refused alike without the new holder's consent, then done at both.
    for door, change in (("portal", portal), ("api", api)):
        domain = domains[door]
        change(domain, False)
        assert Domain.objects.get(pk=domain.pk).registrant == holder, door
        change(domain, True)
        assert Domain.objects.get(pk=domain.pk).registrant == new, door
        registrant = execute(sandbox_registry, epp.DomainInfo(domain.name)).data.registrant
        assert registrant == new.handle_at(sandbox_registry), door
        assert history(domain.name, Operation.REGISTRANT_CHANGE)[-1] == \
            (Outcome.SUCCESS, alice, door)

    assert doors.portal().post(f"/domains/{domains['portal'].pk}/locks/", {
        "transfer": "on", "update": "on", "delete": "on"}).status_code == 302
    assert doors.api().patch(f"/api/v1/domains/{names['api']}/", {"locks": {
        "transfer": True, "update": True, "delete": True}}, format="json").status_code == 200
    held = [{s for s in execute(sandbox_registry, epp.DomainInfo(name)).data.status_values
             if s.startswith("client")} for name in names.values()]
    assert held[0] == held[1] and {"clientTransferProhibited", "clientUpdateProhibited",
                                   "clientDeleteProhibited"} <= held[0]
    for door, name in names.items():  # the update lock was off: each door set it
        assert history(name, Operation.UPDATE)[-1] == (Outcome.SUCCESS, alice, door)


# --- Account and organisation --------------------------------------------------------------

def test_a_token_created_and_revoked_at_every_door(alice: User, org_a: Organisation) -> None:
    expires = (date.today() + timedelta(days=30)).isoformat()

    def portal_create(doors: Doors) -> object:
        return doors.portal().post("/account/tokens/", {
            "name": "portal", "scopes": ["domains:read"], "expires_on": expires})

    def api_create(doors: Doors) -> object:
        return doors.api().post("/api/v1/tokens/", {"name": "api", "scopes": ["domains:read"]},
                                format="json")

    def cli_create(doors: Doors) -> str:
        return doors.cli("token", "create", "--org", org_a.slug, "--name", "cli", "--scopes",
                         "domains:read", "--days", "30")

    # Refused alike: a session to re-authenticate, then the organisation's 2FA requirement.
    for create in (portal_create, api_create):
        assert asks_to_reauthenticate(create(Doors(alice).stale()))
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    set_require_2fa(organisation=org_a, actor=Actor.console(alice), required=True)
    Authenticator.objects.filter(user=alice).delete()
    for create in (portal_create, api_create):
        assert asks_for_2fa(create(Doors(alice)))
    with pytest.raises(CommandError, match="requires two-factor"):
        cli_create(Doors(alice))
    assert not ApiToken.objects.exists()
    # The requirement kept: with a second factor, both doors let the person through.
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})

    doors = Doors(alice)
    portal_create(doors)
    assert api_create(doors).status_code == 201  # type: ignore[attr-defined]
    shown = cli_create(doors)
    assert sorted(ApiToken.objects.filter(revoked_at=None).values_list("name", flat=True)) \
        == ["api", "cli", "portal"]
    assert [door for _who, _org, door in security_log(EventKind.TOKEN_CREATED)] == \
        ["portal", "api", "cli"]
    # The token the command showed, once, is one that works.
    secret = next(word for word in shown.split() if word.startswith(tokens.TOKEN_PREFIX))
    bearer = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/domains/").status_code == 200
    # Someone else's token: the command refuses a person who may not manage the organisation.
    stranger = make_person("stranger@example.org")
    Membership.objects.create(user=stranger, organisation=org_a, role=Role.TECH)
    with pytest.raises(CommandError, match="requires two-factor"):  # org_a requires it
        Doors(stranger).cli("token", "list")
    Authenticator.objects.create(user=stranger, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    cli_token = ApiToken.objects.get(name="cli")
    with pytest.raises(CommandError, match="not yours"):
        Doors(stranger).cli("token", "revoke", str(cli_token.pk))
    assert "cli" in doors.cli("token", "list")

    portal_token, api_token = (ApiToken.objects.get(name=n) for n in ("portal", "api"))
    assert doors.portal().post(f"/account/tokens/{portal_token.pk}/revoke/").status_code == 302
    assert doors.api().delete(f"/api/v1/tokens/{api_token.pk}/").status_code == 204
    doors.cli("token", "revoke", str(cli_token.pk))
    assert not ApiToken.objects.filter(revoked_at=None).exists()
    assert bearer.get("/api/v1/domains/").status_code == 401
    assert [(who, door) for who, _org, door in security_log(EventKind.TOKEN_REVOKED)] == \
        [(alice, "portal"), (alice, "api"), (alice, "cli")]


def test_a_role_changed_and_a_person_removed_at_every_door(alice: User, org_a: Organisation,
                                                            ) -> None:
    people = {door: Membership.objects.create(
        user=make_person(f"{door}@example.org"), organisation=org_a, role=Role.READ_ONLY)
        for door in DOORS}

    def portal(doors: Doors, who: Membership, data: dict[str, str]) -> object:
        return doors.portal().post(f"/organisation/people/{who.pk}/", data)

    def api(doors: Doors, who: Membership, data: dict[str, str]) -> object:
        url = f"/api/v1/organisations/{org_a.slug}/members/{who.pk}/"
        client = doors.api()
        return client.delete(url) if data.get("action") == "remove" \
            else client.patch(url, data, format="json")

    def cli(doors: Doors, who: Membership, data: dict[str, str]) -> object:
        if data.get("action") == "remove":
            return doors.cli("people", "remove", who.user.email, "--org", org_a.slug)
        return doors.cli("people", "role", who.user.email, data["role"], "--org", org_a.slug)

    stale = Doors(alice).stale()
    for door, change in (("portal", portal), ("api", api)):
        assert asks_to_reauthenticate(change(stale, people[door], {"role": Role.TECH}))
        assert asks_to_reauthenticate(change(stale, people[door], {"action": "remove"}))
    assert set(Membership.objects.filter(pk__in=[m.pk for m in people.values()])
               .values_list("role", flat=True)) == {Role.READ_ONLY}

    # Refused alike: a role that does not exist, the last owner demoted.
    owner = Membership.objects.get(user=alice, organisation=org_a)
    assert doors_refuse(Doors(alice), portal, api, cli, people, owner)

    doors = Doors(alice)
    for door, change in (("portal", portal), ("api", api), ("cli", cli)):
        change(doors, people[door], {"role": Role.TECH})
        assert Membership.objects.get(pk=people[door].pk).role == Role.TECH, door
    assert [(who, org, door) for who, org, door in security_log(EventKind.ROLE_CHANGED)] == \
        [(alice, org_a.slug, door) for door in DOORS]
    assert "cli@example.org" in doors.cli("people", "list", "--org", org_a.slug)
    for door, change in (("portal", portal), ("api", api), ("cli", cli)):
        change(doors, people[door], {"action": "remove"})
        assert not Membership.objects.filter(pk=people[door].pk).exists(), door
    assert [door for _who, _org, door in security_log(EventKind.MEMBER_REMOVED)] == DOORS


def doors_refuse(doors: Doors, portal: Any, api: Any, cli: Any,
                 people: dict[str, Membership], owner: Membership) -> bool:
    """A role that does not exist and the last owner's demotion are refused at each door,
    nothing changed."""
    assert portal(doors, people["portal"], {"role": "emperor"}).status_code == 302
    assert api(doors, people["api"], {"role": "emperor"}).status_code in (400, 422)
    with pytest.raises(CommandError, match="roles listed"):
        cli(doors, people["cli"], {"role": "emperor"})
    api(doors, owner, {"role": Role.TECH})
    with pytest.raises(CommandError, match="at least one owner"):
        cli(doors, owner, {"role": Role.TECH})
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER
    assert set(Membership.objects.filter(pk__in=[m.pk for m in people.values()])
               .values_list("role", flat=True)) == {Role.READ_ONLY}
    return not security_log(EventKind.ROLE_CHANGED)


def test_an_invitation_sent_and_withdrawn_at_every_door(alice: User, org_a: Organisation,
                                                         mailoutbox: list[Any]) -> None:
    doors = Doors(alice)
    assert doors.portal().post("/organisation/invite/", {
        "email": "portal@example.org", "role": Role.TECH}).status_code == 302
    assert doors.api().post(f"/api/v1/organisations/{org_a.slug}/invitations/", {
        "email": "api@example.org", "role": Role.TECH}, format="json").status_code == 201
    doors.cli("invitation", "invite", "cli@example.org", "--org", org_a.slug, "--role",
              Role.TECH)
    sent = {i.email: i for i in Invitation.objects.all()}
    assert set(sent) == {f"{door}@example.org" for door in DOORS}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(sent)
    assert all("/invitations/" in m.body for m in mailoutbox)
    assert [door for _who, _org, door in security_log(EventKind.MEMBER_INVITED)] == DOORS
    # Refused alike: someone already in the organisation.
    with pytest.raises(CommandError, match="already a member"):
        doors.cli("invitation", "invite", alice.email, "--org", org_a.slug, "--role",
                  Role.TECH)
    assert "cli@example.org" in doors.cli("invitation", "list", "--org", org_a.slug)
    assert doors.portal().post(
        f"/organisation/invitations/{sent['portal@example.org'].pk}/withdraw/"
    ).status_code == 302
    assert doors.api().delete(f"/api/v1/organisations/{org_a.slug}/invitations/"
                              f"{sent['api@example.org'].pk}/").status_code == 204
    doors.cli("invitation", "withdraw", str(sent["cli@example.org"].pk))
    assert not any(i.is_open for i in Invitation.objects.all())
    assert [door for _who, _org, door in security_log(EventKind.INVITATION_WITHDRAWN)] == DOORS


# --- Transfers -----------------------------------------------------------------------------


def test_a_transfer_in_from_every_door(alice: User, org_a: Organisation, holder: Contact,
                                       rival: epp.Session,
                                       sandbox_registry: Registry) -> None:
    rival.execute(epp.ContactCreate("rival-h", [epp.PostalInfo(
        "int", "Rival Holder", epp.Address("Lyon", "FR", ("1 quai",)))], "h@example.org"))
    names = {door: f"arrivee-{door}.test" for door in DOORS}
    for name in names.values():
        rival.execute(epp.DomainCreate(name, registrant="rival-h", auth_info="Code-2-Move!"))
    doors = Doors(alice)
    assert doors.portal().post("/transfer/", {"name": names["portal"],
                                              "auth_code": "Code-2-Move!",
                                              "accepted_price": 1000}).status_code == 302
    assert doors.api().post("/api/v1/transfers/", {"name": names["api"],
                                                   "auth_code": "Code-2-Move!"},
                            format="json").status_code in (200, 201, 202)
    doors.cli("domain", "transfer-in", names["cli"], "--org", org_a.slug, "--code",
              "Code-2-Move!")
    assert spent(org_a) == 3 * 1000
    for name in names.values():
        rival.execute(epp.DomainTransfer("approve", name))
    process_poll_queue(sandbox_registry)
    for door, name in names.items():
        domain = Domain.objects.get(name=name)
        assert domain.state == DomainState.ACTIVE and domain.organisation == org_a, door
        assert history(name, Operation.TRANSFER_REQUEST)[0][1:] == (alice, door)

    # Refused alike, nothing kept: a wrong code.
    rival.execute(epp.DomainCreate("reste.test", registrant="rival-h", auth_info="Le-Bon-1!"))
    doors.portal().post("/transfer/", {"name": "reste.test", "auth_code": "Pas-le-bon",
                                       "accepted_price": 1000})
    assert doors.api().post("/api/v1/transfers/", {"name": "reste.test",
                                                   "auth_code": "Pas-le-bon"},
                            format="json").status_code >= 400
    with pytest.raises(CommandError, match="refused"):
        doors.cli("domain", "transfer-in", "reste.test", "--org", org_a.slug, "--code",
                  "Pas-le-bon")
    assert spent(org_a) == 3 * 1000


def test_a_transfer_out_answered_from_every_door(alice: User, org_a: Organisation,
                                                 holder: Contact, rival: epp.Session,
                                                 sandbox_registry: Registry) -> None:
    names = {door: f"depart-{door}.test" for door in DOORS}
    for domain in registered(org_a, alice, holder, *names.values()):
        update.update(domain=domain, actor=Actor.system("test"), locks={"transfer": False})
        rival.execute(epp.DomainTransfer("request", domain.name,
                                         auth_info=str(domain.auth_info)))
    process_poll_queue(sandbox_registry)
    assert {d.state for d in Domain.objects.filter(name__in=names.values())} == \
        {DomainState.PENDING_TRANSFER_OUT}
    doors = Doors(alice)
    domain = Domain.objects.get(name=names["portal"])
    assert doors.portal().post(f"/domains/{domain.pk}/transfer-out/",
                               {"reply": "approve"}).status_code == 302
    assert doors.api().post(f"/api/v1/domains/{names['api']}/transfer-out/approve/",
                            format="json").status_code == 200
    doors.cli("domain", "reject-out", names["cli"])
    for door, name in names.items():
        info = execute(sandbox_registry, epp.DomainInfo(name)).data
        assert info.sponsor == ("bureau" if door == "cli" else "rival"), door
        assert (Domain.objects.filter(name=name, state=DomainState.ACTIVE).exists()
                == (door == "cli")), door
        operation = Operation.TRANSFER_REJECT if door == "cli" else Operation.TRANSFER_APPROVE
        assert history(name, operation) == [(Outcome.SUCCESS, alice, door)]


def test_the_2fa_requirement_set_and_lifted_at_every_door(alice: User,
                                                           org_a: Organisation) -> None:
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    url = f"/api/v1/organisations/{org_a.slug}/security/"

    def portal(doors: Doors, required: bool) -> object:
        return doors.portal().post("/organisation/security/", {
            "save": "", **({"require_2fa": "on"} if required else {})})

    def api(doors: Doors, required: bool) -> object:
        return doors.api().patch(url, {"require_2fa": required}, format="json")

    def cli(doors: Doors, required: bool) -> object:
        return doors.cli("security", "require-2fa", "on" if required else "off", "--org",
                         org_a.slug)

    def required() -> bool:
        return bool(Doors(alice).api().get(url).json()["require_2fa"])

    for door, change in (("portal", portal), ("api", api)):
        change(Doors(alice), True)
        assert required(), door
        # Lifting it is what an intruder would do: a stale session is asked again.
        assert asks_to_reauthenticate(change(Doors(alice).stale(), False)), door
        assert required(), door
        change(Doors(alice), False)
        assert not required(), door
    # The console asks no password again.
    cli(Doors(alice).stale(), True)
    assert required()
    assert "not required" not in Doors(alice).cli("security", "show", "--org", org_a.slug)
    cli(Doors(alice).stale(), False)
    assert not required()
    assert [door for _who, _org, door in security_log(EventKind.POLICY_CHANGED)] == \
        ["portal", "portal", "api", "api", "cli", "cli"]
    # Refused alike to a person whose role does not allow it.
    tech = make_person("tech@example.org")
    Membership.objects.create(user=tech, organisation=org_a, role=Role.TECH)
    with pytest.raises(CommandError, match="does not allow"):
        cli(Doors(tech), True)
    assert not required()
    # A token may read the policy, never change it.
    secret = tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="t",
                                 scopes=["org:read", "org:admin"]).secret
    bearer = APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get(url).json() == {"require_2fa": False}
    refused = bearer.patch(url, {"require_2fa": True}, format="json")
    assert refused.status_code == 403 and "not with an API token" in refused.json()["detail"]
    assert not required()
