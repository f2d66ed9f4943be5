"""Prepaid balance and the ledger entries of the current organisation."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bureau.payments import conf as payments_conf
from bureau.payments import instructions
from bureau.payments.operations import waiting as waiting_op
from bureau.registrar.accounts.models import Membership
from bureau.registrar.billing.models import AccountKind, Entry, LedgerAccount, Order

from ..organisations import member_required


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
        "transfer": instructions.top_up(
            organisation, waiting_op.shortfall(organisation, payments_conf.currency())),
        "orders": Order.objects.filter(organisation=organisation)[:20],
    })
