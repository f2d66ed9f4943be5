"""Invoices: one for every paid operation and top-up, a credit note for every refund,
numbered without gaps (failed operations, rolled-back transactions, concurrent payments on
PostgreSQL), with the legal mentions of a French SCIC in the PDF."""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.test import Client
from pypdf import PdfReader

from bureau.coop import pdf
from bureau.coop.models import Invoice, InvoiceKind
from bureau.coop.operations.invoicing import split_vat
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import register
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import RegistryRefused
from bureau.sandbox.testing import Sandbox


def numbers(kind: str = InvoiceKind.INVOICE) -> list[int]:
    return list(Invoice.objects.filter(kind=kind).order_by("sequence")
                .values_list("sequence", flat=True))


@pytest.mark.sqlite
def test_vat_split_by_hand() -> None:
    # 12.00 TTC at 20 %: HT = 1200 / 1.2 = 1000, TVA 200.
    assert split_vat(1200, Decimal(20), includes_vat=True).ht == 1000
    # 10.00 TTC: 1000 / 1.2 = 833.33 -> 833, TVA 167.
    amounts = split_vat(1000, Decimal(20), includes_vat=True)
    assert (amounts.ht, amounts.vat, amounts.ttc) == (833, 167, 1000)


@pytest.mark.sqlite
def test_operations_top_ups_and_refunds_get_gapless_numbers(
        actor: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox) -> None:
    # The fixture's top-up: invoice 1 (a multi-purpose voucher, no VAT yet).
    top_up = Invoice.objects.get()
    assert top_up.total_ttc == 100_000 and top_up.total_vat == 0
    assert "256 ter" in top_up.vat_mention

    ok = register.register(organisation=organisation, actor=actor, name="facture.test",
                           registrant=contact, accepted_price=1000)
    invoice = Invoice.objects.get(journal__order=ok.order, kind=InvoiceKind.INVOICE)
    assert (invoice.total_ht, invoice.total_vat, invoice.total_ttc) == (833, 167, 1000)
    assert "facture.test" in invoice.lines[0]["label"]

    # A refused operation is charged (invoice) then refunded (credit note) - no hole.
    sandbox.faults.add("fail", "domain:create")
    with pytest.raises(RegistryRefused):
        register.register(organisation=organisation, actor=actor, name="refus.test",
                          registrant=contact)
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.credits is not None and "refus.test" in credit.credits.lines[0]["label"]
    assert credit.total_ttc == -1000 and credit.number.startswith("AV")

    # A payment whose transaction fails takes its number with it.
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.top_up(organisation, 5000, "EUR")
        raise RuntimeError("the payment provider said no after all")
    ledger.top_up(organisation, 5000, "EUR")
    assert numbers() == [1, 2, 3, 4]
    assert numbers(InvoiceKind.CREDIT_NOTE) == [1]
    year = invoice.issued_at.year
    assert Invoice.objects.get(sequence=4, kind="invoice").number == f"F{year}-000004"


def test_pdf_has_the_legal_mentions(actor: Actor, organisation: Organisation,
                                    contact: Contact, sandbox: Sandbox, user: Any) -> None:
    result = register.register(organisation=organisation, actor=actor, name="mentions.test",
                               registrant=contact, accepted_price=1000)
    invoice = Invoice.objects.get(journal__order=result.order)
    client = Client()
    client.force_login(user)
    response = client.get(f"/coop/invoices/{invoice.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content))
                    .pages)
    text = " ".join(text.split())
    for mention in [
        f"FACTURE N° {invoice.number}", "Date de facture", "Bureau SCIC",
        "SCIC SARL à capital variable", "RCS", "SIREN", "1 place de la Coopération",
        "N° TVA intracommunautaire : FR00000000000", "Atelier Camille", "1 rue de la Paix",
        "mentions.test", "Total HT : 8,33 €", "Total TVA : 1,67 €", "Total TTC : 10,00 €",
        "Conditions de paiement", "pénalités", "indemnité forfaitaire pour frais de "
        "recouvrement de 40 €", "loi n° 47-1775",
    ]:
        assert mention in text, mention
    # Another organisation's people cannot download it.
    other = Organisation.objects.create(name="Autre", slug="autre")
    stranger = User.objects.create(username="stranger")
    other.memberships.create(user=stranger, role="owner")
    client.force_login(stranger)
    assert client.get(f"/coop/invoices/{invoice.pk}.pdf").status_code == 404


@pytest.mark.sqlite
def test_top_up_and_credit_note_pdfs(db: Any) -> None:
    org = Organisation.objects.create(name="Org", slug="org")
    ledger.top_up(org, 2000, "EUR")
    text = PdfReader(io.BytesIO(pdf.render(Invoice.objects.get()))).pages[0].extract_text()
    assert "Bon à usage multiple" in " ".join(text.split())
    assert "256 ter du CGI" in " ".join(text.split())


def test_credit_note_pdf_names_the_cancelled_invoice(
        actor: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox) -> None:
    sandbox.faults.add("fail", "domain:create")
    with pytest.raises(RegistryRefused):
        register.register(organisation=organisation, actor=actor, name="avoir.test",
                          registrant=contact)
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert credit.credits is not None
    text = " ".join(PdfReader(io.BytesIO(pdf.render(credit))).pages[0].extract_text().split())
    assert f"AVOIR N° {credit.number}" in text
    assert f"Avoir sur la facture N° {credit.credits.number}" in text
    assert "Total TTC : -10,00 €" in text


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_get_gapless_numbers() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    orgs = [Organisation.objects.create(name=f"Org {i}", slug=f"org-{i}") for i in range(8)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(orgs))

    def pay(org: Organisation, fail: bool) -> None:
        try:
            barrier.wait()
            for n in range(5):
                try:
                    with transaction.atomic():
                        ledger.top_up(org, 1000 + n, "EUR")
                        if fail and n % 2:
                            raise RuntimeError("rolled back")
                except RuntimeError:
                    pass
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(org, i % 2 == 0))
               for i, org in enumerate(orgs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # 4 orgs pay 5 times, 4 orgs pay 3 times (2 rolled back): 32 invoices, numbered 1..32.
    assert numbers() == list(range(1, 33))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == 32


def test_yearly_figures_come_from_the_records(
        actor: Actor, organisation: Organisation, contact: Contact, sandbox: Sandbox,
        make_member: Any) -> None:
    from bureau.coop.figures import yearly

    register.register(organisation=organisation, actor=actor, name="chiffres.test",
                      registrant=contact, accepted_price=1000)
    make_member("customers", shares=3)
    [year] = yearly()
    assert year.top_ups == 100_000  # the fixture's top-up
    assert (year.sales_ht, year.vat, year.operations) == (833, 167, 1)
    assert year.members_joined == 1 and year.capital_end == 6000


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_get_gapless_invoice_and_credit_note_numbers() -> None:
    """Orders placed at once by several organisations (charge -> invoice), half of them
    then refused (refund -> credit note): both series stay without gaps."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    from bureau.registrar.billing import orders

    orgs = [Organisation.objects.create(name=f"Org {i}", slug=f"org-{i}") for i in range(6)]
    for org in orgs:
        ledger.top_up(org, 100_000, "EUR")  # invoices 1..6
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(orgs))

    def buy(org: Organisation) -> None:
        try:
            barrier.wait()
            for n in range(4):
                order = orders.place(organisation=org, user=None, operation="create",
                                     domain_name=f"n{n}.{org.slug}.test", amount=1000,
                                     currency="EUR")
                if n % 2:
                    orders.fail(order, message="refused by the registry")
                else:
                    orders.complete(order)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(org,)) for org in orgs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert numbers() == list(range(1, 6 + 6 * 4 + 1))
    assert numbers(InvoiceKind.CREDIT_NOTE) == list(range(1, 6 * 2 + 1))
    for credit in Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE):
        assert credit.credits is not None
        assert credit.total_ttc == -credit.credits.total_ttc
