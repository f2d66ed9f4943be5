"""The portal's and the admin's doors (docs/security.md): re-authentication before sensitive
actions (off to allauth's page, then the request is replayed), the admin through allauth's
login with its lockout and a second factor, a new password that revokes the API tokens,
second-factor secrets encrypted at rest, the last second factor kept while the organisation
requires one."""

from __future__ import annotations

import importlib
import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.apps import apps
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from bureau.audit.models import ApiToken, EventKind, SecurityEvent
from bureau.audit.operations import tokens
from bureau.audit.operations.members import set_require_2fa
from bureau.registrar.accounts.models import Membership, Organisation, OrganisationPolicy, Role
from bureau.registrar.domains.models import Domain, DomainEvent
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.contacts import save_contact
from bureau.registrar.operations.errors import TwoFactorRequired
from bureau.registrar.operations.transfer import reveal_auth_info

from .conftest import PASSWORD, client_for, english_client, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

STALE = 3600  # seconds since the password: past ACCOUNT_REAUTHENTICATION_TIMEOUT


def reauthenticate(client: Client, response: Any) -> Any:
    """Follow the portal to allauth's page and enter the password: the request is replayed."""
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith("/accounts/reauthenticate/?next=")
    return client.post(response["Location"], {"password": PASSWORD}, follow=True)


# --- Re-authentication in the portal -------------------------------------------------------

def test_revealing_a_transfer_code_asks_for_the_password_again(alice: User,
                                                              domain_a: Domain) -> None:
    client = client_for(alice, ago=STALE)
    asked = client.post(f"/domains/{domain_a.pk}/auth-code/")
    assert not DomainEvent.objects.filter(operation="auth-info-reveal").exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.AUTH_CODE_REVEALED).exists()
    wrong = client.post(asked["Location"], {"password": "not it"})
    assert wrong.status_code == 200 and "Secret-Code-123" not in wrong.content.decode()
    page = reauthenticate(client, asked)
    assert page.status_code == 200
    assert "Secret-Code-123" in page.content.decode()
    assert SecurityEvent.objects.filter(kind=EventKind.AUTH_CODE_REVEALED).count() == 1
    # Within the next minutes, no second question.
    again = client.post(f"/domains/{domain_a.pk}/auth-code/")
    assert again.status_code == 200 and "Secret-Code-123" in again.content.decode()


def test_creating_a_token_asks_for_the_password_again(alice: User, org_a: Organisation) -> None:
    client = client_for(alice, ago=STALE)
    asked = client.post("/account/tokens/", {
        "name": "CI", "scopes": ["domains:read"],
        "expires_on": (date.today() + timedelta(days=30)).isoformat()})
    assert not ApiToken.objects.exists()
    page = reauthenticate(client, asked)
    token = ApiToken.objects.get()
    assert token.name == "CI" and f"bureau_{token.prefix}_" in page.content.decode()


def test_changing_a_role_or_removing_someone_asks_for_the_password_again(
        alice: User, bob: User, org_a: Organisation) -> None:
    bobs = Membership.objects.create(user=bob, organisation=org_a, role=Role.READ_ONLY)
    client = client_for(alice, ago=STALE)
    asked = client.post(f"/organisation/people/{bobs.pk}/", {"role": Role.ADMIN})
    assert Membership.objects.get(pk=bobs.pk).role == Role.READ_ONLY
    reauthenticate(client, asked)
    assert Membership.objects.get(pk=bobs.pk).role == Role.ADMIN
    stale = client_for(alice, ago=STALE)
    asked = stale.post(f"/organisation/people/{bobs.pk}/", {"action": "remove"})
    assert Membership.objects.filter(pk=bobs.pk).exists()
    reauthenticate(stale, asked)
    assert not Membership.objects.filter(pk=bobs.pk).exists()


def test_lifting_the_2fa_requirement_asks_for_the_password_again(
        alice: User, org_a: Organisation) -> None:
    Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP,
                                 data={"secret": "fernet:not-read-here"})
    set_require_2fa(organisation=org_a, actor=Actor.console(alice), required=True)
    client = client_for(alice, ago=STALE)
    asked = client.post("/organisation/security/", {"save": ""})  # the box unticked
    assert OrganisationPolicy.objects.get(organisation=org_a).require_2fa
    reauthenticate(client, asked)
    assert not OrganisationPolicy.objects.get(organisation=org_a).require_2fa


def test_deleting_a_name_asks_for_the_password_before_the_checklist_is_kept(
        alice: User, domain_a: Domain) -> None:
    from bureau.notices.goodbye import checklist
    from bureau.notices.models import Goodbye

    client = client_for(alice, ago=STALE)
    asked = client.post(f"/notices/goodbye/{domain_a.name}/", {
        "mode": "delete", "checked": [item.key for item in checklist()],
        "typed_name": domain_a.name})
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert not Goodbye.objects.exists()
    domain_a.refresh_from_db()
    assert domain_a.state == "active"


def test_turning_the_authenticator_app_off_asks_again_and_is_refused_while_required(
        alice: User, org_a: Organisation) -> None:
    TOTP.activate(alice, generate_totp_secret())
    client = client_for(alice, ago=STALE)
    asked = client.post("/accounts/2fa/totp/deactivate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    set_require_2fa(organisation=org_a, actor=Actor.console(alice), required=True)
    page = reauthenticate(client, asked)
    assert "requires two-factor authentication" in page.content.decode()
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    OrganisationPolicy.objects.filter(organisation=org_a).update(require_2fa=False)
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=alice, type="totp").exists()


def test_the_operations_themselves_refuse_a_person_without_the_required_second_factor(
        alice: User, org_a: Organisation, domain_a: Domain) -> None:
    """Whatever the door (a new one, a job acting for a person), the operation checks the
    organisation's requirement: the doors' own checks are only the first line."""
    actor = Actor.console(alice)
    set_require_2fa(organisation=org_a, actor=actor, required=True)
    with pytest.raises(TwoFactorRequired, match="requires two-factor authentication"):
        save_contact(organisation=org_a, actor=actor, changes={"name": "Alice"})
    with pytest.raises(TwoFactorRequired):
        reveal_auth_info(domain=domain_a, actor=actor)
    assert not DomainEvent.objects.filter(operation="auth-info-reveal").exists()
    TOTP.activate(alice, generate_totp_secret())
    assert reveal_auth_info(domain=domain_a, actor=actor) == "Secret-Code-123"


# --- The admin -----------------------------------------------------------------------------

@pytest.fixture
def operator(db: Any) -> User:
    person = make_person("ops@example.org")
    person.is_staff = person.is_superuser = True
    person.save()
    return person


def test_the_admin_has_no_password_form_of_its_own(operator: User) -> None:
    client = english_client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    posted = client.post("/admin/login/", {"username": operator.username,
                                           "password": PASSWORD})
    assert posted.status_code == 302 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_locks_after_repeated_failures(operator: User) -> None:
    TOTP.activate(operator, generate_totp_secret())
    client = english_client()
    login = client.get("/admin/login/?next=/admin/")["Location"]
    for _ in range(12):
        client.post(login, {"login": operator.email, "password": "guess"})
    locked = client.post(login, {"login": operator.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "/accounts/2fa/authenticate/" not in locked.get("Location", "")
    assert client.get("/admin/", follow=True).request["PATH_INFO"] == "/accounts/login/"
    # The same right password, from a door not hammered, goes on to the second factor.
    fresh = english_client()
    from django.core.cache import cache

    cache.clear()
    step = fresh.post(login, {"login": operator.email, "password": PASSWORD})
    assert step["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in fresh.session  # not in before the code


def test_staff_without_a_second_factor_cannot_use_the_admin(operator: User) -> None:
    client = client_for(operator)
    response = client.get("/admin/", follow=True)
    hops = [url for url, _status in response.redirect_chain]
    assert hops[:2] == ["/admin/login/?next=/admin/", "/accounts/2fa/totp/activate/"], hops
    assert "two-factor" in response.content.decode()
    TOTP.activate(operator, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


def test_people_who_are_not_staff_never_reach_the_admin(alice: User) -> None:
    TOTP.activate(alice, generate_totp_secret())
    client = client_for(alice)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 403


# --- A new password revokes the API tokens -------------------------------------------------

def test_changing_the_password_revokes_the_tokens_and_says_so(
        alice: User, org_a: Organisation, django_capture_on_commit_callbacks: Any) -> None:
    made = tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="deploy",
                               scopes=["domains:read"])
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/accounts/password/change/", {
            "oldpassword": PASSWORD, "password1": "A brand new passphrase 77",
            "password2": "A brand new passphrase 77"}, follow=True)
    assert "revoked your API token" in page.content.decode()
    made.token.refresh_from_db()
    assert made.token.revoked_at is not None
    assert tokens.authenticate(made.secret) is None
    notice = [m for m in mail.outbox if "revoked" in m.subject]
    assert len(notice) == 1 and "deploy (" in str(notice[0].body)


def test_resetting_the_password_revokes_the_tokens(
        alice: User, org_a: Organisation, django_capture_on_commit_callbacks: Any) -> None:
    made = tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="deploy",
                               scopes=["domains:read"])
    client = english_client()
    client.post("/accounts/password/reset/", {"email": alice.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)",
                     str(mail.outbox[-1].body))
    assert link is not None
    form = client.get(link.group(1), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form.request["PATH_INFO"], {"password1": "A brand new passphrase 77",
                                                "password2": "A brand new passphrase 77"})
    assert tokens.authenticate(made.secret) is None
    assert any("revoked" in m.subject for m in mail.outbox)


# --- Second-factor secrets at rest ---------------------------------------------------------

def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def stored(authenticator: Authenticator) -> dict[str, Any]:
    return Authenticator.objects.filter(pk=authenticator.pk).values("data").get()["data"]


def test_totp_secrets_and_recovery_seeds_are_encrypted_at_rest(alice: User) -> None:
    secret = generate_totp_secret()
    totp = TOTP.activate(alice, secret)
    assert secret not in str(stored(totp.instance))
    assert stored(totp.instance)["secret"].startswith("fernet:")
    assert totp.validate_code(code_now(secret))
    codes = RecoveryCodes.activate(alice)
    seed = stored(codes.instance)["seed"]
    assert seed.startswith("fernet:")
    assert codes.validate_code(codes.generate_codes()[0])


def test_the_migration_encrypts_secrets_stored_in_clear(alice: User) -> None:
    secret = generate_totp_secret()
    clear = Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP,
                                         data={"secret": secret})
    seeds = Authenticator.objects.create(user=alice, type=Authenticator.Type.RECOVERY_CODES,
                                         data={"seed": "ab" * 40, "used_mask": 0})
    migration = importlib.import_module("bureau.audit.migrations.0004_encrypt_mfa_secrets")
    migration.encrypt(apps, None)
    migration.encrypt(apps, None)  # twice changes nothing
    assert secret not in str(stored(clear)) and "ab" * 40 not in str(stored(seeds))
    clear.refresh_from_db()
    seeds.refresh_from_db()
    assert TOTP(clear).validate_code(code_now(secret))
    assert len(RecoveryCodes(seeds).generate_codes()) == 10
