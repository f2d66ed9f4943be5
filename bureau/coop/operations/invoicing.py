"""Invoices and credit notes, issued in the ledger's own transaction.

Every ledger journal that moves a member's balance gets its document:

- a charge (a paid operation: registration, renewal...) -> an invoice with VAT;
- a top-up -> an invoice for a multi-purpose voucher (bon à usage multiple, CGI art. 256
  ter): the prepaid balance can pay for several services, so VAT is due when it is spent
  (the operation's invoice), not on the top-up; the top-up invoice says so;
- a refund -> a credit note (avoir) that cancels the charge's invoice.

Numbers: one gapless series per kind and year (``F2026-000001``, ``AV2026-000001``), taken
with ``numbering.next_number`` inside the transaction that records the payment: when that
transaction rolls back (a failed operation), the number is not used, and concurrent
payments wait for the series' row lock. The seller's legal mentions and the buyer's details
are frozen into the invoice; texts are in French (invoices issued in France).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db.models.signals import post_save
from django.utils import translation
from django.utils.translation import gettext as _

from bureau.coop import conf
from bureau.coop.models import Invoice, InvoiceKind
from bureau.core import bulk, clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing.ledger import top_ups_posted
from bureau.registrar.billing.models import AccountKind, Entry, Journal, JournalKind
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.names import to_u_label

from .numbering import next_number, next_numbers


@dataclass(frozen=True)
class Amounts:
    ht: int
    vat: int
    ttc: int


def split_vat(amount: int, rate: Decimal, *, includes_vat: bool) -> Amounts:
    """HT / TVA / TTC of ``amount`` cents at ``rate`` percent (half-up to the cent)."""
    if includes_vat:
        ht = int((Decimal(amount) * 100 / (100 + rate)).quantize(Decimal(1), ROUND_HALF_UP))
        return Amounts(ht=ht, vat=amount - ht, ttc=amount)
    vat = int((Decimal(amount) * rate / 100).quantize(Decimal(1), ROUND_HALF_UP))
    return Amounts(ht=amount, vat=vat, ttc=amount + vat)


def vat_mention(rate: Decimal) -> str:
    if rate == 0:
        return _("VAT not applicable, article 293 B of the French tax code (CGI).")
    return ""


def buyer_of(organisation: Any) -> dict[str, str]:
    contact = organisation.contacts.order_by("pk").first() \
        if hasattr(organisation, "contacts") else None
    return _buyer(organisation, contact)


def _buyer(organisation: Any, contact: Any) -> dict[str, str]:
    """The customer's details frozen into an invoice: the organisation, its first contact's
    address and email."""
    buyer = {"name": str(organisation.name), "address": "", "email": ""}
    if contact is not None:
        parts = [getattr(contact, f, "") for f in ("street", "postal_code", "city", "country")]
        buyer["address"] = ", ".join(str(p) for p in parts if p)
        buyer["email"] = str(getattr(contact, "email", ""))
    return buyer


def buyers_of(organisations: set[Any]) -> dict[int, dict[str, str]]:
    """``buyer_of`` for many organisations, with one query for their first contacts."""
    first: dict[int, Any] = {}
    for contact in Contact.objects.filter(
            organisation__in=[o.pk for o in organisations]).order_by("organisation_id", "pk"):
        first.setdefault(contact.organisation_id, contact)
    return {o.pk: _buyer(o, first.get(o.pk)) for o in organisations}


def _line(label: str, amount: int, rate: Decimal, includes_vat: bool) -> dict[str, Any]:
    a = split_vat(amount, rate, includes_vat=includes_vat)
    return {"label": label, "quantity": 1, "unit_ht": a.ht, "total_ht": a.ht,
            "vat_rate": str(rate), "vat": a.vat, "total_ttc": a.ttc}


def series_for(kind: str, at: datetime) -> str:
    return f"{'AV' if kind == InvoiceKind.CREDIT_NOTE else 'F'}{at.year}"


def _issue(*, kind: str, journal: Journal, organisation: Any, currency: str,
           lines: list[dict[str, Any]], mention: str, credits: Invoice | None = None) -> Invoice:
    at = clock.now()
    series = series_for(kind, at)
    sequence = next_number(series)
    seller = conf.seller()
    return Invoice.objects.create(
        number=f"{series}-{sequence:06d}", series=series, sequence=sequence, kind=kind,
        journal=journal, organisation=organisation, credits=credits, issued_at=at,
        seller=seller.as_dict(), buyer=buyer_of(organisation), lines=lines,
        currency=currency, total_ht=sum(int(line["total_ht"]) for line in lines),
        total_vat=sum(int(line["vat"]) for line in lines),
        total_ttc=sum(int(line["total_ttc"]) for line in lines), vat_mention=mention)


def issue_for_charge(journal: Journal, amount: int, currency: str) -> Invoice:
    order = journal.order
    assert order is not None
    seller = conf.seller()
    years = ""
    if order.operation in ("create", "renew"):
        years = " — " + (_("%(n)s year(s)") % {"n": order.period})
    # Every name of the registration (a bundle's BDNs too), as people read them.
    names = order.domain.u_labels if order.domain is not None else [
        to_u_label(order.domain_name)]
    label = f"{order.get_operation_display()} {', '.join(names)}{years}"
    line = _line(label, amount, seller.vat_rate, seller.prices_include_vat)
    return _issue(kind=InvoiceKind.INVOICE, journal=journal, organisation=order.organisation,
                  currency=currency, lines=[line], mention=vat_mention(seller.vat_rate))


def issue_for_top_up(journal: Journal, organisation: Any, amount: int,
                     currency: str) -> Invoice:
    line = _line(_("Top-up of the prepaid balance (multi-purpose voucher)"), amount,
                 Decimal(0), True)
    mention = _("Multi-purpose voucher: VAT is due when the balance is spent, on the "
                "invoice of each operation (article 256 ter of the French tax code, CGI).")
    return _issue(kind=InvoiceKind.INVOICE, journal=journal, organisation=organisation,
                  currency=currency, lines=[line], mention=mention)


def issue_for_refund(journal: Journal, amount: int, currency: str) -> Invoice | None:
    order = journal.order
    charged = Journal.objects.filter(order=order, kind=JournalKind.CHARGE).first() \
        if order is not None else None
    original = Invoice.objects.filter(journal=charged).first() if charged else None
    if order is None or original is None:
        # A charge from before invoicing existed: nothing to cancel.
        return None
    lines = [{**line, "label": _("Cancels %(number)s: %(label)s")
              % {"number": original.number, "label": line["label"]},
              "unit_ht": -int(line["unit_ht"]), "total_ht": -int(line["total_ht"]),
              "vat": -int(line["vat"]), "total_ttc": -int(line["total_ttc"])}
             for line in original.lines]
    return _issue(kind=InvoiceKind.CREDIT_NOTE, journal=journal,
                  organisation=order.organisation, currency=currency, lines=lines,
                  mention=original.vat_mention, credits=original)


def on_entry(sender: Any, instance: Entry, created: bool, **kwargs: Any) -> None:
    """post_save of a ledger entry: the member's side of a journal decides the document."""
    if not created or kwargs.get("raw"):
        return
    account = instance.account
    if account.kind != AccountKind.MEMBER:
        return
    journal = instance.journal
    amount = abs(int(instance.amount))
    with translation.override("fr"):
        if journal.kind == JournalKind.CHARGE and instance.amount < 0:
            issue_for_charge(journal, amount, account.currency)
        elif journal.kind == JournalKind.TOP_UP and instance.amount > 0:
            issue_for_top_up(journal, account.organisation, amount, account.currency)
        elif journal.kind == JournalKind.REFUND and instance.amount > 0:
            issue_for_refund(journal, amount, account.currency)


def on_top_ups(sender: Any, postings: list[tuple[int, int, int]], currency: str,
              **kwargs: Any) -> None:
    """``ledger.top_up_many``: the top-ups' invoices (journal id, organisation id, amount),
    numbered in one go and written without a model instance each."""
    if not postings:
        return
    at = clock.now()
    series = series_for(InvoiceKind.INVOICE, at)
    first = next_numbers(series, len(postings))
    # The seller is the same on every invoice, a buyer on each of theirs: serialised once.
    seller = bulk.Json(json.dumps(conf.seller().as_dict()))
    buyers = {pk: bulk.Json(json.dumps(buyer)) for pk, buyer in buyers_of(set(
        Organisation.objects.filter(pk__in={organisation for _j, organisation, _a in postings})
        .only("pk", "name"))).items()}
    with translation.override("fr"):
        label = _("Top-up of the prepaid balance (multi-purpose voucher)")
        mention = _("Multi-purpose voucher: VAT is due when the balance is spent, on the "
                    "invoice of each operation (article 256 ter of the French tax code, CGI).")
    fields = ("number", "series", "sequence", "kind", "journal_id", "organisation_id",
              "issued_at", "seller", "buyer", "lines", "currency", "total_ht", "total_vat",
              "total_ttc", "vat_mention")
    bulk.insert_rows(Invoice, fields, (
        (f"{series}-{first + offset:06d}", series, first + offset, InvoiceKind.INVOICE.value,
         journal, organisation, at, seller, buyers[organisation], voucher_lines(label, amount),
         currency, amount, 0, amount, mention)
        for offset, (journal, organisation, amount) in enumerate(postings)))


@lru_cache(maxsize=8192)  # payments repeat the same amounts: each serialised once
def voucher_lines(label: str, amount: int) -> bulk.Json:
    """A voucher's lines, serialised: it carries no VAT, so its one line is the amount,
    excluding and including tax."""
    return bulk.Json(json.dumps([_line(label, amount, Decimal(0), True)]))


def connect_ledger_hook() -> None:
    post_save.connect(on_entry, sender=Entry, dispatch_uid="coop-invoices")
    top_ups_posted.connect(on_top_ups, dispatch_uid="coop-invoices-bulk")


def invoices_of(organisation: Any) -> Any:
    return Invoice.objects.filter(organisation=organisation).order_by("-issued_at",
                                                                      "-sequence")
