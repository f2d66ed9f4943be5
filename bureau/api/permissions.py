"""The API's permission class: a person must be logged in (session) or present a token, and
a token must hold the scope the action needs. Roles are checked per organisation (access.py)
and again by the operations themselves."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .access import token_of


def scope_needed(view: Any, request: Request) -> str | None:
    """The scope of the view's action for this method ("rrset:PUT"), of the action, or of
    the method; HEAD is a GET."""
    scopes: dict[str, str] = getattr(view, "scopes", {})
    action = getattr(view, "action", None)
    method = "GET" if request.method == "HEAD" else (request.method or "GET")
    for key in (f"{action}:{method}", action, method):
        if key in scopes:
            return scopes[key]
    return None


class HasScope(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = token_of(request)
        if token is not None and token.challenge:
            # A certificate token: only the views that check its challenge name themselves.
            if getattr(view, "action", None) not in getattr(view, "challenge_actions", ()):
                raise PermissionDenied(f"This token may only change the TXT records of "
                                       f"{token.challenge}.")
            return True
        scope = scope_needed(view, request)
        if token is not None and scope is not None and not token.grants(scope):
            raise PermissionDenied(f"This token lacks the scope “{scope}”.")
        return True
