"""Who calls, and what they may touch: the organisations a request can see and the role it
acts with. Every queryset of the API starts from ``visible_organisations``.

A session (the portal) acts with the person's roles in all their organisations. A token acts
for its one organisation, with its person's current role there, limited by its scopes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request

from bureau.audit.log import client_ip
from bureau.audit.models import ApiToken
from bureau.core.credentials import Credential
from bureau.registrar.accounts.models import Membership, Organisation
from bureau.registrar.accounts.permissions import PERMISSIONS, Permission, allows
from bureau.registrar.operations.common import Actor


def token_of(request: Request) -> ApiToken | None:
    auth = request.auth
    return auth if isinstance(auth, ApiToken) else None


def user_of(request: Request) -> User:
    user = request.user
    assert isinstance(user, User), "the API's permission classes let only people in"
    return user


def visible_organisations(request: Request) -> QuerySet[Organisation]:
    organisations = Organisation.objects.filter(memberships__user=user_of(request))
    token = token_of(request)
    if token is not None:
        organisations = organisations.filter(pk=token.organisation_id)
    return organisations


def organisations_allowing(request: Request, permission: Permission) -> QuerySet[Organisation]:
    roles = [str(role) for role in PERMISSIONS[permission]]
    return visible_organisations(request).filter(
        memberships__user=user_of(request), memberships__role__in=roles)


def role_in(request: Request, organisation: Organisation) -> str | None:
    token = token_of(request)
    if token is not None and token.organisation_id != organisation.pk:
        return None
    membership = Membership.objects.filter(user=user_of(request),
                                           organisation=organisation).first()
    return None if membership is None else str(membership.role)


def require(request: Request, organisation: Organisation, permission: Permission) -> None:
    """403 unless the caller's role in ``organisation`` has ``permission`` (404 when the
    organisation is not theirs at all: its existence is not disclosed)."""
    role = role_in(request, organisation)
    if role is None:
        raise NotFound()
    if not allows(role, permission):
        raise PermissionDenied(
            f"Your role in {organisation.name} ({role}) does not allow this.")


def organisation_for_create(request: Request, slug: str | None) -> Organisation:
    """The organisation a new object belongs to: the one named, or the token's own, or the
    person's only one."""
    visible = visible_organisations(request)
    if slug:
        found = visible.filter(slug=slug).first()
        if found is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"organisation": ["No organisation of yours has this "
                                                    "short name."]})
        return found
    token = token_of(request)
    if token is not None:
        return token.organisation
    only = list(visible[:2])
    if len(only) == 1:
        return only[0]
    from rest_framework.exceptions import ValidationError

    raise ValidationError({"organisation": ["Name the organisation (its short name): you "
                                            "belong to several."]})


def actor(request: Request) -> Actor:
    """The operations' actor; the history says which token acted, when one did."""
    token = token_of(request)
    return Actor(user_of(request), f"api-token:{token.prefix}" if token else "api",
                 ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""),
                 credential=credential(request))


def credential(request: Request) -> Credential:
    """A token, or the session of the portal's cookie (``bureau.core.credentials``)."""
    return Credential.token() if token_of(request) is not None \
        else Credential.of_session(request._request)


def request_context(request: Request) -> dict[str, Any]:
    return {"request": request}
