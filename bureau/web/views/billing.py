"""Prepaid balance and the ledger entries of the current organisation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.payments import card, instructions
from bureau.payments import conf as payments_conf
from bureau.payments.operations import cards, debits
from bureau.payments.operations import waiting as waiting_op
from bureau.payments.operations.errors import OperationError
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.billing.models import AccountKind, Entry, LedgerAccount, Order

from ..forms import CardForm, MandateForm
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
    if request.GET.get("card") == "done":
        messages.info(request, _("Thank you: the payment shows here as soon as the card "
                                 "provider confirms it, usually within a minute."))
    waiting = list(waiting_op.waiting_of(organisation))
    provider = card.provider()
    response = render(request, "web/billing.html", {
        "accounts": accounts, "page": page, "waiting": waiting,
        "mandate": debits.mandate_of(organisation),
        "cards": provider is not None, "card_form": CardForm(),
        "transfer": instructions.top_up(
            organisation, waiting_op.shortfall(organisation, payments_conf.currency())),
        "orders": Order.objects.filter(organisation=organisation)[:20],
    })
    if provider is not None and settings.BUREAU_CSP:
        # The card form leads to the provider's page: the one place a form leaves the site.
        response["Content-Security-Policy"] = settings.BUREAU_CSP.replace(
            "form-action 'self'", f"form-action 'self' {provider.checkout_origin}")
    return response


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


@member_required(Permission.ORDER)
@require_POST
def card_top_up(request: HttpRequest) -> HttpResponse:
    """Off to the card provider's page; the balance is credited when it confirms."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = CardForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values()
                                          for e in errs))
        return redirect("web:billing")
    back = request.build_absolute_uri(reverse("web:billing"))
    try:
        _payment, url = cards.start(membership.organisation, person(request),
                                    form.cleaned_data["amount"],
                                    success_url=f"{back}?card=done", cancel_url=back)
    except OperationError as exc:
        messages.error(request, exc.message)
        return redirect("web:billing")
    return redirect(url)
