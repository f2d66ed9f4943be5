"""The operators' admin behind the same door as everyone else: allauth's login (its rate
limits, lockout and second factor) instead of Django's admin login form, and only for staff
who have set up a second factor."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def may_use_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and is_mfa_enabled(user))


def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """Never a password form of its own: off to the portal's login, to set up a second
    factor, or on to the admin."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("admin:index")
    user = request.user
    if not user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
    if not (user.is_active and user.is_staff):
        raise PermissionDenied
    if not is_mfa_enabled(user):
        messages.warning(request, _("The admin is open to staff with two-factor "
                                    "authentication: set up an authenticator app or a "
                                    "passkey first."))
        return redirect("mfa_activate_totp")
    return redirect(target)


def secure(site: admin.AdminSite) -> None:
    site.login = login  # type: ignore[method-assign]
    site.has_permission = may_use_admin  # type: ignore[method-assign]
