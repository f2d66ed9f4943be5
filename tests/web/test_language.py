"""A person's language: taken from their browser at sign-up, changed on their account page,
and the language of the emails Bureau sends them, whatever language a page was in when the
email was caused (read from the loopback SMTP server)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from mail_fixtures import Inbox

from bureau.audit.operations import tokens
from bureau.registrar.accounts.models import Organisation, PersonPreferences
from bureau.registrar.operations.common import Actor

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_sign_up_keeps_the_browsers_language(db: Any, inbox: Inbox) -> None:
    browser = Client(headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    response = browser.post("/accounts/signup/", {
        "email": "sacha@example.org", "password1": "Un mot de passe assez long 2026!",
        "password2": "Un mot de passe assez long 2026!"})
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="sacha@example.org")
    assert PersonPreferences.objects.get(user=person).language == "fr"


def test_an_email_to_a_french_speaking_person_is_in_french(
        alice: User, org_a: Organisation, inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    account = client.get("/account/").content.decode()
    assert 'name="language"' in account
    chosen = client.post("/account/language/", {"language": "fr"}, follow=True)
    assert "Bureau vous écrit désormais en français" in chosen.content.decode()
    assert chosen.client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert PersonPreferences.objects.get(user=alice).language == "fr"

    # The token is made from an English page: the email follows the person's choice.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/account/")
        tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="deploy",
                            scopes=["domains:read"])
    [mail] = inbox.take()
    assert mail.language == "fr" and mail.subject == "Bureau : nouveau jeton d’API « deploy »"

    refused = client.post("/account/language/", {"language": "de"}, follow=True)
    assert PersonPreferences.objects.get(user=alice).language == "fr"
    assert 'class="message error"' in refused.content.decode()


def test_a_holder_hears_in_the_language_of_the_person_who_owns_it(
        alice: User, org_a: Organisation, inbox: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    """Bureau speaks French by default; Alice chose English: the holder she creates is
    asked to confirm its address in English."""
    from bureau.registrar.operations import preferences

    from .conftest import make_contact

    preferences.set_language(alice, "en")
    with django_capture_on_commit_callbacks(execute=True):
        make_contact(org_a, "Sacha Petit")
    [mail] = inbox.take_kind("verify-email:")
    assert mail.language == "en" and mail.subject == "Please confirm your email address"
