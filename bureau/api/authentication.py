"""Bearer-token authentication, with failed attempts counted per client address: past the
limit, every failed attempt is refused with 429 (and Retry-After) until the window has passed.

Only failures touch the counter (kept in the cache, a database table in production): a valid
token costs its own lookup and nothing else. A valid token therefore still works from an
address that is locked out; the lockout stops the guessing of tokens (256 random bits each),
and a guess that hits is what the lookup answers anyway."""

from __future__ import annotations

from typing import NoReturn

from django.contrib.auth.models import User
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from . import tokens
from .models import ApiToken
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


