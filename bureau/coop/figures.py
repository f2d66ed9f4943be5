"""The cooperative's yearly figures for the transparency page, computed from the records
(invoices, share movements, members, orders), never typed in by hand."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from bureau.coop.models import Invoice, InvoiceKind, Member, ShareMovement
from bureau.registrar.billing.models import JournalKind


@dataclass(frozen=True)
class Year:
    year: int
    sales_ht: int  # services invoiced, excl. VAT, net of credit notes (cents)
    vat: int
    top_ups: int  # money paid in (multi-purpose vouchers)
    operations: int  # paid operations invoiced, net of credit notes
    members_joined: int
    capital_subscribed: int
    capital_refunded: int
    capital_end: int


def yearly() -> list[Year]:
    invoices = (Invoice.objects.annotate(year=ExtractYear("issued_at"))
                .values("year", "kind", "journal__kind")
                .annotate(ht=Sum("total_ht"), vat=Sum("total_vat"), ttc=Sum("total_ttc"),
                          n=Count("id")))
    joined = (Member.objects.annotate(year=ExtractYear("joined_at")).values("year")
              .annotate(n=Count("id")))
    data: dict[int, dict[str, int]] = {}

    def row(year: int) -> dict[str, int]:
        return data.setdefault(year, {k: 0 for k in (
            "sales_ht", "vat", "top_ups", "operations", "members_joined", "sub", "ref")})

    for item in invoices:
        r = row(int(item["year"]))
        if item["journal__kind"] == JournalKind.TOP_UP:
            r["top_ups"] += int(item["ttc"] or 0)
            continue
        r["sales_ht"] += int(item["ht"] or 0)
        r["vat"] += int(item["vat"] or 0)
        r["operations"] += int(item["n"]) * (-1 if item["kind"] == InvoiceKind.CREDIT_NOTE
                                             else 1)
    for m in ShareMovement.objects.annotate(year=ExtractYear("at")).only("shares",
                                                                         "unit_value"):
        r = row(int(m.year))
        r["sub" if m.shares > 0 else "ref"] += m.shares * m.unit_value
    for joined_year in joined:
        row(int(joined_year["year"]))["members_joined"] += int(joined_year["n"])
    years = []
    capital = 0
    for year in sorted(data):
        r = data[year]
        capital += r["sub"] + r["ref"]
        years.append(Year(year=year, sales_ht=r["sales_ht"], vat=r["vat"],
                          top_ups=r["top_ups"], operations=r["operations"],
                          members_joined=r["members_joined"], capital_subscribed=r["sub"],
                          capital_refunded=-r["ref"], capital_end=capital))
    return list(reversed(years))
