"""Domain list and domain page: status, dates, contacts, name servers, locks, DNSSEC,
transfer code, history, renew, delete. Every lookup is limited to the current organisation."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bureau.core import clock
from bureau.notices import renewal
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.domains.models import (
    HELD_STATES,
    BundledName,
    Domain,
    DomainState,
    Operation,
    Outcome,
)
from bureau.registrar.domains.names import to_a_label, to_u_label
from bureau.registrar.operations import register as register_op
from bureau.registrar.operations import registrant as registrant_op
from bureau.registrar.operations import transfer as transfer_op
from bureau.registrar.operations import update as update_op
from bureau.registrar.operations.check import quote

from ..forms import (
    DomainContactsForm,
    DSForm,
    HolderChangeForm,
    LocksForm,
    NameserversForm,
    RenewForm,
)
from ..organisations import actor, member_required
from ..outcomes import Failed, attempt

SORTS: dict[str, list[Any]] = {
    "expires": [F("expires_at").asc(nulls_last=True), "name"],
    "-expires": [F("expires_at").desc(nulls_last=True), "name"],
    "name": ["name"],
    "-name": ["-name"],
}
EXPIRING_SOON = timedelta(days=60)
PAGE_SIZE = 50
# What a row of the list shows: the transfer code (encrypted) and the rest are not loaded.
LIST_FIELDS = ["id", "name", "state", "expires_at"]


def domains_of(request: HttpRequest) -> QuerySet[Domain]:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return Domain.objects.filter(organisation=membership.organisation).select_related("tld")


def get_domain(request: HttpRequest, pk: int) -> Domain:
    """The domain if it belongs to the current organisation; 404 otherwise (never 403: the
    answer must not tell whether another organisation holds it)."""
    return get_object_or_404(
        domains_of(request).select_related("registrant", "admin_contact", "tech_contact",
                                           "billing_contact", "tld__registry"), pk=pk)


def name_matches(text: str) -> Q:
    """Names containing ``text`` as typed (A-labels) or in its A-label form (café → xn--)."""
    terms = {text.lower()}
    with contextlib.suppress(ValidationError):
        terms.add(to_a_label(text if "." in text else f"{text}.x").removesuffix(".x"))
    condition = Q()
    for term in terms:  # the registration's name or one of its bundled names
        condition |= Q(name__icontains=term) | Q(pk__in=BundledName.objects.filter(
            name__icontains=term).values("domain_id"))
    return condition


@member_required()
def domain_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "expires")
    if sort not in SORTS:
        sort = "expires"
    state = request.GET.get("state", "held")
    q = request.GET.get("q", "").strip()
    domains = domains_of(request)
    if state == "held":
        domains = domains.filter(state__in=HELD_STATES | {DomainState.PENDING_CREATE,
                                                          DomainState.PENDING_TRANSFER_IN})
    elif state in DomainState.values:
        domains = domains.filter(state=state)
    if q:
        domains = domains.filter(name_matches(q))
    domains = domains.select_related(None).only(*LIST_FIELDS).order_by(*SORTS[sort])
    page = Paginator(domains, PAGE_SIZE).get_page(request.GET.get("page"))
    for domain in page.object_list:
        domain.shown_name = to_u_label(domain.name)  # type: ignore[attr-defined]
    now = clock.now()
    return render(request, "web/domain_list.html", {
        "domains": page.object_list, "page": page,
        "query": urlencode({"q": q, "state": state, "sort": sort}) + "&",
        "sort": sort, "state": state, "q": q,
        "states": DomainState.choices, "soon": now + EXPIRING_SOON, "now": now,
    })


def review_started(domain: Domain) -> datetime | None:
    """When the registry started reviewing the name before registering it (its create is
    pending), or None when it is not under review."""
    if domain.state != DomainState.PENDING_CREATE:
        return None
    return domain.events.filter(operation=Operation.CREATE, outcome=Outcome.PENDING) \
        .order_by("at").values_list("at", flat=True).first()


def domain_context(request: HttpRequest, domain: Domain, **extra: object) -> dict[str, object]:
    under_review_since = review_started(domain)
    context: dict[str, object] = {
        "domain": domain,
        "under_review_since": under_review_since,
        "under_review": register_op.under_review_message(domain) if under_review_since
        else "",
        "events": domain.events.select_related("actor").order_by("-at", "-id")[:50],
        "ds_records": domain.ds_records.all(),
        "bundled": domain.bundled_names.all(),
        "nameservers_form": NameserversForm(initial={"nameservers": "\n".join(
            domain.nameservers)}),
        "locks_form": LocksForm(initial={"transfer": domain.transfer_prohibited,
                                         "update": domain.update_prohibited,
                                         "delete": domain.delete_prohibited}),
        "renew_form": RenewForm(),
        "ds_form": DSForm(initial={"ds_records": "\n".join(
            f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest}"
            for d in domain.ds_records.all())}),
        "contacts_form": DomainContactsForm(organisation=domain.organisation, initial={
            "admin": domain.admin_contact_id, "tech": domain.tech_contact_id,
            "billing": domain.billing_contact_id}),
        "held_states": sorted(HELD_STATES),
        "expiring_soon": domain.expires_at is not None
        and domain.expires_at < clock.now() + EXPIRING_SOON,
    }
    context.update(extra)
    return context


@member_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain(request, pk)
    return render(request, "web/domain_detail.html", domain_context(request, domain))


def _rerender(request: HttpRequest, domain: Domain, **forms_: object) -> HttpResponse:
    return render(request, "web/domain_detail.html", domain_context(request, domain, **forms_),
                  status=400)


def _update(request: HttpRequest, domain: Domain, form: forms.Form, form_name: str, *,
            op: str, done: str, changes: Callable[[], dict[str, Any]],
            fields: dict[str, str] | None = None) -> HttpResponse:
    """Send a form's change to the registry through the update operation: back to the domain
    page with ``done`` when it went through, else the page again with the form's errors."""
    if form.is_valid():
        try:
            result = attempt(form, lambda: update_op.update(
                domain=domain, actor=actor(request), **changes()),
                context={"op": op, "domain": domain.name}, fields=fields)
        except Failed:
            pass
        else:
            messages.success(request, done % {"name": domain.u_label})
            if isinstance(result.detail, dict) and result.detail.get("notice"):
                messages.warning(request, result.detail["notice"])
            return redirect("web:domain", pk=domain.pk)
    return _rerender(request, domain, **{form_name: form})


@member_required(Permission.MANAGE_DOMAINS)
@require_POST
def nameservers(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain(request, pk)
    form = NameserversForm(request.POST)
    return _update(request, domain, form, "nameservers_form", op="update-ns",
                   done=_("Name servers of %(name)s updated."),
                   changes=lambda: {"nameservers": form.cleaned_data["nameservers"]})


@member_required(Permission.MANAGE_DOMAINS)
@require_POST
def dnssec(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain(request, pk)
    form = DSForm(request.POST)
    return _update(request, domain, form, "ds_form", op="update-ds",
                   done=_("DNSSEC of %(name)s updated at the registry."),
                   changes=lambda: {"ds_records": [
                       update_op.DS(*r) for r in form.cleaned_data["ds_records"]]})


@member_required(Permission.MANAGE_CONTACTS)
@require_POST
def domain_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain(request, pk)
    form = DomainContactsForm(request.POST, organisation=domain.organisation)
    return _update(request, domain, form, "contacts_form", op="update-contacts",
                   done=_("Contacts of %(name)s updated."),
                   changes=lambda: {role: form.cleaned_data[role]
                                    for role in ("admin", "tech", "billing")},
                   fields={"registrant": "admin"})


@member_required(Permission.MANAGE_DOMAINS)
@require_POST
def locks(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain(request, pk)
    form = LocksForm(request.POST)
    return _update(request, domain, form, "locks_form", op="update-locks",
                   done=_("Locks of %(name)s updated."),
                   changes=lambda: {"locks": dict(form.cleaned_data)})


@never_cache
@member_required(Permission.REVEAL_AUTH_CODE)
@require_POST
def auth_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the transfer code once, on demand; recorded in the domain's history and in the
    security log. Never shown on a GET, never cached."""
    domain = get_domain(request, pk)
    form = forms.Form()
    try:
        code = attempt(form, lambda: transfer_op.reveal_auth_info(
            domain=domain, actor=actor(request)),
            context={"op": "reveal-auth-code", "domain": domain.name})
    except Failed:
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect("web:domain", pk=domain.pk)
    return render(request, "web/domain_detail.html",
                  domain_context(request, domain, auth_code=code))


@member_required(Permission.ORDER)
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain(request, pk)
    form = RenewForm(request.POST)
    if form.is_valid():
        period = form.cleaned_data["period"]
        accepted = request.POST.get("accepted_price")
        try:
            if accepted is None or not accepted.isdigit():
                q = attempt(form, lambda: quote(domain.name, operation="renew", period=period),
                            context={"op": "quote-renew", "domain": domain.name})
                return render(request, "web/domain_renew_confirm.html",
                              {"domain": domain, "quote": q, "period": period})
            attempt(form, lambda: renewal.renew_for_holder(
                domain, actor(request), period=period, accepted_price=int(accepted)),
                context={"op": "renew", "domain": domain.name})
        except Failed:
            pass
        else:
            messages.success(request, _("%(name)s is renewed for %(years)s year(s).")
                             % {"name": domain.u_label, "years": period})
            return redirect("web:domain", pk=domain.pk)
    return _rerender(request, domain, renew_form=form)


@member_required(Permission.MANAGE_DOMAINS)
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Deleting goes through the guided goodbye (what stops working, the checklist, the typed
    name: ``notices.goodbye.give_up``); this address, once the portal's delete form, leads
    there."""
    domain = get_domain(request, pk)
    return redirect("notices:goodbye", name=domain.name)


@member_required(Permission.REVEAL_AUTH_CODE)
@require_POST
def transfer_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a transfer to another registrar: approve (the name leaves) or reject."""
    domain = get_domain(request, pk)
    approve = request.POST.get("reply") == "approve"
    operation = transfer_op.approve_transfer_out if approve else transfer_op.reject_transfer_out
    form = forms.Form()
    try:
        attempt(form, lambda: operation(domain=domain, actor=actor(request)),
                context={"op": "transfer-out", "approve": approve, "domain": domain.name})
    except Failed:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    else:
        text = (_("The transfer of %(name)s is approved.") if approve
                else _("The transfer of %(name)s is rejected; the name stays here."))
        messages.success(request, text % {"name": domain.u_label})
    return redirect("web:domain", pk=domain.pk)


@member_required(Permission.ORDER)
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Restore a deleted name from redemption: first the price, then the confirmed order."""
    domain = get_domain(request, pk)
    form = forms.Form()
    accepted = request.POST.get("accepted_price")
    try:
        if accepted is None or not accepted.isdigit():
            q = attempt(form, lambda: quote(domain.name, operation="restore"),
                        context={"op": "quote-restore", "domain": domain.name})
            return render(request, "web/domain_restore_confirm.html",
                          {"domain": domain, "quote": q})
        attempt(form, lambda: renewal.restore_for_holder(domain, actor(request),
                                                         accepted_price=int(accepted)),
                context={"op": "restore", "domain": domain.name})
    except Failed:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is restored.") % {"name": domain.u_label})
    return redirect("web:domain", pk=domain.pk)


# The operation's roles (owner, administrator): ROLES_THAT_MANAGE_MEMBERS.
@member_required(Permission.MANAGE_MEMBERS)
def holder(request: HttpRequest, pk: int) -> HttpResponse:
    """Change of holder (registrant) with the consent of both holders; the transfer lock
    that follows, and how to opt out of it, are explained on the page."""
    domain = get_domain(request, pk)
    form = HolderChangeForm(request.POST or None, domain=domain)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = attempt(form, lambda: registrant_op.change_registrant(
                domain=domain, actor=actor(request),
                new_registrant=data["new_registrant"],
                old_holder_consent=data["old_holder_consent"],
                new_holder_consent=data["new_holder_consent"],
                opt_out_of_transfer_lock=data["opt_out_of_transfer_lock"]),
                context={"op": "registrant-change", "domain": domain.name},
                fields={"registrant": "new_registrant"})
        except Failed:
            pass
        else:
            until = done.domain.transfer_locked_until
            if data["opt_out_of_transfer_lock"] or until is None:
                text = _("%(holder)s now holds %(name)s.")
            else:
                text = _("%(holder)s now holds %(name)s. Transfers to another registrar are "
                         "locked until %(date)s.")
            messages.success(request, text % {
                "holder": data["new_registrant"], "name": domain.u_label,
                "date": until.date().isoformat() if until else ""})
            return redirect("web:domain", pk=domain.pk)
    return render(request, "web/domain_holder.html", {
        "domain": domain, "form": form,
        "lock_days": int(getattr(settings, "BUREAU_REGISTRANT_CHANGE_LOCK_DAYS", 60)),
    }, status=400 if request.method == "POST" else 200)
