"""Home page and organisation switching."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bureau.registrar.domains.names import to_u_label
from bureau.registrar.operations.check import cooperative_prices, priced
from bureau.registrar.registries.models import Tld

from .. import organisations
from ..forms import SearchForm
from .search import resume_wanted


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        if organisations.current(request) is None:
            return redirect("web:organisation_new")
        return resume_wanted(request) or redirect("web:domains")
    return render(request, "web/home.html", {"form": SearchForm(), "prices": prices()})


def prices() -> list[dict[str, object]]:
    """Each extension sold with its price for one year's registration and renewal."""
    tlds = list(Tld.objects.filter(is_active=True).order_by("name"))
    create = cooperative_prices(tlds, "create")
    renew = cooperative_prices(tlds, "renew")
    return [{"tld": to_u_label(t.name), "currency": t.currency,
             "create": priced(t, "create", 1, create.get(t.name)),
             "renew": priced(t, "renew", 1, renew.get(t.name))} for t in tlds]


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    organisations.switch(request, organisation_id)  # not a member: nothing changes
    return redirect(safe_next(request))


def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("web/favicon.svg"), permanent=True)
