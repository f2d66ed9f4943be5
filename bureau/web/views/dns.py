"""Portal pages of DNS hosting: zone list, zone page (record editor with validation messages,
import/export, templates, history with undo, DNSSEC and health). Views only translate: every
change goes through bureau.dns.operations, refusals go back onto the form field they name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bureau.core import clock
from bureau.dns.messages import known
from bureau.dns.models import AcmeCredential, DnssecAlgorithm, Template, Zone
from bureau.dns.operations import (
    credentials,
    dnssec,
    fees,
    health,
    history,
    records,
    templates,
    zonefiles,
    zones,
)
from bureau.dns.operations.errors import RecordsInvalid
from bureau.dns.records import Record as RawRecord
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.billing.ledger import format_cents
from bureau.registrar.domains.models import HELD_STATES, Domain
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError

from ..dns_forms import AcmeCredentialForm, ExternalDnssecForm, ImportForm, RecordForm, ZoneForm
from ..organisations import actor as portal_actor
from ..organisations import member_required
from ..outcomes import Failed, attempt

FIELD_OF_PROBLEM = {"name": "name", "type": "type", "ttl": "ttl", "content": "content"}


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def zone_of(request: HttpRequest, pk: int) -> Zone:
    """The zone if it belongs to the current organisation; 404 otherwise."""
    return get_object_or_404(Zone.objects.filter(
        organisation=membership_of(request).organisation), pk=pk)


def actor(request: HttpRequest) -> Actor:
    return portal_actor(request)


def act(request: HttpRequest, zone: Zone, action: Callable[[], object], done: str) -> HttpResponse:
    """Run a change on the zone; its refusal, or ``done``, as a message on the zone page."""
    try:
        action()
    except OperationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("dns:zone", zone.pk)


def put_problems(form: forms.Form, exc: RecordsInvalid) -> None:
    """Each problem on the field it names (the record form), or on the form."""
    for problem in exc.problems:
        field = FIELD_OF_PROBLEM.get(problem.field)
        text = problem.message if field and field in form.fields else str(problem)
        form.add_error(field if field in form.fields else None, text)


@member_required()
def zone_list(request: HttpRequest) -> HttpResponse:
    org = membership_of(request).organisation
    form = ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            zone = attempt(form, lambda: zones.create_zone(
                organisation=org, actor=actor(request), name=form.cleaned_data["name"],
                algorithm=form.cleaned_data["algorithm"] or DnssecAlgorithm.ECDSAP256SHA256,
                domain=Domain.objects.filter(organisation=org,
                                             name=form.cleaned_data["name"].lower()).first()),
                context={"view": "dns.zone_list"})
        except Failed:
            pass
        else:
            messages.success(request, _("%(zone)s is hosted.") % {"zone": zone.u_label})
            return redirect("dns:zone", zone.pk)
    return render(request, "dns/zone_list.html", {
        "zones": Zone.objects.filter(organisation=org).exclude(publish_state="withdrawn")
        .select_related("domain"),
        "elsewhere": Domain.objects.filter(organisation=org, state__in=HELD_STATES,
                                           zone__isnull=True).order_by("name"),
        "form": form, "hosting_fee": hosting_fee()}, status=400 if form.errors else 200)


def hosting_fee() -> str:
    adopted = fees.price()
    return f"{format_cents(adopted.amount)} {adopted.currency}" if adopted else ""


def zone_page(request: HttpRequest, zone: Zone, **forms_: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "zone": zone,
        "records": zone.records.select_related("application__template"),
        "record_form": RecordForm(), "import_form": ImportForm(),
        "templates": Template.objects.all(),
        "applications": zone.applications.filter(removed_at__isnull=True)
        .select_related("template"),
        "changes": zone.changes.select_related("actor").order_by("-at", "-id")[:30],
        "keys": zone.keys.exclude(state="removed"),
        "rollover": zone.rollovers.first(),
        "health": zone.health_checks.first(),
        "acme_form": AcmeCredentialForm(),
        "acme_keys": credentials.credentials_of(zone),
        "acme_tokens": zone.challenge_tokens.filter(revoked_at=None,
                                                    expires_at__gt=clock.now()),
    }
    context.update(forms_)
    return render(request, "dns/zone_detail.html", context,
                  status=400 if forms_ else 200)


@member_required()
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return zone_page(request, zone_of(request, pk))


@require_POST
@member_required(Permission.MANAGE_DNS)
def record_add(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    form = RecordForm(request.POST)
    if not form.is_valid():
        return zone_page(request, zone, record_form=form)
    data = form.cleaned_data
    remove = list(zone.records.filter(pk=data["replace"])) if data.get("replace") else []
    add = [RawRecord(data.get("name") or "@", data["type"], data["content"], data["ttl"])]
    try:
        outcome = records.edit_records(zone=zone, actor=actor(request), add=add, remove=remove)
    except RecordsInvalid as exc:
        put_problems(form, exc)
        return zone_page(request, zone, record_form=form)
    except OperationError as exc:
        form.add_error(None, exc.message)
        return zone_page(request, zone, record_form=form)
    messages.success(request, _("Saved and published (serial %(serial)s).")
                     % {"serial": outcome.serial} if outcome.published else
                     _("Saved; publication is being confirmed."))
    return redirect("dns:zone", zone.pk)


@require_POST
@member_required(Permission.MANAGE_DNS)
def records_delete(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    ids = [int(i) for i in request.POST.getlist("record") if i.isdigit()]
    rows = list(zone.records.filter(pk__in=ids))
    if not rows:
        return redirect("dns:zone", zone.pk)
    return act(request, zone, lambda: records.edit_records(
        zone=zone, actor=actor(request), remove=rows),
        _("%(count)s record(s) removed.") % {"count": len(rows)})


@require_POST
@member_required(Permission.MANAGE_DNS)
def zone_import(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    form = ImportForm(request.POST)
    if not form.is_valid():
        return zone_page(request, zone, import_form=form)
    try:
        imported = zonefiles.import_zone_file(zone=zone, actor=actor(request),
                                              text=form.cleaned_data["text"],
                                              replace=form.cleaned_data["replace"])
    except RecordsInvalid as exc:
        for problem in exc.problems:
            form.add_error("text", str(problem))
        return zone_page(request, zone, import_form=form)
    messages.success(request, _("%(count)s record(s) imported; %(skipped)s left out (SOA, name "
                                "servers and keys are managed by Bureau).")
                     % {"count": len(imported.outcome.added),
                        "skipped": len(imported.skipped) + len(imported.apex_ns)})
    return redirect("dns:zone", zone.pk)


@member_required()
def zone_export(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    response = HttpResponse(zonefiles.export_zone(zone), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{str(zone.name).rstrip(".")}.zone"'
    return response


@require_POST
@member_required(Permission.MANAGE_DNS)
def template_apply(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    slug = request.POST.get("template", "")
    template = get_object_or_404(Template, slug=slug if slug.isprintable() else "")
    values = {p["name"]: request.POST.get(f"param_{p['name']}", "")
              for p in template.parameters if request.POST.get(f"param_{p['name']}")}
    return act(request, zone, lambda: templates.apply_template(
        zone=zone, actor=actor(request), template=template, values=values),
        _("Template “%(name)s” applied.") % {"name": known(str(template.name))})


@require_POST
@member_required(Permission.MANAGE_DNS)
def template_remove(request: HttpRequest, pk: int, application: int) -> HttpResponse:
    zone = zone_of(request, pk)
    found = get_object_or_404(zone.applications, pk=application)
    return act(request, zone, lambda: templates.remove_template(
        application=found, actor=actor(request)), _("Template removed with its records."))


@require_POST
@member_required(Permission.MANAGE_DNS)
def change_undo(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    zone = zone_of(request, pk)
    found = get_object_or_404(zone.changes, pk=change)
    return act(request, zone, lambda: history.undo(change=found, actor=actor(request)),
               _("Change undone."))


@require_POST
@member_required(Permission.MANAGE_DNS)
def health_check(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    check = health.check_zone(zone)
    if check.ok:
        messages.success(request, _("No problem found."))
    else:
        messages.warning(request, _("%(count)s problem(s) found.") % {"count": len(check.problems)})
    return redirect("dns:zone", zone.pk)


@require_POST
@member_required(Permission.MANAGE_DNS)
def zone_stop(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    try:
        zones.stop_hosting(zone=zone, actor=actor(request))
    except OperationError as exc:
        messages.error(request, exc.message)
        return redirect("dns:zone", zone.pk)
    messages.success(request, _("Bureau no longer serves %(zone)s; its history is kept.")
                     % {"zone": zone.u_label})
    return redirect("dns:zones")


@require_POST
@member_required(Permission.MANAGE_DNS)
def key_rollover(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    return act(request, zone, lambda: dnssec.start_rollover(zone=zone, actor=actor(request)),
               _("Key rollover started: the new key's DS goes to the registry before the "
                 "old key is removed."))


@require_POST
@member_required(Permission.MANAGE_DNS)
def dnssec_off(request: HttpRequest, pk: int) -> HttpResponse:
    zone = zone_of(request, pk)
    return act(request, zone, lambda: dnssec.disable_dnssec(zone=zone, actor=actor(request)),
               _("DNSSEC is being turned off: the DS leaves the parent first; the keys are "
                 "deleted once it is gone and caches have forgotten it."))


@member_required(Permission.MANAGE_DNS)
def external_dnssec(request: HttpRequest, domain: int) -> HttpResponse:
    """DS or DNSKEY data for a name whose DNS is hosted elsewhere."""
    found = get_object_or_404(Domain.objects.filter(
        organisation=membership_of(request).organisation), pk=domain)
    form = ExternalDnssecForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dnssec.set_external_dnssec(
                domain=found, actor=actor(request),
                ds=form.lines(form.cleaned_data["ds"]),
                dnskeys=form.lines(form.cleaned_data["dnskeys"]))
        except RecordsInvalid as exc:
            for problem in exc.problems:
                form.add_error("dnskeys" if problem.record and problem.record.rtype == "DNSKEY"
                               else "ds", str(problem))
        except OperationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("DNSSEC data sent to the registry."))
            return redirect("dns:external_dnssec", found.pk)
    return render(request, "dns/external_dnssec.html", {
        "domain": found, "form": form, "ds_records": found.ds_records.all()},
        status=400 if form.errors else 200)


@never_cache
@require_POST
@member_required(Permission.MANAGE_DNS)
def acme_key(request: HttpRequest, pk: int) -> HttpResponse:
    """A DNS key for a certificate: shown once, with what to paste into certbot, Caddy and
    lego (the API token kind is made by bureau.web.views.tokens.challenge_token)."""
    zone = zone_of(request, pk)
    form = AcmeCredentialForm(request.POST)
    if not form.is_valid():
        return zone_page(request, zone, acme_form=form)
    try:
        issued = attempt(form, lambda: credentials.create_credential(
            zone=zone, actor=actor(request), name=form.cleaned_data["name"],
            expires_at=form.expires_at()), context={"view": "dns.acme_key"},
            fields={"expires_at": "expires_on"})
    except Failed:
        return zone_page(request, zone, acme_form=form)
    return render(request, "dns/acme_issued.html", {"zone": zone, "issued": issued})


@require_POST
@member_required(Permission.MANAGE_DNS)
def acme_key_revoke(request: HttpRequest, pk: int, credential: int) -> HttpResponse:
    zone = zone_of(request, pk)
    found = get_object_or_404(AcmeCredential, zone=zone, pk=credential, revoked_at=None)
    return act(request, zone, lambda: credentials.revoke_credential(
        credential=found, actor=actor(request)),
        _("The key %(key)s is revoked: it no longer works.") % {"key": found.key_name})
