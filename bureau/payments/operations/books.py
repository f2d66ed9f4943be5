"""The ledger as accounting lines for the cooperative's accountant: the FEC and a CSV.

One accounting line per ledger entry. An entry's signed amount adds to its account's
balance; on the books a positive amount is a credit and a negative one a debit (member
balances are advances received, the funding account is the bank). Accounts of the French
chart (PCG):

- member balance: 4191 Clients - avances et acomptes reçus, one auxiliary account per
  organisation;
- payments received: 512 Banque;
- sales: 706 Prestations de services (VAT included: the invoices split it);
- share capital: 1013 Capital souscrit - appelé, versé.

To check with the accountant: the VAT split (the ledger keeps prices VAT included; the
invoices carry the split), and whether card payments need their own account (580/511).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from bureau.banking import fec
from bureau.registrar.billing.models import AccountKind, Entry, JournalKind

from .staff import verify_staff

ACCOUNTS: dict[str, tuple[str, str]] = {
    AccountKind.MEMBER: ("4191", "Clients - avances et acomptes reçus"),
    AccountKind.FUNDING: ("512", "Banque"),
    AccountKind.REVENUE: ("706", "Prestations de services"),
    AccountKind.CAPITAL: ("1013", "Capital souscrit - appelé, versé"),
}
JOURNALS: dict[str, tuple[str, str]] = {
    JournalKind.TOP_UP: ("BQ", "Banque"),
    JournalKind.SHARE: ("BQ", "Banque"),
    JournalKind.REVERSAL: ("BQ", "Banque"),
    JournalKind.PAYOUT: ("BQ", "Banque"),
    JournalKind.CHARGE: ("VT", "Ventes"),
    JournalKind.REFUND: ("VT", "Ventes"),
    JournalKind.ADJUSTMENT: ("OD", "Opérations diverses"),
}


def lines(start: date, end: date) -> Iterator[fec.Line]:
    """The accounting lines of the journals dated ``start`` to ``end`` included."""
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    entries = (Entry.objects.filter(journal__at__gte=since, journal__at__lt=until)
               .select_related("journal", "journal__invoice", "account__organisation")
               .order_by("journal__at", "journal_id", "id"))
    for entry in entries.iterator(chunk_size=2000):
        journal, account = entry.journal, entry.account
        code, label = JOURNALS.get(journal.kind, ("OD", "Opérations diverses"))
        number, name = ACCOUNTS.get(account.kind, ("471", "Compte d'attente"))
        organisation = account.organisation
        invoice = getattr(journal, "invoice", None)
        day = timezone.localtime(journal.at).date()
        yield fec.Line(
            journal_code=code, journal_label=label, number=str(journal.pk), on=day,
            account=number, account_label=name,
            auxiliary=f"C{organisation.pk:08d}" if organisation else "",
            auxiliary_label=str(organisation.name) if organisation else "",
            piece=invoice.number if invoice is not None else f"J{journal.pk}",
            piece_on=timezone.localtime(invoice.issued_at).date() if invoice else day,
            label=journal.memo or journal.get_kind_display(),
            debit=-entry.amount if entry.amount < 0 else 0,
            credit=entry.amount if entry.amount > 0 else 0)


def export(start: date, end: date, *, by: Any, kind: str = "fec") -> Iterator[str]:
    """The FEC (``kind`` "fec") or the CSV of the period, for staff."""
    verify_staff(by)
    if end < start:
        raise ValueError("the period ends before it starts")
    return fec.fec(lines(start, end)) if kind == "fec" else fec.csv_lines(lines(start, end))
