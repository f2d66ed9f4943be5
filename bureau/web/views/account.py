"""The person's own settings: email, password, two-factor methods, recent security events."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bureau.audit.models import SecurityEvent

from ..organisations import person


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/account.html", {
        "mfa_enabled": is_mfa_enabled(request.user),
        "events": SecurityEvent.objects.filter(user=person(request))[:20],
    })
