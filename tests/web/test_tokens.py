"""The API tokens page: create with scopes and an expiry (the token shown once, working
against the API), refusals on their field, revoke; only one's own tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from bureau.audit.models import ApiToken, EventKind, SecurityEvent
from bureau.audit.operations import tokens
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.operations.common import Actor

from .conftest import client_for, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_create_a_token_shown_once_that_works_on_the_api(client_a: Client, alice: User,
                                                         org_a: Organisation) -> None:
    page = client_a.get("/account/tokens/")
    assert page.status_code == 200
    assert "domains:read" in page.content.decode()
    response = client_a.post("/account/tokens/", {
        "name": "deploy", "scopes": ["domains:read", "domains:write"],
        "expires_on": in_days(30)})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    secret = re.search(r'id="new-token">(bureau_[^<]+)<', response.content.decode())
    assert secret is not None
    token = ApiToken.objects.get()
    assert (token.user, token.organisation, token.name) == (alice, org_a, "deploy")
    assert token.scopes == ["domains:read", "domains:write"]
    assert token.expires_at.date() == timezone.localdate() + timedelta(days=30)
    assert token.secret_hash != secret.group(1) and secret.group(1) not in str(token.__dict__)
    # Shown once: the list afterwards names it by its prefix only.
    listing = client_a.get("/account/tokens/").content.decode()
    assert "deploy" in listing and token.prefix in listing and secret.group(1) not in listing
    # It works on the API, and its creation is in the security log.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret.group(1)}")
    assert api.get("/api/v1/domains/").status_code == 200
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_CREATED,
                                        organisation=org_a).count() == 1


def test_refusals_land_on_their_field(org_a: Organisation) -> None:
    tess = make_person("tess@example.org")
    Membership.objects.create(user=tess, organisation=org_a, role=Role.TECH)
    client = client_for(tess)
    beyond = client.post("/account/tokens/", {"name": "x", "scopes": ["domains:order"],
                                              "expires_on": in_days(30)})
    assert beyond.status_code == 400
    body = beyond.content.decode()
    assert re.search(r'id="id_scopes_error"><li>Your role does not allow the scopes '
                     r"domains:order", body)
    too_long = client.post("/account/tokens/", {"name": "x", "scopes": ["domains:read"],
                                                "expires_on": in_days(400)})
    assert too_long.status_code == 400
    assert re.search(r'id="id_expires_on_error"><li>A token expires between now and one '
                     r"year from now", too_long.content.decode())
    nothing = client.post("/account/tokens/", {"name": "", "expires_on": in_days(3)})
    assert nothing.status_code == 400
    assert 'id="id_name_error"' in nothing.content.decode()
    assert 'id="id_scopes_error"' in nothing.content.decode()
    assert not ApiToken.objects.exists()


def test_a_role_without_tokens_sees_no_form_and_is_refused(org_a: Organisation) -> None:
    rita = make_person("rita@example.org")
    Membership.objects.create(user=rita, organisation=org_a, role=Role.READ_ONLY)
    client = client_for(rita)
    assert "Create the token" not in client.get("/account/tokens/").content.decode()
    refused = client.post("/account/tokens/", {"name": "x", "scopes": ["domains:read"],
                                               "expires_on": in_days(3)})
    assert refused.status_code == 400
    assert "does not allow API tokens" in refused.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_own_tokens_only(client_a: Client, alice: User, bob: User,
                                org_a: Organisation, org_b: Organisation) -> None:
    mine = tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="mine",
                               scopes=["domains:read"])
    theirs = tokens.create_token(actor=Actor.console(bob), organisation=org_b, name="theirs",
                                 scopes=["domains:read"])
    assert client_a.post(f"/account/tokens/{theirs.token.pk}/revoke/").status_code == 404
    response = client_a.post(f"/account/tokens/{mine.token.pk}/revoke/")
    assert response.status_code == 302
    mine.token.refresh_from_db()
    theirs.token.refresh_from_db()
    assert mine.token.revoked_at is not None and theirs.token.revoked_at is None
    assert tokens.authenticate(mine.secret) is None
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_REVOKED).count() == 1
    assert "Revoked" in client_a.get("/account/tokens/").content.decode()


def test_the_pages_added_speak_french(alice: User, org_a: Organisation,
                                      domain_a: object) -> None:
    client = Client()
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    tokens_page = client.get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Jetons d’API" in tokens_page
    assert "Voir les noms et leur historique" in tokens_page  # a scope, described in French
    refused = client.post("/account/tokens/", {"name": "x", "scopes": ["domains:read"],
                                               "expires_on": in_days(400)},
                          HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Un jeton expire entre maintenant et dans un an" in refused
    holder = client.get(f"/domains/{domain_a.pk}/holder/",  # type: ignore[attr-defined]
                        HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Changer la ou le titulaire de alpha.test" in holder
    assert "pendant 60 jours" in holder
    assert "Langue de l’invitation" in client.get("/organisation/",
                                                   HTTP_ACCEPT_LANGUAGE="fr").content.decode()
