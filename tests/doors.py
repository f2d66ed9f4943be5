"""One person at Bureau's doors, for tests that run one operation through each and compare
what it did: the portal and the API with the same kind of browser session (so that
re-authentication and the organisation's 2FA requirement apply to both alike), and the
`bureau` command acting `--as` the person (the console: trusted, it asks no password again)."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from logins import authenticated
from rest_framework.test import APIClient

from bureau.audit.models import SecurityEvent
from bureau.registrar.domains.models import DomainEvent

STALE = 3600  # seconds since the password: past ACCOUNT_REAUTHENTICATION_TIMEOUT


@dataclass(frozen=True)
class Doors:
    user: User
    ago: float = 0.0  # seconds since the person entered their password

    def portal(self) -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return authenticated(client, self.user, ago=self.ago)

    def api(self) -> APIClient:
        return authenticated(APIClient(HTTP_ACCEPT_LANGUAGE="en"), self.user, ago=self.ago)

    def cli(self, command: str, *args: str) -> str:
        """Run `bureau COMMAND --as USER ARGS...`; its output (CommandError when refused)."""
        out = StringIO()
        with translation.override("en"):  # the console's language (BUREAU_LANGUAGE)
            call_command(command, "--as", self.user.username, *args, stdout=out)
        return out.getvalue()

    def stale(self) -> Doors:
        """The same person, whose session must re-authenticate before sensitive actions."""
        return Doors(self.user, ago=STALE)


def asks_to_reauthenticate(response: Any) -> bool:
    """The portal's answer (off to allauth's page, the request replayed after) or the API's
    (403 problem with that page's address)."""
    if response.status_code == 302:
        return bool(response["Location"].startswith("/accounts/reauthenticate/"))
    return bool(response.status_code == 403 and response.json().get(
        "type", "").endswith("/reauthentication-required"))


def asks_for_2fa(response: Any) -> bool:
    """Refused because the organisation requires a second factor the person has not set up:
    the portal sends them to set one up, the API answers 403 saying so."""
    if response.status_code == 302:
        return "/accounts/2fa/" in response["Location"]
    return bool(response.status_code == 403
                and "requires two-factor authentication" in response.json()["detail"])


def security_log(kind: str) -> list[tuple[User | None, str | None, str]]:
    """Who did it, for which organisation, through which door, oldest first."""
    return [(e.user, e.organisation.slug if e.organisation else None, door_of(e.detail))
            for e in SecurityEvent.objects.filter(kind=kind).order_by("at", "id")]


def history(name: str, operation: str) -> list[tuple[str, User | None, str]]:
    """A name's history for one operation: outcome, who, through which door."""
    return [(e.outcome, e.actor, door_of({"via": e.actor_label}))
            for e in DomainEvent.objects.filter(domain_name=name,
                                                operation=operation).order_by("at", "id")]


def door_of(detail: dict[str, Any]) -> str:
    """portal, api or cli, from what an event recorded (`api-token:abcd` is the API)."""
    via = str(detail.get("via", ""))
    return "api" if via.startswith("api") else via
