"""Importing statements into the ledger: matching, the staff queue, idempotency, refusals,
and what a credit pays for (PostgreSQL or SQLite)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from bureau.banking import reference as rf
from bureau.banking.testing import Movement, camt053, csv, mt940
from bureau.coop.models import Invoice
from bureau.payments.models import BankLine, LineState, MatchedBy, StatementImport
from bureau.payments.operations import statements, waiting
from bureau.payments.operations.errors import AlreadyImported, BadStatement, NotAllowed
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import Journal

pytestmark = pytest.mark.sqlite


def run(data: bytes, staff: User, name: str = "statement.xml") -> statements.ImportReport:
    return statements.import_statement(io.BytesIO(data), filename=name, by=staff)


def ref(org: Organisation) -> str:
    return rf.make(rf.BALANCE, org.pk)


def test_a_transfer_with_the_reference_credits_the_balance(
        staff: User, organisation: Organisation, other_org: Organisation) -> None:
    report = run(camt053([
        Movement("T1", 2500, name="Camille Martin", reference=ref(organisation)),
        # Typed by hand in the free text, spaced as the bank prints it.
        Movement("T2", 1000, name="Jardins", remittance=f"adhesion {rf.pretty(ref(other_org))}"),
    ]), staff)
    assert report.credited == 2 and report.waiting == 0
    assert ledger.balance(organisation, "EUR") == 2500
    assert ledger.balance(other_org, "EUR") == 1000
    line = BankLine.objects.get(entry_ref__endswith=":T1")
    assert line.state == LineState.CREDITED and line.matched_by == MatchedBy.REFERENCE
    # The top-up has its voucher invoice, and the books balance.
    assert Invoice.objects.get(journal=line.journal).total_ttc == 2500
    assert ledger.verify_balances() == []
    assert "2 credited" in report.summary()


def test_an_invoice_number_matches_when_the_reference_is_missing(
        staff: User, organisation: Organisation) -> None:
    ledger.top_up(organisation, 100, "EUR")
    number = Invoice.objects.get(organisation=organisation).number
    run(csv([Movement("C1", 1200, name="Someone", remittance=f"paiement {number}")]), staff,
        "bank.csv")
    line = BankLine.objects.get()
    assert line.matched_by == MatchedBy.INVOICE and line.organisation == organisation
    assert ledger.balance(organisation, "EUR") == 1300


def test_unmatched_credits_wait_for_staff_with_a_suggestion(
        staff: User, organisation: Organisation, staff_client: Any) -> None:
    report = run(mt940([Movement("M1", 4200, name="Atelier Camille", remittance="merci")]),
                 staff, "s.sta")
    assert report.waiting == 1 and ledger.balance(organisation, "EUR") == 0
    [line] = statements.queue()
    assert line.suggestion == organisation  # by name: a guess, nothing credited
    page = staff_client.get("/payments/queue/").content.decode()
    assert "42.00 EUR" in page and "suggested" in page
    response = staff_client.post(f"/payments/queue/{line.pk}/assign/",
                                 {f"line{line.pk}-organisation": organisation.pk})
    assert response.status_code == 302
    assert ledger.balance(organisation, "EUR") == 4200
    line.refresh_from_db()
    assert line.matched_by == MatchedBy.STAFF and line.assigned_by == staff
    # A second click credits nothing more.
    staff_client.post(f"/payments/queue/{line.pk}/assign/",
                      {f"line{line.pk}-organisation": organisation.pk})
    assert ledger.balance(organisation, "EUR") == 4200
    assert not statements.queue().exists()


def test_the_same_or_an_overlapping_statement_credits_nothing_twice(
        staff: User, organisation: Organisation) -> None:
    first = camt053([Movement("D1", 1000, reference=ref(organisation)),
                     Movement("D2", 2000, reference=ref(organisation))], statement_id="S1")
    run(first, staff)
    with pytest.raises(AlreadyImported, match="already imported"):
        run(first, staff)
    overlapping = camt053([Movement("D2", 2000, reference=ref(organisation)),
                           Movement("D3", 4000, reference=ref(organisation))],
                          statement_id="S2")
    report = run(overlapping, staff)
    assert report.known == 1 and report.credited == 1
    assert ledger.balance(organisation, "EUR") == 7000
    assert Journal.objects.filter(kind="top-up").count() == 3


def test_a_partly_bad_statement_imports_nothing_and_lists_the_bad_lines(
        staff: User, organisation: Organisation) -> None:
    data = camt053([Movement("G1", 1000, reference=ref(organisation)),
                    Movement("G2", 0, reference=ref(organisation)),
                    Movement("G3", 500, currency="USD", reference=ref(organisation))])
    with pytest.raises(BadStatement) as refused:
        run(data, staff)
    message = refused.value.message
    assert "Nothing was imported" in message and "line 5" in message and "line 6" in message
    assert "USD is not the one balances are kept in" in message
    assert ledger.balance(organisation, "EUR") == 0
    assert not BankLine.objects.exists() and not StatementImport.objects.exists()
    # Fixed, it imports.
    run(camt053([Movement("G1", 1000, reference=ref(organisation))]), staff)
    assert ledger.balance(organisation, "EUR") == 1000


def test_a_statement_of_another_account_imports_nothing(
        staff: User, organisation: Organisation) -> None:
    """A statement of another account (the savings account, a file picked by mistake) would
    book its movements as the cooperative's: refused whole, naming both accounts."""
    other = "FR1420041010050500013M02606"
    movements = [Movement("A1", 1000, reference=ref(organisation)),
                 Movement("A2", 300, credit=False, name="Rent")]
    for data in (camt053(movements, account=other), mt940(movements, account=other)):
        with pytest.raises(BadStatement) as refused:
            run(data, staff)
        message = refused.value.message
        assert (f"for the account {other}; only the statements of the cooperative's account "
                "FR7630006000011234567890189" in message)
        assert message.count(other) == 1  # said once, not once a line
    assert ledger.balance(organisation, "EUR") == 0
    assert not BankLine.objects.exists() and not StatementImport.objects.exists()
    # A bank's own account number cannot be compared with an IBAN: imported.
    run(mt940(movements[:1], account="30006/00011234567"), staff)
    assert ledger.balance(organisation, "EUR") == 1000


def test_debits_are_recorded_as_money_out(staff: User, organisation: Organisation) -> None:
    report = run(camt053([Movement("O1", 3000, credit=False, name="Registry fees")]), staff)
    assert report.debits == 1 and BankLine.objects.get().state == LineState.DEBIT


def test_only_staff_import(organisation: Organisation, user: User) -> None:
    with pytest.raises(NotAllowed):
        run(camt053([Movement("N1", 100, reference=ref(organisation))]), user)
    assert ledger.balance(organisation, "EUR") == 0


def test_the_command_imports_and_says_what_it_did(
        organisation: Organisation, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "day.xml"
    path.write_bytes(camt053([Movement("K1", 1500, reference=ref(organisation)),
                              Movement("K2", 500, reference=ref(organisation))]))
    call_command("payments", "import", str(path))
    said = capsys.readouterr()
    assert "2 credited" in said.out
    assert f"{path}: 2 lines read" in said.err  # the progress line, closed before the result
    with pytest.raises(CommandError):
        call_command("payments", "import", str(path))
    assert "already imported" in capsys.readouterr().err
    assert ledger.balance(organisation, "EUR") == 2000


def test_the_portal_import_page(staff_client: Any, organisation: Organisation,
                                client: Any, user: User) -> None:
    good = io.BytesIO(camt053([Movement("P1", 900, reference=ref(organisation))]))
    good.name = "day.xml"
    response = staff_client.post("/payments/statements/", {"file": good}, follow=True)
    assert "1 credited" in response.content.decode()
    bad = io.BytesIO(b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>")
    bad.name = "broken.xml"
    page = staff_client.post("/payments/statements/", {"file": bad})
    assert page.status_code == 400 and "the XML is malformed" in page.content.decode()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/payments/statements/").status_code == 302  # not staff: to login
    assert ledger.balance(organisation, "EUR") == 900


def test_balance_page_shows_how_to_pay(organisation: Organisation, user: User,
                                       client: Any) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/balance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert rf.pretty(ref(organisation)) in page
    assert "FR76 3000 6000 0112 3456 7890 189" in page
    assert 'src="data:image/svg+xml' in page


def test_a_credit_registers_what_waited_and_emails_the_member(
        staff: User, organisation: Organisation, contact: Any, user: User,
        sandbox_registry: Any) -> None:
    order = waiting.wait_for_payment(organisation=organisation, user=user,
                                     name="attente.test", registrant=contact, period=1,
                                     price=1000, currency="EUR")
    assert waiting.shortfall(organisation, "EUR") == 1000
    report = run(camt053([Movement("W1", 1500, reference=ref(organisation))]), staff)
    # The job the import enqueued, run here.
    credited = BankLine.objects.filter(statement=report.statement, state=LineState.CREDITED)
    done = waiting.settle(organisation, list(credited.values_list("pk", flat=True)))
    assert done.registered == ["attente.test"]
    assert ledger.balance(organisation, "EUR") == 500
    order.refresh_from_db()
    assert order.state == "started"
    [message] = mail.outbox
    assert message.to == [user.email] and "attente.test" in message.body
    assert "15.00 EUR" in message.body and "5.00 EUR" in message.body
    # Run again (a job may run twice): nothing more is registered or charged.
    assert waiting.settle(organisation, []).registered == []
    assert ledger.balance(organisation, "EUR") == 500


def test_the_invoice_of_a_transfer_says_how_it_was_paid(
        staff: User, organisation: Organisation, user: User, client: Any) -> None:
    from pypdf import PdfReader

    run(camt053([Movement("INV1", 2000, reference=ref(organisation))]), staff)
    invoice = Invoice.objects.get(journal__bank_line__isnull=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/coop/invoices/{invoice.pk}.pdf")
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Réglée par virement reçu le 07/12/2026 (référence bancaire INV1)" in text
    assert f"référence {rf.pretty(ref(organisation))}" in text
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in text


def test_bulk_top_ups_write_what_single_ones_do(organisation: Organisation,
                                                other_org: Organisation) -> None:
    """A statement's credits go through ledger.top_up_many: the same journals, entries,
    balances and voucher invoices (consecutive numbers) as one top_up each."""
    single = ledger.top_up(organisation, 700, "EUR", memo="one")
    many = ledger.top_up_many([(organisation.pk, 300, "a"), (other_org.pk, 200, "b"),
                               (organisation.pk, 100, "c")], "EUR")
    assert ledger.balance(organisation, "EUR") == 1100
    assert ledger.balance(other_org, "EUR") == 200
    assert ledger.verify_balances() == []
    first = Invoice.objects.get(journal=single)
    numbers = [Invoice.objects.get(journal_id=j) for j in many]
    assert [i.sequence for i in numbers] == [first.sequence + 1, first.sequence + 2,
                                             first.sequence + 3]
    assert numbers[1].organisation == other_org and numbers[1].total_ttc == 200
    assert numbers[0].lines[0]["label"] == first.lines[0]["label"]
    assert numbers[0].vat_mention == first.vat_mention and numbers[0].total_vat == 0


def test_a_refusal_speaks_french_too(staff: User) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(BadStatement) as refused:
        run(csv([Movement("Z1", 0)]), staff, "z.csv")
    assert "Rien n’a été importé" in refused.value.message
    assert "ligne 2 : le montant est nul" in refused.value.message


def test_a_statement_crediting_many_organisations_is_settled_by_one_job(
        staff: User, django_capture_on_commit_callbacks: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from bureau.payments.tasks import settle_statement

    orgs = [Organisation.objects.create(name=f"Asso {i}", slug=f"asso-{i}") for i in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        run(camt053([Movement(f"MANY{i}", 100 + i, reference=ref(o))
                     for i, o in enumerate(orgs)]), staff)
    [job] = DBTaskResult.objects.all()
    assert job.task_path.endswith("settle_statement")
    assert settle_statement.call(**job.args_kwargs["kwargs"]) == {
        "organisations": 12, "failed": []}
    assert [ledger.balance(o, "EUR") for o in orgs] == [100 + i for i in range(12)]


def test_a_statement_read_in_several_rounds(staff: User, organisation: Organisation,
                                            other_org: Organisation,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A long statement is read a few lines at a time, the file parsed while the lines
    before are written: the same credits as in one round, a movement repeated in a later
    round counted once, and a bad line at the end undoes the rounds written before it."""
    monkeypatch.setattr(statements, "CHUNK", 2)
    movements = [Movement(f"R{i}", 100 + i, reference=ref(organisation if i % 2 else other_org))
                 for i in range(7)]
    bad = camt053([*movements, Movement("R9", 0, reference=ref(organisation))])
    with pytest.raises(BadStatement) as refused:
        run(bad, staff)
    assert "line 11" in refused.value.message
    assert not BankLine.objects.exists() and not Journal.objects.exists()
    truncated = camt053(movements)[:-40]  # the file ends in the middle of the last entries
    with pytest.raises(BadStatement) as refused:
        run(truncated, staff)
    assert "the XML is malformed" in refused.value.message
    assert not BankLine.objects.exists()
    report = run(camt053([*movements, movements[1]]), staff)
    assert (report.credited, report.known) == (7, 1)
    assert ledger.balance(organisation, "EUR") == 101 + 103 + 105
    assert ledger.balance(other_org, "EUR") == 100 + 102 + 104 + 106
    assert ledger.verify_balances() == []
