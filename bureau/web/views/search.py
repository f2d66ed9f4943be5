"""Domain search, cart (kept in the session) and checkout against the prepaid balance."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bureau.banking import reference as rf
from bureau.payments import instructions
from bureau.payments.operations import waiting as waiting_op
from bureau.registrar.accounts.models import Membership
from bureau.registrar.accounts.permissions import Permission
from bureau.registrar.billing import ledger
from bureau.registrar.domains.names import map_input, split_tld, to_u_label
from bureau.registrar.operations import register as register_op
from bureau.registrar.operations.check import Quote, check
from bureau.registrar.operations.common import parse_name
from bureau.registrar.registries.models import Tld

from .. import ratelimit
from ..forms import CartAddForm, CheckoutForm, SearchForm
from ..organisations import actor, current, member_required, person
from ..outcomes import Failed, attempt

CART_KEY = "bureau_cart"
# The name a visitor searched before signing up, searched again once they can order it.
WANTED_KEY = "bureau_wanted"


@dataclass(frozen=True)
class Row:
    quote: Quote
    tld: Tld
    requested: bool

    @property
    def bundles(self) -> bool:
        return self.tld.bundles


def candidates(text: str, tlds: list[Tld]) -> tuple[list[str], str | None]:
    """The names to check: the one typed first, then its label under every TLD sold."""
    text = map_input(text).rstrip(".")  # 中國。测试 is 中國.测试
    if "." in text:
        label, tld = text.split(".", 1)
        requested = f"{label}.{tld}"
    else:
        label, requested = text, None
    names = [requested] if requested else []
    names += [f"{label}.{to_u_label(t.name)}" for t in tlds
              if f"{label}.{to_u_label(t.name)}" != requested]
    return names, requested


def search_url(name: str) -> str:
    return f"{reverse('web:search')}?{urlencode({'q': name})}"


def resume_wanted(request: HttpRequest) -> HttpResponse | None:
    """Back to the search a visitor made before signing up, once (None when there is none)."""
    wanted = request.session.pop(WANTED_KEY, None)
    return redirect(search_url(wanted)) if wanted else None


def search(request: HttpRequest) -> HttpResponse:
    """Open to visitors (rate-limited by address); a person without an organisation yet is
    asked to create one first, and comes back to this search afterwards."""
    form = SearchForm(request.GET or None)
    rows: list[Row] = []
    visitor = not request.user.is_authenticated
    if not visitor and current(request) is None:
        if form.is_bound and form.is_valid():
            request.session[WANTED_KEY] = form.cleaned_data["q"]
        return redirect("web:organisation_new")
    if form.is_bound and form.is_valid():
        if not ratelimit.hit(request, "check"):
            form.add_error("q", _("Too many searches in a short time: wait a minute and try "
                                  "again."))
            return render(request, "web/search.html", {"form": form, "rows": rows,
                                                       "visitor": visitor}, status=429)
        tlds = list(Tld.objects.filter(is_active=True).select_related("registry"))
        names, requested = candidates(form.cleaned_data["q"], tlds)
        by_name = {t.name: t for t in tlds}
        try:
            if requested:
                # Refuse a bad name or an extension not sold on the field, before anything.
                attempt(form, lambda: register_op.verify_tld_sold(parse_name(requested)),
                        context={"op": "search", "q": requested}, fields={"name": "q"})
            quotes = attempt(form, lambda: check(names), context={"op": "check", "n": names},
                             fields={"name": "q"})
        except Failed:
            quotes = []
        shown: set[str] = set()
        for q in quotes:
            if q.name in shown:  # a bundled name of a row above: one registration, one row
                continue
            shown.update(q.names)
            rows.append(Row(q, by_name[split_tld(q.name)[1]], q.name == (
                parse_name(requested) if requested else None)))
    signup = None
    if visitor and form.is_bound and form.is_valid():
        request.session[WANTED_KEY] = form.cleaned_data["q"]
        signup = (f"{reverse('account_signup')}?"
                  f"{urlencode({'next': search_url(form.cleaned_data['q'])})}")
    return render(request, "web/search.html", {
        "form": form, "rows": rows, "visitor": visitor, "signup": signup,
        "cart": request.session.get(CART_KEY, [])})


def cart_of(request: HttpRequest) -> list[dict[str, object]]:
    return list(request.session.get(CART_KEY, []))


@member_required(Permission.ORDER)
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = CartAddForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"]
        bundled = [n for n in form.cleaned_data["bundled"].split() if n != name]
        cart = [item for item in cart_of(request) if item["name"] != name]
        for item in cart:
            names = {str(item["name"]), *item.get("bundled", [])}  # type: ignore[misc]
            if names & {name, *bundled}:
                # Both would be one registration: the registry refuses the second one.
                messages.error(request, _(
                    "%(name)s is in the same bundle as %(other)s, already in your cart: "
                    "registering %(other)s registers it too, for the same price.")
                    % {"name": to_u_label(name), "other": to_u_label(str(item["name"]))})
                return redirect("web:cart")
        cart.append({"name": name, "price": form.cleaned_data["price"],
                     "currency": form.cleaned_data["currency"], "bundled": bundled})
        request.session[CART_KEY] = cart
        messages.success(request, _("%(name)s is in your cart.")
                         % {"name": to_u_label(form.cleaned_data["name"])})
    return redirect("web:cart")


@member_required(Permission.ORDER)
@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "")
    request.session[CART_KEY] = [i for i in cart_of(request) if i["name"] != name]
    return redirect("web:cart")


def cart_context(request: HttpRequest, form: CheckoutForm) -> dict[str, object]:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    cart = cart_of(request)
    items = [{**item, "u_label": to_u_label(str(item["name"])),
              "bundled_u_labels": [to_u_label(n) for n in item.get("bundled", [])]}  # type: ignore[attr-defined]
             for item in cart]
    currency = str(cart[0]["currency"]) if cart else "EUR"
    total = sum(int(str(i["price"])) for i in cart)
    organisation = membership.organisation
    missing = total + waiting_op.shortfall(organisation, currency) \
        if ledger.balance(organisation, currency) < total else 0
    return {"items": items, "form": form, "total": total,
            "balance": ledger.balance(organisation, currency), "currency": currency,
            "transfer": instructions.top_up(organisation, missing or None)
            if missing else None}


@member_required(Permission.ORDER)
def cart(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = CheckoutForm(organisation=membership.organisation)
    return render(request, "web/cart.html", cart_context(request, form))


@member_required(Permission.ORDER)
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """Register each name of the cart at the price shown (a changed price stops that name)."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    form = CheckoutForm(request.POST, organisation=membership.organisation)
    cart = cart_of(request)
    if not cart:
        messages.error(request, _("Your cart is empty."))
        return redirect("web:search")
    if not form.is_valid():
        return render(request, "web/cart.html", cart_context(request, form), status=400)
    period = form.cleaned_data["period"]
    currency = str(cart[0]["currency"])
    total = sum(int(str(item["price"])) for item in cart) * period
    if ledger.balance(membership.organisation, currency) < total:
        return wait_for_transfer(request, form, cart, period)
    remaining = []
    for item in cart:
        name = str(item["name"])
        price = int(str(item["price"])) * period
        try:
            done = attempt(form, lambda name=name, price=price: register_op.register(  # type: ignore[misc]
                organisation=membership.organisation, actor=actor(request),
                name=name, registrant=form.cleaned_data["registrant"], period=period,
                dns=form.cleaned_data["dns"], nameservers=form.cleaned_data["nameservers"],
                accepted_price=price), context={"op": "register", "name": name})
        except Failed:
            remaining.append(item)
            continue
        if done.under_review:
            messages.info(request, register_op.under_review_message(done.domain))
            continue
        messages.success(request, _("%(name)s is registered until %(date)s.")
                         % {"name": done.domain.u_label,
                            "date": done.domain.expires_at.date().isoformat()
                            if done.domain.expires_at else "?"})
    request.session[CART_KEY] = remaining
    if remaining:
        return render(request, "web/cart.html", cart_context(request, form), status=400)
    return redirect("web:domains")


def wait_for_transfer(request: HttpRequest, form: CheckoutForm, cart: list[dict[str, object]],
                      period: int) -> HttpResponse:
    """The balance does not cover the cart: the names wait for a bank transfer and are
    registered when it is credited (bureau.payments)."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    for item in cart:
        try:
            attempt(form, lambda item=item: waiting_op.wait_for_payment(  # type: ignore[misc]
                organisation=organisation, user=person(request), name=str(item["name"]),
                registrant=form.cleaned_data["registrant"], period=period,
                price=int(str(item["price"])) * period, currency=str(item["currency"])),
                context={"op": "wait-for-payment", "name": item["name"]})
        except Failed:
            return render(request, "web/cart.html", cart_context(request, form), status=400)
    request.session[CART_KEY] = []
    currency = str(cart[0]["currency"])
    messages.info(request, _(
        "Your order waits for your payment: transfer %(amount)s %(currency)s with the payment "
        "reference %(reference)s. The names are registered as soon as it is credited, and "
        "you get an email.") % {
        "amount": ledger.format_cents(waiting_op.shortfall(organisation, currency)),
        "currency": currency,
        "reference": rf.pretty(instructions.balance_reference(organisation))})
    return redirect("web:billing")
