"""Personal tokens: shown once, stored hashed, scoped, expiring, revocable, audited; failed
authentications rate-limited."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.audit.models import ApiToken, SecurityEvent

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_token_is_shown_once_and_stored_hashed(api: Api, people: dict[str, User]) -> None:
    response = api("alice", session=True).post(
        "/api/v1/tokens/", {"name": "CI", "scopes": ["domains:read", "contacts:*"]},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    secret = body["token"]
    assert secret.startswith(f"bureau_{body['prefix']}_") and len(secret) > 50
    assert body["scopes"] == ["contacts:read", "contacts:write", "domains:read"]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())
    listed = api("alice", session=True).get("/api/v1/tokens/").json()["results"]
    assert any(t["prefix"] == body["prefix"] for t in listed)
    assert all("token" not in t for t in listed)
    assert SecurityEvent.objects.filter(kind="token-created", user=people["alice"]).exists()
    assert bearer(secret).get("/api/v1/contacts/").status_code == 200


def test_scopes_are_enforced(make_token: Callable[..., str]) -> None:
    client = bearer(make_token("alice", ("contacts:read",)))
    assert client.get("/api/v1/contacts/").status_code == 200
    refused = client.get("/api/v1/domains/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "domains:read" in refused.json()["detail"]
    assert client.post("/api/v1/contacts/", {"name": "X"}, format="json").status_code == 403


def test_token_cannot_exceed_role_and_tokens_cannot_mint_tokens(
        api: Api, make_token: Callable[..., str]) -> None:
    tech = api("tess", session=True).post(
        "/api/v1/tokens/", {"name": "x", "scopes": ["domains:order"]}, format="json")
    assert tech.status_code == 422
    assert tech.json()["errors"][0]["field"] == "scopes"
    # A stolen token cannot make itself a successor, not even a weaker one.
    token = bearer(make_token("alice", ("tokens:admin", "domains:read")))
    for scopes in (["domains:order"], ["domains:read"]):
        refused = token.post("/api/v1/tokens/", {"name": "x", "scopes": scopes},
                             format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/token-forbidden")
        assert "cannot create tokens" in refused.json()["detail"]
    assert ApiToken.objects.count() == 1
    unknown = api("alice", session=True).post(
        "/api/v1/tokens/", {"name": "x", "scopes": ["everything"]}, format="json")
    assert unknown.status_code == 422


def test_expired_and_revoked_tokens_are_refused(api: Api, make_token: Callable[..., str],
                                                people: dict[str, User]) -> None:
    secret = make_token("alice", ("domains:read",))
    client = bearer(secret)
    assert client.get("/api/v1/domains/").status_code == 200
    token = ApiToken.objects.get(prefix=secret.split("_")[1])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = client.get("/api/v1/domains/")
    assert expired.status_code == 401
    assert expired.json()["type"].endswith("/authentication-failed")
    assert expired["WWW-Authenticate"].startswith("Bearer")

    secret = make_token("alice", ("domains:read",))
    token = ApiToken.objects.get(prefix=secret.split("_")[1])
    revoked = api("alice", session=True).delete(f"/api/v1/tokens/{token.pk}/")
    assert revoked.status_code == 204
    assert bearer(secret).get("/api/v1/domains/").status_code == 401
    assert SecurityEvent.objects.filter(kind="token-revoked").exists()


def test_token_of_a_person_who_left_stops_working(make_token: Callable[..., str],
                                                  people: dict[str, User]) -> None:
    secret = make_token("tess", ("domains:read",))
    people["tess"].memberships.all().delete()
    assert bearer(secret).get("/api/v1/domains/").json()["count"] == 0


def test_failed_authentications_are_rate_limited(db: object, settings: object) -> None:
    client = bearer("bureau_00000000_not-a-token")
    # A forged X-Forwarded-For does not make a new address.
    statuses = [client.get("/api/v1/domains/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
                for i in range(25)]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    limited = client.get("/api/v1/domains/")
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["type"].endswith("/rate-limited")


def test_session_auth_needs_csrf(people: dict[str, User]) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people["alice"])
    assert client.get("/api/v1/contacts/").status_code == 200
    refused = client.post("/api/v1/contacts/", {"name": "x"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_anonymous_gets_a_problem(db: object) -> None:
    response = APIClient().get("/api/v1/domains/")
    assert response.status_code in (401, 403)
    assert response.json()["status"] == response.status_code


def test_an_unknown_api_path_answers_with_problem_details(client: Any) -> None:
    response = client.get("/api/v1/no-such-thing/x./")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["instance"] == "/api/v1/no-such-thing/x./"
    portal = client.get("/no-such-page/")
    assert portal.status_code == 404 and portal["Content-Type"].startswith("text/html")
