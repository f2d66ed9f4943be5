"""Account security: invitations, required 2FA, audit log, rate limits, production settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings

from bureau.audit.models import EventKind, SecurityEvent
from bureau.audit.operations.members import set_require_2fa
from bureau.registrar.accounts.models import Membership, Organisation, Role
from bureau.registrar.domains.models import Domain
from bureau.registrar.operations.common import Actor

from .conftest import PASSWORD, client_for, english_client, make_person

# Also in the SQLite subset: DATABASE_URL=sqlite:///... pytest -m sqlite tests/web
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_invitation_by_email_then_accept(client_a: Client, org_a: Organisation) -> None:
    response = client_a.post("/organisation/invite/", {"email": "Carol@Example.org",
                                                       "role": "billing"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["carol@example.org"]
    link = re.search(r"http://testserver(/invitations/\S+/)", str(message.body))
    assert link is not None
    carol = make_person("carol@example.org")
    client = client_for(carol)
    assert b"Atelier A" in client.get(link.group(1)).content
    client.post(link.group(1))
    assert Membership.objects.get(user=carol, organisation=org_a).role == Role.BILLING
    # The link is used up.
    assert client_for(make_person("dan@example.org")).get(link.group(1)).status_code == 404
    kinds = set(SecurityEvent.objects.filter(organisation=org_a).values_list("kind", flat=True))
    assert {EventKind.MEMBER_INVITED, EventKind.MEMBER_JOINED} <= kinds


def test_required_2fa_sends_people_without_it_to_set_it_up(
        org_a: Organisation, alice: User, bob: User) -> None:
    Membership.objects.create(user=bob, organisation=org_a, role=Role.TECH)
    set_require_2fa(organisation=org_a, actor=Actor.console(alice), required=True)
    client = client_for(bob)
    response = client.get("/domains/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    # Setting it up stays possible, and once set up the portal opens.
    assert client.get("/accounts/2fa/").status_code == 200
    Authenticator.objects.create(user=bob, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/domains/").status_code == 200


def test_owner_sees_the_security_log(client_a: Client, org_a: Organisation, alice: User,
                                     domain_a: Domain) -> None:
    english_client().post("/accounts/login/", {"login": "alice@example.org", "password": "wrong"})
    client_a.post(f"/domains/{domain_a.pk}/auth-code/")
    set_require_2fa(organisation=org_a, actor=Actor.console(alice), required=True)
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP, data={"secret": "x"})
    page = client_a.get("/organisation/audit/").content.decode()
    assert "Failed login" in page
    assert "Transfer code shown" in page
    assert "Security policy changed" in page


def test_login_is_locked_after_repeated_failures(alice: User) -> None:
    client = english_client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "alice@example.org", "password": "nope"})
    response = client.post("/accounts/login/", {"login": "alice@example.org",
                                                "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=EventKind.LOGIN_FAILED).count() >= 5


@override_settings(BUREAU_RATE_LIMITS={"check": "2/m"})
def test_availability_checks_are_rate_limited(client_a: Client, tld: object) -> None:
    codes = [client_a.get("/search/", {"q": "x.notsold"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_search_says_which_field_is_wrong(client_a: Client, tld: object) -> None:
    page = client_a.get("/search/", {"q": "exemple.notsold"}).content.decode()
    assert "does not sell names ending in .notsold" in page
    page = client_a.get("/search/", {"q": "bad_name!.test"}).content.decode()
    assert 'class="errorlist"' in page


def test_production_settings_are_strict() -> None:
    env = {**os.environ, "BUREAU_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "bureau.settings"}
    env.pop("BUREAU_HTTPS", None)  # the tests' plain-http default: production has it on
    code = ("import json; from django.conf import settings as s; print(json.dumps({"
            "'cookie': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, "
            "'hsts': s.SECURE_HSTS_SECONDS, 'redirect': s.SECURE_SSL_REDIRECT, "
            "'csp': s.BUREAU_CSP, 'mw': s.MIDDLEWARE}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    values = json.loads(out)
    assert values["cookie"] and values["csrf"] and values["redirect"]
    assert values["hsts"] >= 31536000
    assert "script-src 'self'" in values["csp"] and "unsafe-inline" not in values["csp"]
    assert "bureau.web.middleware.ContentSecurityPolicyMiddleware" in values["mw"]


def test_pages_send_the_content_security_policy(client_a: Client) -> None:
    response = client_a.get("/domains/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_log_in_with_a_recovery_code_when_the_phone_is_lost(alice: User) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(alice, generate_totp_secret())
    codes = RecoveryCodes.activate(alice).get_unused_codes()
    client = english_client()
    response = client.post("/accounts/login/", {"login": "alice@example.org",
                                                "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    client.post("/accounts/2fa/authenticate/", {"code": "00000000"})
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert SecurityEvent.objects.filter(user=alice, kind=EventKind.LOGIN).exists()


def test_passkey_and_recovery_code_pages_work_without_inline_script(alice: User,
                                                                   org_a: Organisation) -> None:
    client = client_for(alice)
    for url in ["/accounts/2fa/", "/accounts/2fa/webauthn/add/", "/accounts/login/"]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        if response.status_code == 200:
            html = response.content.decode()
            # Only scripts from our origin or JSON data blocks: the CSP allows nothing else.
            for tag in re.findall(r"<script[^>]*>", html):
                assert "src=" in tag or 'type="application/json"' in tag, tag


def test_password_reset_by_email(alice: User) -> None:
    client = english_client()
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)",
                     str(mail.outbox[-1].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    new = "un tout nouveau mot de passe 2026"
    client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
                {"password1": new, "password2": new})
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert SecurityEvent.objects.filter(user=alice, kind=EventKind.PASSWORD_RESET).exists()


def test_signup_needs_the_emailed_link_before_anything(db: object) -> None:
    client = english_client()
    client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD,
                                      "password2": PASSWORD})
    assert client.get("/domains/").status_code == 302  # not logged in yet
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)",
                     str(mail.outbox[-1].body))
    assert link is not None
    client.post(link.group(1))
    response = client.get("/domains/")
    assert response.status_code == 302 and response["Location"] == "/organisations/new/"
