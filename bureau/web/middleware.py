"""Portal middleware: required two-factor authentication, and the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from bureau.registrar.accounts.policy import lacks_required_2fa

# Paths a person without 2FA may still use: setting it up, logging out, static files, i18n.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health")


class RequireTwoFactorMiddleware:
    """A person of an organisation that requires 2FA, without a second factor, is sent to
    set one up before anything else. The API answers its own (problem details, in its
    authentication classes); the admin asks every staff person for a second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (not request.path.startswith(ALLOWED_PREFIXES)
                and not request.path.startswith("/api/")
                and lacks_required_2fa(getattr(request, "user", None))):
            messages.warning(request, _("Your organisation requires two-factor "
                                        "authentication: set up an authenticator app or a "
                                        "passkey to continue."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.BUREAU_CSP`` (when set) as the Content-Security-Policy header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "BUREAU_CSP", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
