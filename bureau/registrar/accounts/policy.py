"""The organisations' "require two-factor authentication" policy: the one rule every door
asks (the operations, through ``verify_role``, and before them the portal's middleware, the
API's authentication, token creation, the admin).

A person without a second factor who belongs to an organisation that requires one may only
set one up: the portal sends them to do so; the API answers 403 to their session; their
tokens for such an organisation are refused; they cannot create tokens for it."""

from __future__ import annotations

from typing import Any

from allauth.mfa.utils import is_mfa_enabled

from .models import Organisation, OrganisationPolicy


def requires_2fa(user: Any, organisation: Organisation | None = None) -> bool:
    """True when ``organisation`` (by default: any of the person's) requires a second
    factor. The organisation's policy costs no query when it was loaded along
    (``select_related("organisation__security_policy")``)."""
    if organisation is not None:
        try:
            return bool(organisation.security_policy.require_2fa)
        except OrganisationPolicy.DoesNotExist:
            return False
    return OrganisationPolicy.objects.filter(
        require_2fa=True, organisation__memberships__user=user).exists()


def lacks_required_2fa(user: Any, organisation: Organisation | None = None) -> bool:
    """The person must set up a second factor before acting (for ``organisation``, or at
    all)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return requires_2fa(user, organisation) and not is_mfa_enabled(user)
