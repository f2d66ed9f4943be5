"""The API's doors apply the portal's rules: the organisation's 2FA requirement (session and
token alike), re-authentication before sensitive actions with a session (403 problem with
the address to re-authenticate at), tokens that cannot mint tokens, and a new password that
revokes every token (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone, translation
from logins import authenticated
from rest_framework.test import APIClient

from bureau.audit.models import ApiToken, EventKind, SecurityEvent
from bureau.audit.operations import tokens
from bureau.audit.operations.members import set_require_2fa
from bureau.core.credentials import Credential, Kind, ReauthenticationRequired
from bureau.notices.goodbye import checklist
from bureau.registrar.accounts.models import Membership, Organisation
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState
from bureau.registrar.operations.common import Actor
from bureau.registrar.registries.models import Registry, Tld

from .conftest import contact_of

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
PROBLEM = "application/problem+json"
STALE = 3600  # seconds since the password: past ACCOUNT_REAUTHENTICATION_TIMEOUT
CODE = "Secret-Code-123"


@pytest.fixture
def name_a(org_a: Organisation) -> Domain:
    """A name of A, stored directly: revealing its code asks nothing of the registry."""
    registry = Registry.objects.create(name="Offline", slug="offline", host="127.0.0.1",
                                       port=9, client_id="bureau", password="x")
    tld = Tld.objects.create(registry=registry, name="test", create_price=1200,
                             renew_price=1200, transfer_price=1000, restore_price=5000)
    return Domain.objects.create(
        name="door.test", tld=tld, organisation=org_a, registrant=contact_of(org_a),
        state=DomainState.ACTIVE, registered_at=timezone.now() - timedelta(days=100),
        expires_at=timezone.now() + timedelta(days=200), auth_info=CODE, statuses=["ok"])


def session(user: User, *, ago: float = 0.0) -> APIClient:
    return authenticated(APIClient(HTTP_ACCEPT_LANGUAGE="en"), user, ago=ago)


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def with_totp(user: User) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})


def assert_needs_2fa(response: Any) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == PROBLEM
    assert "requires two-factor authentication" in response.json()["detail"]
    assert "/accounts/2fa/totp/activate" in response.json()["detail"]


# --- The organisation's 2FA requirement ----------------------------------------------------

def test_a_session_without_the_required_2fa_gets_403_on_every_call(
        people: dict[str, User], org_a: Organisation, name_a: Domain) -> None:
    tess = people["tess"]
    client = session(tess)
    assert client.get("/api/v1/domains/").status_code == 200
    set_require_2fa(organisation=org_a, actor=Actor.console(people["alice"]), required=True)
    assert_needs_2fa(client.get("/api/v1/domains/"))
    assert_needs_2fa(client.post("/api/v1/tokens/", {"name": "x", "scopes": ["domains:read"]},
                                 format="json"))
    owner = session(people["alice"])  # who turned it on, and has no second factor either
    assert_needs_2fa(owner.post("/api/v1/domains/door.test/auth-code/"))
    assert not ApiToken.objects.exists()
    assert not DomainEvent.objects.filter(operation="auth-info-reveal").exists()
    # With a second factor, the same session goes through.
    with_totp(tess)
    assert client.get("/api/v1/domains/").status_code == 200


def test_a_token_of_a_person_without_the_required_2fa_is_refused(
        people: dict[str, User], org_a: Organisation, org_b: Organisation,
        make_token: Callable[..., str]) -> None:
    a_token = bearer(make_token("alice", ("domains:read",)))
    b_token = bearer(make_token("bob", ("domains:read",)))
    set_require_2fa(organisation=org_a, actor=Actor.console(people["alice"]), required=True)
    assert_needs_2fa(a_token.get("/api/v1/domains/"))
    assert b_token.get("/api/v1/domains/").status_code == 200  # B requires nothing
    with_totp(people["alice"])
    assert a_token.get("/api/v1/domains/").status_code == 200


def test_no_token_escapes_the_policy(people: dict[str, User], org_a: Organisation) -> None:
    set_require_2fa(organisation=org_a, actor=Actor.console(people["alice"]), required=True)
    with pytest.raises(tokens.TokenForbidden, match="requires two-factor"):
        tokens.create_token(actor=Actor.console(people["alice"]), organisation=org_a, name="x",
                            scopes=["domains:read"])
    assert not ApiToken.objects.exists()


# --- Re-authentication before sensitive actions --------------------------------------------

def assert_reauthenticate(response: Any) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/reauthentication-required")
    assert body["reauthenticate_url"] == "http://testserver/accounts/reauthenticate/"
    assert "password" in body["detail"]


def test_a_stale_session_must_reauthenticate_before_sensitive_actions(
        people: dict[str, User], org_a: Organisation, name_a: Domain) -> None:
    alice = people["alice"]
    stale = session(alice, ago=STALE)
    assert stale.get("/api/v1/domains/").status_code == 200  # reading needs nothing more
    assert_reauthenticate(stale.post("/api/v1/domains/door.test/auth-code/"))
    assert_reauthenticate(stale.post("/api/v1/tokens/", {"name": "x",
                                                         "scopes": ["domains:read"]},
                                     format="json"))
    rita = Membership.objects.get(user=people["rita"])
    members = f"/api/v1/organisations/atelier-a/members/{rita.pk}/"
    assert_reauthenticate(stale.patch(members, {"role": "tech"}, format="json"))
    assert_reauthenticate(stale.delete(members))
    assert_reauthenticate(stale.post("/api/v1/domains/door.test/goodbye/", {
        "mode": "delete", "checklist": [item.key for item in checklist()],
        "typed_name": "door.test"}, format="json"))
    # Nothing happened.
    assert not ApiToken.objects.exists()
    assert Membership.objects.get(pk=rita.pk).role == "read-only"
    assert not DomainEvent.objects.filter(operation="auth-info-reveal").exists()
    assert not SecurityEvent.objects.filter(kind__in=[EventKind.AUTH_CODE_REVEALED,
                                                      EventKind.ROLE_CHANGED]).exists()
    # The same person who just entered their password does it all.
    fresh = session(alice)
    assert fresh.post("/api/v1/domains/door.test/auth-code/").json()["auth_code"] == CODE
    assert fresh.patch(members, {"role": "tech"}, format="json").status_code == 200
    assert fresh.post("/api/v1/tokens/", {"name": "x", "scopes": ["domains:read"]},
                      format="json").status_code == 201


def test_a_token_needs_its_scope_not_a_session(make_token: Callable[..., str],
                                               name_a: Domain) -> None:
    """Bearer tokens have no session to re-authenticate: the scope is their consent."""
    assert bearer(make_token("alice", ("domains:read",))).post(
        "/api/v1/domains/door.test/auth-code/").status_code == 403
    revealed = bearer(make_token("alice", ("domains:transfer",))).post(
        "/api/v1/domains/door.test/auth-code/")
    assert revealed.status_code == 200 and revealed.json()["auth_code"] == CODE


def test_the_rule_lives_in_the_credential() -> None:
    assert Credential(Kind.SESSION, 1000.0).is_recent(now=1000.0 + 299)
    assert not Credential(Kind.SESSION, 1000.0).is_recent(now=1000.0 + 300)
    assert not Credential(Kind.SESSION, None).is_recent()
    assert Credential.console().is_recent() and Credential.token().is_recent()
    from bureau.core.credentials import require_recent_authentication

    with pytest.raises(ReauthenticationRequired):
        require_recent_authentication(None)  # an edge that did not say: never


# --- A new password revokes the tokens -----------------------------------------------------

def test_a_password_changed_by_an_operator_revokes_the_tokens(
        people: dict[str, User], make_token: Callable[..., str],
        django_capture_on_commit_callbacks: Any) -> None:
    secret = make_token("alice", ("domains:read",))
    other = make_token("bob", ("domains:read",))
    alice = people["alice"]
    alice.last_name = "Martin"
    alice.save()  # not a password change
    assert bearer(secret).get("/api/v1/domains/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        alice.set_password("a new long password 2026")
        alice.save()
    assert bearer(secret).get("/api/v1/domains/").status_code == 401
    assert bearer(other).get("/api/v1/domains/").status_code == 200
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_REVOKED, user=alice,
                                        detail__reason="password changed").count() == 1
    notice = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(notice) == 1 and "revoked" in notice[0].subject
    assert "test (" in notice[0].body and "Atelier A" in notice[0].body
