"""The API's two doors, bearer tokens and the portal's session cookie, and the organisations'
2FA policy applied at both (``bureau.registrar.accounts.policy``): a person without a second
factor gets 403 on every call with a session while one of their organisations requires it,
and a token of theirs is refused for such an organisation.

Bearer tokens: failed attempts are counted per client address: past the limit, every failed
attempt is refused with 429 (and Retry-After) until the window has passed.

Only failures touch the counter (kept in the cache, a database table in production): a valid
token costs its own lookup and nothing else. A valid token therefore still works from an
address that is locked out; the lockout stops the guessing of tokens (256 random bits each),
and a guess that hits is what the lookup answers anyway."""

from __future__ import annotations

from typing import NoReturn

from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled
from rest_framework.request import Request

from bureau.audit.models import ApiToken
from bureau.audit.operations import tokens
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.accounts.policy import lacks_required_2fa

from .throttling import AuthFailureThrottle


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            self.refuse(request, "Write the header as “Authorization: Bearer <token>”.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = tokens.authenticate(raw)
        if token is None:
            self.refuse(request, "This token is unknown, expired or revoked.")
        verify_second_factor(request, token.user, token.organisation)
        return token.user, token

    def refuse(self, request: Request, reason: str) -> NoReturn:
        """429 when the address used up its failures, else 401 and one more failure."""
        wait = AuthFailureThrottle().fail(request)
        if wait is not None:
            raise Throttled(wait=wait, detail="Too many failed authentications from your "
                                              "address.")
        raise AuthenticationFailed(reason)

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class PortalSessionAuthentication(SessionAuthentication):
    """The portal's session (with CSRF), under the organisations' 2FA policy."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        found = super().authenticate(request)
        if found is not None:
            verify_second_factor(request, found[0], None)
        return found


def verify_second_factor(request: Request, user: User, organisation: Organisation | None) -> None:
    """403 when ``organisation`` (a token's; for a session, any of the person's) requires a
    second factor the person has not set up."""
    if lacks_required_2fa(user, organisation):
        url = request.build_absolute_uri(reverse("mfa_activate_totp"))
        raise PermissionDenied(
            f"Your organisation requires two-factor authentication: set up an authenticator "
            f"app or a passkey at {url}, then try again.")
