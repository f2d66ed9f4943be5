"""Each role may do exactly what its name says, through the pages; the permission map agrees
with the operations' own role sets."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from bureau.registrar.accounts import models as account_models
from bureau.registrar.accounts.models import Membership, Organisation, OrganisationPolicy, Role
from bureau.registrar.accounts.permissions import PERMISSIONS, Permission, allows
from bureau.registrar.domains.models import Domain, DomainEvent, Operation

from .conftest import client_for, make_person

# Also in the SQLite subset: DATABASE_URL=sqlite:///... pytest -m sqlite tests/web
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def person_with(org: Organisation, role: str) -> Client:
    user = make_person(f"{role}@example.org")
    Membership.objects.create(user=user, organisation=org, role=role)
    return client_for(user)


def test_the_map_agrees_with_the_operations() -> None:
    assert PERMISSIONS[Permission.ORDER] == account_models.ROLES_THAT_ORDER
    assert PERMISSIONS[Permission.MANAGE_DOMAINS] == account_models.ROLES_THAT_MANAGE_DOMAINS
    assert PERMISSIONS[Permission.MANAGE_MEMBERS] == account_models.ROLES_THAT_MANAGE_MEMBERS
    assert all(allows(role, Permission.VIEW) for role in Role.values)
    assert not any(allows(None, p) for p in Permission)
    read_only = [p for p in Permission if allows(Role.READ_ONLY, p)]
    assert read_only == [Permission.VIEW]


@pytest.mark.parametrize("role,allowed", [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.TECH, True),
    (Role.BILLING, False), (Role.READ_ONLY, False)])
def test_who_changes_name_servers(org_a: Organisation, domain_a: Domain, role: str,
                                  allowed: bool) -> None:
    client = person_with(org_a, role)
    response = client.post(f"/domains/{domain_a.pk}/nameservers/", {"nameservers": ""})
    if allowed:
        assert response.status_code != 403  # reaches the operation (offline registry here)
    else:
        assert response.status_code == 403
        domain_a.refresh_from_db()
        assert domain_a.nameservers == ["ns1.example.net"]


@pytest.mark.parametrize("role,allowed", [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.TECH, False),
    (Role.BILLING, False), (Role.READ_ONLY, False)])
def test_who_sees_the_transfer_code(org_a: Organisation, domain_a: Domain, role: str,
                                    allowed: bool) -> None:
    client = person_with(org_a, role)
    response = client.post(f"/domains/{domain_a.pk}/auth-code/")
    shown = b"Secret-Code-123" in response.content
    assert shown is allowed
    assert response.status_code == (200 if allowed else 403)
    reveals = DomainEvent.objects.filter(domain=domain_a, operation=Operation.AUTH_INFO_REVEAL)
    assert reveals.count() == (1 if allowed else 0)


def test_the_transfer_code_is_never_on_a_get(org_a: Organisation, domain_a: Domain,
                                             client_a: Client) -> None:
    assert b"Secret-Code-123" not in client_a.get(f"/domains/{domain_a.pk}/").content
    assert client_a.get(f"/domains/{domain_a.pk}/auth-code/").status_code == 405


@pytest.mark.parametrize("role,allowed", [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.BILLING, True),
    (Role.TECH, False), (Role.READ_ONLY, False)])
def test_who_orders(org_a: Organisation, role: str, allowed: bool) -> None:
    client = person_with(org_a, role)
    response = client.post("/cart/add/", {"name": "new.test", "price": 1200, "currency": "EUR"})
    assert (response.status_code == 403) is not allowed
    assert (client.get("/cart/").status_code == 200) is allowed


@pytest.mark.parametrize("role,allowed", [
    (Role.OWNER, True), (Role.ADMIN, True), (Role.TECH, False),
    (Role.BILLING, False), (Role.READ_ONLY, False)])
def test_who_edits_contacts(org_a: Organisation, role: str, allowed: bool) -> None:
    client = person_with(org_a, role)
    response = client.post("/contacts/new/", {
        "name": "Dominique", "email": "d@example.org", "phone": "+33.123456789",
        "street": "2 rue Haute", "city": "Lyon", "country": "FR"})
    assert (response.status_code == 302) is allowed
    assert org_a.contacts.filter(name="Dominique").exists() is allowed


def test_read_only_sees_everything_and_changes_nothing(org_a: Organisation,
                                                       domain_a: Domain) -> None:
    client = person_with(org_a, Role.READ_ONLY)
    for url in ["/domains/", f"/domains/{domain_a.pk}/", "/contacts/", "/balance/",
                "/organisation/"]:
        assert client.get(url).status_code == 200
    page = client.get(f"/domains/{domain_a.pk}/").content
    assert b"Save name servers" not in page and b"Show the transfer code" not in page
    assert client.post(f"/domains/{domain_a.pk}/delete/", {}).status_code == 403
    assert client.post("/organisation/invite/", {"email": "x@example.org",
                                                 "role": "owner"}).status_code == 403


def test_an_admin_invites_but_cannot_make_owners_or_change_security(
        org_a: Organisation, alice: User) -> None:
    client = person_with(org_a, Role.ADMIN)
    response = client.post("/organisation/invite/", {"email": "eve@example.org",
                                                     "role": "owner"})
    assert response.status_code == 400
    assert not org_a.invitations.exists()
    assert client.post("/organisation/invite/", {"email": "eve@example.org",
                                                 "role": "tech"}).status_code == 302
    owner = Membership.objects.get(user=alice, organisation=org_a)
    client.post(f"/organisation/people/{owner.pk}/", {"role": "read-only"})
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert client.post("/organisation/security/", {"require_2fa": "on"}).status_code == 403
    assert client.get("/organisation/audit/").status_code == 403
    assert not OrganisationPolicy.objects.filter(organisation=org_a, require_2fa=True).exists()


def test_the_last_owner_cannot_leave_or_step_down(client_a: Client, org_a: Organisation,
                                                  alice: User) -> None:
    own = Membership.objects.get(user=alice, organisation=org_a)
    client_a.post(f"/organisation/people/{own.pk}/", {"role": "admin"})
    client_a.post(f"/organisation/people/{own.pk}/", {"action": "remove"})
    own.refresh_from_db()
    assert own.role == Role.OWNER
