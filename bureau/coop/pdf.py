"""An invoice or credit note as a PDF (fpdf2). Invoices print names as people read them
(U-labels, in any script Bureau sells) with fonts that draw them (``conf.invoice_fonts``:
DejaVu Sans, and Noto Sans CJK for the glyphs it lacks); the certificate keeps the core
fonts in windows-1252, so that "€" and French accents print. Everything printed comes from
the frozen invoice row."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from fpdf import FPDF

from bureau.coop.conf import Seller, invoice_fonts
from bureau.coop.models import Invoice, InvoiceKind, Member


def money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    symbol = "€" if currency == "EUR" else currency
    return f"{sign}{whole:,}".replace(",", " ") + f",{rest:02d} {symbol}"


def _clean(text: str) -> str:
    return text.encode("windows-1252", "replace").decode("windows-1252")


def render(invoice: Invoice, payment: list[str] | None = None) -> bytes:
    """The PDF; ``payment`` lines say how it was paid and how to pay (bureau.payments)."""
    s, b = invoice.seller, invoice.buyer
    pdf = FPDF(format="A4")
    for role, (regular, bold) in invoice_fonts().items():
        pdf.add_font(f"invoice-{role}", "", regular)
        pdf.add_font(f"invoice-{role}", "B", bold)
    pdf.set_fallback_fonts(["invoice-cjk"])  # for the glyphs DejaVu lacks
    pdf.set_title(invoice.number)
    pdf.set_creator("Bureau")
    pdf.add_page()
    pdf.set_auto_page_break(True, 15)

    def text(value: str, size: int = 9, style: str = "", h: float = 4.5) -> None:
        pdf.set_font("invoice-text", style, size)
        pdf.multi_cell(0, h, value, new_x="LMARGIN", new_y="NEXT")

    title = "AVOIR" if invoice.kind == InvoiceKind.CREDIT_NOTE else "FACTURE"
    text(f"{title} N° {invoice.number}", 16, "B", 8)
    text(f"Date de facture : {invoice.issued_at:%d/%m/%Y}")
    if invoice.credits_id:
        assert invoice.credits is not None
        text(f"Avoir sur la facture N° {invoice.credits.number} du "
             f"{invoice.credits.issued_at:%d/%m/%Y}")
    pdf.ln(3)
    text(s["name"], 11, "B")
    text(f"{s['legal_form']}\n{s['address']}\nSIREN {s['siren']} — {s['rcs']}\n"
         f"N° TVA intracommunautaire : {s['vat_number']}\n{s['email']}")
    pdf.ln(3)
    text("Client·e", 11, "B")
    text(f"{b['name']}\n{b.get('address', '')}\n{b.get('email', '')}".strip())
    pdf.ln(4)
    widths = (70, 10, 25, 15, 20, 25)
    pdf.set_font("invoice-text", "B", 9)
    for w, head in zip(widths, ("Désignation", "Qté", "PU HT", "TVA %", "TVA", "Montant TTC"),
                       strict=True):
        pdf.cell(w, 6, head, border=1)
    pdf.ln()
    pdf.set_font("invoice-text", "", 9)
    for line in invoice.lines:
        # The designation wraps (a bundle's names are long) and the row takes its height.
        label = str(line["label"])
        lines = pdf.multi_cell(widths[0], 6, label, dry_run=True, output="LINES")
        height = 6 * len(lines if isinstance(lines, list) else [label])
        top, left = pdf.get_y(), pdf.get_x()
        pdf.multi_cell(widths[0], 6, label, border=1)
        pdf.set_xy(left + widths[0], top)
        cells = (str(line.get("quantity", 1)),
                 money(int(line["unit_ht"]), invoice.currency),
                 f"{Decimal(str(line['vat_rate'])):g}", money(int(line["vat"]), invoice.currency),
                 money(int(line["total_ttc"]), invoice.currency))
        for w, value in zip(widths[1:], cells, strict=True):
            pdf.cell(w, height, value, border=1)
        pdf.ln()
    pdf.ln(2)
    text(f"Total HT : {money(invoice.total_ht, invoice.currency)}", 10, "B")
    text(f"Total TVA : {money(invoice.total_vat, invoice.currency)}", 10, "B")
    text(f"Total TTC : {money(invoice.total_ttc, invoice.currency)}", 10, "B")
    pdf.ln(3)
    if invoice.vat_mention:
        text(invoice.vat_mention)
    text(f"Conditions de paiement : {s['payment_terms']}")
    for line in payment or []:
        text(line)
    text(s["late_penalty"])
    pdf.ln(2)
    text(f"{s['name']}, société coopérative d'intérêt collectif ({s['legal_form']}), "
         "régie par la loi n° 47-1775 du 10 septembre 1947.", 8)
    return bytes(pdf.output())


def render_certificate(member: Member, seller: Seller, at: datetime) -> bytes:
    """A member's certificate (attestation d'associé·e): number, college, shares and their
    nominal value, and every movement."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(_clean(f"Attestation {member.number}"))
    pdf.add_page()

    def text(value: str, size: int = 10, style: str = "", h: float = 5) -> None:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(0, h, _clean(value), new_x="LMARGIN", new_y="NEXT")

    text("ATTESTATION D'ASSOCIÉ·E", 16, "B", 8)
    text(f"{seller.name} — {seller.legal_form}\n{seller.address}\n"
         f"SIREN {seller.siren} — {seller.rcs}")
    pdf.ln(4)
    text(f"Nous certifions que {member.display_name} est inscrit·e au registre des "
         f"associé·es sous le numéro {member.number}, dans le collège « {member.college.name} », "
         f"depuis le {member.joined_at:%d/%m/%Y}.")
    shares = member.shares
    first = member.movements.first()
    unit = first.unit_value if first else 0  # the nominal value, as recorded
    if member.is_active:
        text(f"Parts sociales détenues : {shares}, de valeur nominale "
             f"{money(unit, 'EUR')} chacune, soit {money(shares * unit, 'EUR')}.")
    else:
        assert member.left_at is not None
        text(f"{member.get_status_display()} le {member.left_at:%d/%m/%Y} ; parts "
             "remboursées à leur valeur nominale.")
    pdf.ln(3)
    text("Mouvements de parts", 11, "B")
    for m in member.movements.all():
        text(f"{m.at:%d/%m/%Y}  {m.get_kind_display()}  {m.shares:+d} × "
             f"{money(m.unit_value, m.currency)}  {m.reason}", 9)
    pdf.ln(4)
    text(f"Fait le {at:%d/%m/%Y}. Une personne, une voix, quel que soit le nombre de parts.", 9)
    return bytes(pdf.output())
