"""The current organisation of a request: the one the person chose, kept in the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bureau.audit.log import client_ip
from bureau.core.credentials import Credential
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission, allows
from bureau.registrar.operations.common import Actor

SESSION_KEY = "bureau_organisation"


def person(request: HttpRequest) -> User:
    """The logged-in person (views behind login_required / member_required)."""
    return cast(User, request.user)


def actor(request: HttpRequest) -> Actor:
    """The operations' actor: the logged-in person, at the portal, from where, with their
    session's credential."""
    return Actor(person(request), "portal", ip=client_ip(request),
                 user_agent=request.META.get("HTTP_USER_AGENT", ""),
                 credential=Credential.of_session(request))


def memberships(request: HttpRequest) -> list[Membership]:
    if not request.user.is_authenticated:
        return []
    cached = getattr(request, "_bureau_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=request.user)
                      .select_related("organisation").order_by("organisation__name"))
        request._bureau_memberships = cached  # type: ignore[attr-defined]
    return cached


def current(request: HttpRequest) -> Membership | None:
    """The membership of the organisation the person works in now (first one by default)."""
    mine = memberships(request)
    if not mine:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in mine:
        if membership.organisation_id == chosen:
            return membership
    return mine[0]


def switch(request: HttpRequest, organisation_id: int) -> Membership | None:
    for membership in memberships(request):
        if membership.organisation_id == organisation_id:
            request.session[SESSION_KEY] = organisation_id
            return membership
    return None


def member_required(permission: Permission = Permission.VIEW) -> Callable[..., Any]:
    """A view for people of an organisation whose role has ``permission``. The view gets the
    membership as ``request.membership``. No organisation yet: off to create one."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = current(request)
            if membership is None:
                return redirect("web:organisation_new")
            if not allows(membership.role, permission):
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
