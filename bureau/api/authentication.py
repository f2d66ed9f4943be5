"""Bearer-token authentication, with failed attempts counted per client address: past the
limit, every token is refused with 429 (and Retry-After) until the window has passed."""

from __future__ import annotations

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
        throttle = AuthFailureThrottle()
        wait = throttle.blocked_for(request)
        if wait is not None:
            raise Throttled(wait=wait, detail="Too many failed authentications from your "
                                              "address.")
        if len(parts) != 2:
            throttle.failed(request)
            raise AuthenticationFailed("Write the header as “Authorization: Bearer <token>”.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = tokens.authenticate(raw)
        if token is None:
            throttle.failed(request)
            raise AuthenticationFailed("This token is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


