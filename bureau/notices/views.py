"""Thin pages: verification and confirmation links, published fees, the parking page, and
the goodbye checklist. Rules live in contacts.py, goodbye.py, terms.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bureau.core import clock
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import HELD_STATES, Domain, Operation
from bureau.registrar.domains.names import to_u_label
from bureau.registrar.operations.check import list_price, service_price
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError
from bureau.registrar.registries.models import Tld

from . import choices, conf, contacts, goodbye
from .mail import portal_path
from .models import Parking
from .reminders import domain_context, money
from .templatetags.notices import schedule
from .terms import term_of


def page(request: HttpRequest, template: str, context: dict[str, object],
         status: int = 200) -> HttpResponse:
    """Render inside the portal's base template once it exists, standalone until then."""
    base = select_template(["web/base.html", "notices/standalone.html"])
    return render(request, template, {**context, "base_template": base.template.name},
                  status=status)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that open links must not use them up.
    if request.method == "GET":
        return page(request, "notices/link.html", {"action": "verify",
                                                   "email": contacts.address_of(token)})
    try:
        if request.POST.get("new"):
            contact = contacts.new_link_for(token)
            return page(request, "notices/link.html", {"done": "new-link", "contact": contact,
                                                       "days": conf.verify_days()})
        contact = contacts.verify_email(token)
    except contacts.LinkExpired as exc:
        return page(request, "notices/link.html", {"error": str(exc), "expired": True},
                    status=400)
    except contacts.LinkError as exc:
        return page(request, "notices/link.html", {"error": str(exc)}, status=400)
    return page(request, "notices/link.html", {"done": "verify", "contact": contact})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return page(request, "notices/link.html", {"action": "confirm"})
    try:
        contact = contacts.confirm_data(token)
    except contacts.LinkError as exc:
        return page(request, "notices/link.html", {"error": str(exc)}, status=400)
    return page(request, "notices/link.html", {"done": "confirm", "contact": contact})


@login_required
@require_http_methods(["POST"])
def new_link(request: HttpRequest, pk: int) -> HttpResponse:
    """"Send a new link" on the contacts page (and the expired-link page leads there)."""
    contact = get_object_or_404(Contact, pk=pk, organisation__members=request.user)
    try:
        contacts.request_new_link(contact=contact, actor=Actor.of_session(request, "portal"))
    except OperationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("A new link was sent to %(email)s; it is valid for "
                                    "%(days)s days.") % {"email": contact.email,
                                                          "days": conf.verify_days()})
    return redirect(portal_path("web:contacts", None, "/contacts/"))


def fees(request: HttpRequest) -> HttpResponse:
    rows = [{"tld": "." + to_u_label(tld.name),  # readable: .测试, not .xn--0zwm56d
             "renew": money(list_price(tld, "renew", 1), tld.currency),
             "late": money(list_price(tld, "renew", 1), tld.currency),
             "restore": money(list_price(tld, "restore", 1), tld.currency),
             "create": money(list_price(tld, "create", 1), tld.currency)}
            for tld in Tld.objects.filter(is_active=True).order_by("name")]
    hosting = service_price(Operation.DNS_HOSTING)
    return page(request, "notices/fees.html", {
        "rows": rows, **schedule(),
        "dns_hosting": money(hosting.amount, hosting.currency) if hosting else None})


def parked(request: HttpRequest) -> HttpResponse:
    """Served for every host name of a parked domain (the parking name servers answer with
    the address of this server); ``?name=`` for tests and previews."""
    host = (request.GET.get("name") or request.get_host().split(":")[0]).lower().rstrip(".")
    parking = None
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        parking = Parking.objects.filter(domain__name=candidate, restored_at=None) \
            .select_related("domain__tld").first()
        if parking is not None:
            break
    if parking is None:
        raise Http404
    domain = parking.domain
    now = clock.now()
    term = term_of(domain, now)
    context = domain_context(domain, term.paid_until if term else now, now)
    return page(request, "notices/parked.html", context)


@login_required
@require_http_methods(["POST"])
def auto_renew_view(request: HttpRequest, name: str) -> HttpResponse:
    """Turn auto-renew on or off for one name (``on=1`` or ``on=0``); the explicit choice."""
    domain = get_object_or_404(Domain, name=name, state__in=HELD_STATES,
                               organisation__members=request.user)
    on = request.POST.get("on")
    if on not in ("0", "1"):
        return HttpResponse(status=400)
    try:
        choices.set_auto_renew(actor=Actor.of_session(request, "portal"), on=on == "1",
                               domain=domain)
    except OperationError as exc:
        return HttpResponse(str(exc), status=403, content_type="text/plain")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("notices:fees"))


@login_required
@require_http_methods(["GET", "POST"])
def goodbye_view(request: HttpRequest, name: str) -> HttpResponse:
    domain = get_object_or_404(Domain, name=name, state__in=HELD_STATES,
                               organisation__members=request.user)
    context: dict[str, object] = {"domain": domain, "items": goodbye.checklist(),
                                  "stops": goodbye.what_stops(domain),
                                  "in_add_grace": goodbye.deleted_at_once(domain)}
    if request.method == "POST":
        actor = Actor.of_session(request, "portal")
        mode = request.POST.get("mode", "")
        try:
            goodbye.give_up(domain=domain, actor=actor, mode=mode,
                            ticked=set(request.POST.getlist("checked")),
                            typed_name=request.POST.get("typed_name", ""))
        except (OperationError, ValueError) as exc:
            context["error"] = str(exc)
            return page(request, "notices/goodbye.html", context, status=400)
        done = goodbye.result(domain, mode)
        context.update(done=done.outcome, refunded=done.refunded, currency=done.currency)
    return page(request, "notices/goodbye.html", context)
