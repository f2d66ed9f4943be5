"""Transfer a name in from another registrar: the name and its price first, then the code."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import DomainState
from bureau.registrar.operations import transfer as transfer_op
from bureau.registrar.operations.check import Quote, quote
from bureau.registrar.operations.common import parse_new_name

from ..forms import TransferInForm, TransferNameForm
from ..organisations import actor, member_required
from ..outcomes import Failed, attempt


def offer_for(form: forms.Form, name: str) -> Quote | None:
    """The transfer's price for ``name``, or None with the reason on the form."""
    try:
        return attempt(form, lambda: quote(parse_new_name(name), operation="transfer"),
                       context={"op": "quote-transfer", "name": name})
    except Failed:
        return None


@member_required(Permission.ORDER)
def transfer_in(request: HttpRequest) -> HttpResponse:
    """GET ?name=: the price of the transfer and what happens next, with the form for the
    code. POST: the transfer, at the price shown (a changed price stops it)."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    name_form = TransferNameForm(request.GET or None)
    code_form = TransferInForm(organisation=membership.organisation)
    offer = None
    if request.method == "POST":
        code_form = TransferInForm(request.POST, organisation=membership.organisation)
        name_form = TransferNameForm(request.POST)
        if code_form.is_valid():
            name = code_form.cleaned_data["name"]
            try:
                done = attempt(code_form, lambda: transfer_op.transfer_in(
                    organisation=membership.organisation, actor=actor(request), name=name,
                    auth_info=code_form.cleaned_data["auth_code"],
                    accepted_price=code_form.cleaned_data["accepted_price"],
                    holder=code_form.cleaned_data["holder"]),
                    context={"op": "transfer-in", "name": name},
                    fields={"auth_info": "auth_code", "name": ""})
            except Failed:
                pass
            else:
                if done.domain.state == DomainState.PENDING_TRANSFER_IN:
                    messages.info(request, _(
                        "The transfer of %(name)s is requested. Its current registrar can "
                        "accept or refuse it; the name appears here as active as soon as "
                        "the registry moves it.") % {"name": done.domain.u_label})
                else:
                    messages.success(request, _("%(name)s is transferred to Bureau.")
                                     % {"name": done.domain.u_label})
                return redirect("web:domain", pk=done.domain.pk)
        if name_form.is_valid():
            offer = offer_for(name_form, name_form.cleaned_data["name"])
    elif name_form.is_bound and name_form.is_valid():
        offer = offer_for(name_form, name_form.cleaned_data["name"])
    currency = offer.currency if offer else "EUR"
    failed = request.method == "POST" or bool(name_form.errors)
    return render(request, "web/transfer_in.html", {
        "name_form": name_form, "form": code_form, "offer": offer, "currency": currency,
        "balance": ledger.balance(membership.organisation, currency)},
        status=400 if failed else 200)
