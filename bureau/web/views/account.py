"""The person's own settings: email, password, two-factor methods, recent security events."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bureau.audit import personal_data
from bureau.audit.models import SecurityEvent
from bureau.core.credentials import Credential

from ..organisations import person


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/account.html", {
        "mfa_enabled": is_mfa_enabled(request.user),
        "events": SecurityEvent.objects.filter(user=person(request))[:20],
    })


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """All the person's data as a JSON file (after a recent authentication)."""
    data = personal_data.export(person(request), Credential.of_session(request))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="bureau-my-data.json"'
    return response
