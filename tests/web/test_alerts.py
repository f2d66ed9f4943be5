"""A person hears by email of what happens to their account's security, whichever door did
it: a second factor turned on or off (allauth's pages), a new API token (the operation), a
login from a browser never seen before (the login page). Once each, in the language the
person uses the portal in, text and HTML, with links that work; read from the loopback SMTP
server."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from logins import totp
from mail_fixtures import Inbox, Received

from bureau.audit.operations import tokens
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.operations.common import Actor

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db
PORTAL = "https://portal.bureau.test"


def only_alert(inbox: Inbox, user: User) -> Received:
    got = inbox.take()
    assert len(got) == 1, [r.subject for r in got]
    assert got[0].rcpt == [user.email] and got[0].key.startswith("security:")
    return got[0]


def links_work(mail: Received, client: Client) -> None:
    links = [word for word in mail.text.split() if word.startswith(PORTAL)]
    assert len(links) == 2  # where to review it, where to change the password
    for link in links:
        assert f'href="{link}"' in mail.html
        assert client.get(link.removeprefix(PORTAL)).status_code == 200, link


def test_second_factor_on_then_off(alice: User, org_a: Organisation, inbox: Inbox,
                                   django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})  # as allauth asks
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page.get("Location")
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    mail = only_alert(inbox, alice)
    assert mail.language == "fr"
    assert mail.subject == "Bureau : authentification à deux facteurs activée"
    assert "application d’authentification" in mail.text
    assert "application d’authentification" in mail.html
    links_work(mail, client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/deactivate/")
    mail = only_alert(inbox, alice)
    assert mail.subject == "Bureau : un second facteur a été désactivé"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    links_work(mail, client)


def test_new_api_token(alice: User, org_a: Organisation, inbox: Inbox,
                       django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tokens.create_token(actor=Actor.console(alice), organisation=org_a, name="deploy",
                            scopes=["domains:read"])
    mail = only_alert(inbox, alice)
    assert mail.language == "en"
    assert mail.subject == "Bureau: new API token “deploy”"
    assert "Atelier A" in mail.text and "Atelier A" in mail.html
    links_work(mail, client_for(alice))


def test_login_from_a_new_device_only(alice: User, org_a: Organisation, inbox: Inbox,
                                      django_capture_on_commit_callbacks: Any) -> None:
    def log_in(agent: str, language: str = "en") -> None:
        client = Client(HTTP_USER_AGENT=agent)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/login/", {"login": alice.email,
                                                        "password": PASSWORD})
        assert response.status_code == 302

    log_in("Firefox/140 (Linux)")
    assert inbox.take() == []  # the account's first login: it just signed up
    log_in("Firefox/140 (Linux)")
    assert inbox.take() == []  # a browser seen before
    log_in("Safari/18 (iPhone)", "fr")
    mail = only_alert(inbox, alice)
    assert mail.subject == "Bureau : connexion depuis un nouvel appareil"
    assert "Safari/18 (iPhone)" in mail.text and "Safari/18 (iPhone)" in mail.html
    assert "127.0.0.1" in mail.text
    links_work(mail, client_for(alice))
    log_in("Safari/18 (iPhone)")
    assert inbox.take() == []
