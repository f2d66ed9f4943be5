"""How the person behind an action proved who they are, and the one check that sensitive
actions make (revealing a transfer code, deleting a name, minting an API token, changing
someone's role, turning an organisation's 2FA requirement off).

Edges say how the person came in: a browser session (the portal, or the API with the session
cookie), an API token, or the server's console (the ``bureau`` command, jobs). Operations
call ``require_recent_authentication`` and nothing else decides:

- a session passes when the person entered their password or a second factor (login or
  re-authentication) within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds; otherwise
  ``ReauthenticationRequired``: the portal sends the person to allauth's re-authentication
  page and replays the request, the API answers 403 with the page's address;
- a token passes: it has no session to re-authenticate, its scopes are its standing consent
  (the API checks them at the door), and tokens cannot mint tokens
  (``bureau.audit.operations.tokens``);
- the console passes: whoever runs it already holds the server's keys;
- no credential at all (an edge that did not say) never passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import exceptions as allauth_exceptions
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    SESSION = "session"
    TOKEN = "token"
    CONSOLE = "console"


@dataclass(frozen=True)
class Credential:
    kind: Kind
    # Session: when the person last entered a password or a second factor (Unix time).
    authenticated_at: float | None = None

    @classmethod
    def console(cls) -> Credential:
        return cls(Kind.CONSOLE)

    @classmethod
    def token(cls) -> Credential:
        return cls(Kind.TOKEN)

    @classmethod
    def of_session(cls, request: Any) -> Credential:
        """The session's credential, from allauth's record of the authentications made in
        it (login, second factor, re-authentication)."""
        records = get_authentication_records(request, getattr(request, "user", None))
        moments = [float(r["at"]) for r in records if isinstance(r.get("at"), int | float)]
        return cls(Kind.SESSION, max(moments) if moments else None)

    def is_recent(self, now: float | None = None) -> bool:
        if self.kind is not Kind.SESSION:
            return self.kind in (Kind.TOKEN, Kind.CONSOLE)
        if self.authenticated_at is None:
            return False
        # The wall clock, as allauth's records: not core.clock, which a demo may run ahead.
        elapsed = (time.time() if now is None else now) - self.authenticated_at
        return 0 <= elapsed < account_settings.REAUTHENTICATION_TIMEOUT


class ReauthenticationRequired(allauth_exceptions.ReauthenticationRequired):
    """Enter your password or a second factor again. Being allauth's exception, a portal
    view that lets it through is answered by allauth's middleware (off to re-authenticate,
    then the request is replayed)."""

    def __init__(self) -> None:
        self.message = str(_("Confirm it is you: enter your password or a code from your "
                             "authenticator app again, then repeat this action."))
        super().__init__(self.message)


def require_recent_authentication(credential: Credential | None) -> None:
    """The check before a sensitive action; raises ``ReauthenticationRequired``."""
    if credential is None or not credential.is_recent():
        raise ReauthenticationRequired()
