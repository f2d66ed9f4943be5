"""Prepaid balance and the ledger entries of the current organisation."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bureau.payments import conf as payments_conf
from bureau.payments import instructions
from bureau.payments.operations import debits
from bureau.payments.operations import waiting as waiting_op
from bureau.payments.operations.errors import OperationError
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.billing.models import AccountKind, Entry, LedgerAccount, Order

from ..forms import MandateForm
from ..organisations import member_required, person
from ..outcomes import Failed, attempt


@member_required()
def billing(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    accounts = LedgerAccount.objects.filter(kind=AccountKind.MEMBER, organisation=organisation)
    entries = (Entry.objects.filter(account__in=accounts)
               .select_related("journal", "journal__order", "account")
               .order_by("-journal__at", "-id"))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    waiting = list(waiting_op.waiting_of(organisation))
    return render(request, "web/billing.html", {
        "accounts": accounts, "page": page, "waiting": waiting,
        "mandate": debits.mandate_of(organisation),
        "transfer": instructions.top_up(
            organisation, waiting_op.shortfall(organisation, payments_conf.currency())),
        "orders": Order.objects.filter(organisation=organisation)[:20],
    })


@member_required(Permission.ORDER)
def mandate(request: HttpRequest) -> HttpResponse:
    """Sign (or replace) the organisation's SEPA direct-debit mandate, or revoke it."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    current = debits.mandate_of(organisation)
    form = MandateForm(request.POST or None)
    if request.method == "POST" and request.POST.get("revoke") and current is not None:
        try:
            debits.revoke_mandate(current, person(request))
        except OperationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The mandate is revoked: no new direct debit will be "
                                        "announced."))
        return redirect("web:mandate")
    if request.method == "POST" and form.is_valid():
        try:
            signed = attempt(form, lambda: debits.sign_mandate(
                organisation, person(request), holder=form.cleaned_data["holder"],
                iban=form.cleaned_data["iban"], bic=form.cleaned_data["bic"],
                accepted=form.cleaned_data["accept"]), context={"op": "sign-mandate"})
        except Failed:
            pass
        else:
            messages.success(request, _("Mandate %(reference)s signed.")
                             % {"reference": signed.reference})
            return redirect("web:mandate")
    preview = debits.mandate_text(organisation, debits.next_reference(organisation))
    return render(request, "web/mandate.html", {
        "form": form, "mandate": current, "preview": preview,
        "collections": current.collections.order_by("-due_on")[:20] if current else []},
        status=400 if request.method == "POST" else 200)
