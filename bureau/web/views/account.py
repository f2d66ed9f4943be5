"""The person's own settings: email, password, two-factor methods, recent security events,
their data to download, and closing the account."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.audit import closure, personal_data
from bureau.audit.models import SecurityEvent
from bureau.core.credentials import Credential
from bureau.registrar.accounts.models import language_of_person
from bureau.registrar.operations import preferences
from bureau.registrar.operations.errors import OperationError

from ..forms import CloseAccountForm, LanguageForm
from ..organisations import person
from ..outcomes import Failed, attempt
from .legal import operator


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/account.html", {
        "mfa_enabled": is_mfa_enabled(request.user),
        "events": SecurityEvent.objects.filter(user=person(request))[:20],
        "language_form": LanguageForm(initial={
            "language": language_of_person(person(request), translation.get_language())}),
    })


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language of the person's emails; the portal's pages follow it too (its cookie)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("language", [])))
        return redirect("web:account")
    try:
        chosen = preferences.set_language(person(request), form.cleaned_data["language"])
    except OperationError as exc:
        messages.error(request, exc.message)
        return redirect("web:account")
    with translation.override(chosen.language):
        messages.success(request, _("Bureau now writes to you in %(language)s.")
                         % {"language": translation.get_language_info(
                             chosen.language)["name_local"]})
    response = redirect("web:account")
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen.language,
                        max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
                        secure=settings.LANGUAGE_COOKIE_SECURE)
    return response


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """All the person's data as a JSON file (after a recent authentication)."""
    data = personal_data.export(person(request), Credential.of_session(request))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="bureau-my-data.json"'
    return response


@login_required
def close(request: HttpRequest) -> HttpResponse:
    """Close the account (GDPR article 17): first what stands in the way (names, money),
    then what is kept and why, then the address typed again."""
    user = person(request)
    blockers = closure.blockers(user)
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attempt(form, lambda: closure.close_account(
                user, Credential.of_session(request),
                typed_email=form.cleaned_data["typed_email"]),
                context={"view": "close_account"})
        except Failed:
            blockers = closure.blockers(user)
        else:
            logout(request)
            messages.success(request, _("Your account is closed. Thank you for your trust."))
            return redirect("web:home")
    return render(request, "web/account_close.html", {
        "form": form, "blockers": blockers, "operator": operator()})
