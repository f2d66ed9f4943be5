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
    scopes: dict[str, str] = getattr(view, "scopes", {})
    action = getattr(view, "action", None)
    if action and action in scopes:
        return scopes[action]
    return scopes.get(request.method or "GET")


class HasScope(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = token_of(request)
        scope = scope_needed(view, request)
        if token is not None and scope is not None and not token.grants(scope):
            raise PermissionDenied(f"This token lacks the scope “{scope}”.")
        return True
