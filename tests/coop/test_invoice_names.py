"""Invoices name every name of a registration (a bundle's too) as people read them, in fonts
that draw them (DejaVu Sans, and Noto Sans CJK from Debian's fonts-noto-cjk); without such a
font, invoicing fails naming the package rather than printing blanks."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from programs import require_program
from pypdf import PdfReader

from bureau.coop import conf, pdf
from bureau.coop.models import Invoice, InvoiceKind
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db


def test_an_invoice_prints_every_name_of_the_bundle_in_u_labels(
        actor: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox) -> None:
    require_program("fc-match", "fontconfig")
    done = register.register(organisation=organisation, actor=actor, name="電腦.测试",
                             registrant=contact)
    names = done.domain.u_labels
    assert len(names) == 2 and names[0] == "電腦.测试"
    invoice = Invoice.objects.get(journal__order=done.order, kind=InvoiceKind.INVOICE)
    assert ", ".join(names) in invoice.lines[0]["label"]
    reader = PdfReader(io.BytesIO(pdf.render(invoice)))
    # pypdf reads the CJK font's two-byte codes with a NUL before each character.
    text = " ".join(reader.pages[0].extract_text().replace("\x00", "").split())
    assert all(name in text for name in names), text
    assert "xn--" not in text and "FACTURE N°" in text
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in f for f in fonts) and any("NotoSansCJK" in f for f in fonts)


def test_without_a_font_that_draws_every_script_invoicing_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    require_program("fc-match", "fontconfig")
    monkeypatch.delenv("BUREAU_COOP_INVOICE_FONT", raising=False)
    monkeypatch.setitem(conf.INVOICE_FONTS, "cjk", ("No Such Font CJK", "fonts-noto-cjk"))
    with pytest.raises(ImproperlyConfigured, match="fonts-noto-cjk"):
        conf.invoice_fonts()
