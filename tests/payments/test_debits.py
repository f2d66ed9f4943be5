"""SEPA Core direct debit: mandates, announced collections, the pain.008 file, the bank's
confirmation and returns in camt.053, renewals planned early enough."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from lxml import etree

from bureau.banking import pain008
from bureau.banking.testing import Movement, camt053
from bureau.core import clock
from bureau.payments.models import Collection, CollectionState, Mandate
from bureau.payments.operations import debits, statements
from bureau.payments.operations.errors import NotAllowed
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

pytestmark = pytest.mark.sqlite
IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def run(staff: User, django_capture_on_commit_callbacks: Any) -> Any:
    def run(data: bytes) -> statements.ImportReport:
        with django_capture_on_commit_callbacks(execute=True):
            return statements.import_statement(io.BytesIO(data), filename="day.xml",
                                               by=staff)
    return run


@pytest.fixture
def mandate(organisation: Organisation, user: User) -> Mandate:
    return debits.sign_mandate(organisation, user, holder="Camille Martin", iban=IBAN,
                               accepted=True)


def test_a_mandate_checks_the_account_and_needs_the_text_accepted(
        organisation: Organisation, user: User, other_org: Organisation) -> None:
    with pytest.raises(debits.MandateRefused, match="IBAN is not valid") as bad:
        debits.sign_mandate(organisation, user, holder="C", iban="DE89370400440532013001",
                            accepted=True)
    assert bad.value.field == "iban"
    with pytest.raises(debits.MandateRefused, match="accept it") as unaccepted:
        debits.sign_mandate(organisation, user, holder="C", iban=IBAN, accepted=False)
    assert unaccepted.value.field == "accept"
    with pytest.raises(NotAllowed):  # not a person of that organisation
        debits.sign_mandate(other_org, user, holder="C", iban=IBAN, accepted=True)
    first = debits.sign_mandate(organisation, user, holder="Camille", iban=IBAN,
                                accepted=True)
    assert first.bic == "COBADEFFXXX"  # found from the IBAN
    assert first.reference in first.text and "8 weeks" in first.text
    second = debits.sign_mandate(organisation, user, holder="Camille", iban=IBAN,
                                 bic="COBADEFF", accepted=True)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.reference != first.reference
    assert debits.mandate_of(organisation) == second


def test_collect_confirm_and_return_through_the_bank(
        run: Any, mandate: Mandate, organisation: Organisation, staff: User,
        user: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = debits.announce(organisation, 1200, text="Renouvellement")
    # Announced at least 14 days before, to the people who pay.
    assert first.due_on == clock.now().date() + timedelta(days=14)
    [notice] = mail.outbox
    assert notice.to == [user.email] and "12.00 EUR" in notice.body
    assert mandate.reference in notice.body and "FR72ZZZ123456" in notice.body
    assert debits.make_file(by=staff) is None  # not due within the week yet
    file = debits.make_file(by=staff, horizon_days=30)
    assert file is not None and file.collections == 1 and file.total == 1200
    xml = etree.fromstring(bytes(file.xml))
    pain008.validate(bytes(file.xml))
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
    assert xml.findtext(".//p:SeqTp", namespaces=ns) == "FRST"
    assert xml.findtext(".//p:MndtId", namespaces=ns) == mandate.reference
    assert xml.findtext(".//p:EndToEndId", namespaces=ns) == first.end_to_end
    # The bank credits it: the balance is credited once.
    paid = camt053([Movement("DD1", 1200, end_to_end=first.end_to_end)], statement_id="A")
    report = run(paid)
    assert report.credited == 1 and ledger.balance(organisation, "EUR") == 1200
    first.refresh_from_db()
    assert first.state == CollectionState.PAID
    # The next one is RCUR.
    second = debits.announce(organisation, 800, text="Recharge")
    debits.make_file(by=staff, horizon_days=30)
    second.refresh_from_db()
    assert second.sequence == "RCUR"
    # The bank returns the first one (R-transaction): the credit is undone, the member told.
    mail.outbox.clear()
    run(camt053([Movement("DD1R", 1200, credit=False, end_to_end=first.end_to_end,
                          return_reason="AM04")], statement_id="B"))
    first.refresh_from_db()
    assert first.state == CollectionState.RETURNED and first.return_reason == "AM04"
    assert ledger.balance(organisation, "EUR") == 0
    assert "returned" in mail.outbox[-1].subject and "AM04" in mail.outbox[-1].body
    mandate.refresh_from_db()
    assert mandate.failures == 1 and mandate.suspended_at is None
    # A second failure in a row suspends debits for renewals.
    run(camt053([Movement("DD2R", 800, credit=False, end_to_end=second.end_to_end,
                          return_reason="MS02")], statement_id="C"))
    mandate.refresh_from_db()
    assert mandate.failures == 2 and mandate.suspended_at is not None
    assert "suspended" in mail.outbox[-1].body
    with pytest.raises(debits.NoMandate):
        debits.announce(organisation, 100, text="x")
    assert ledger.verify_balances() == []


def test_only_staff_make_files(user: User) -> None:
    with pytest.raises(NotAllowed):
        debits.make_file(by=user)


def test_auto_renewals_short_of_money_are_collected_early_enough(
        mandate: Mandate, organisation: Organisation, contact: Any, user: User,
        django_capture_on_commit_callbacks: Any) -> None:
    from bureau.notices.models import RenewalChoice
    from bureau.registrar.domains.models import Domain, DomainState
    from bureau.registrar.registries.models import Registry, Tld

    registry = Registry.objects.create(name="Offline", slug="offline", host="127.0.0.1",
                                       port=9, client_id="bureau", password="x")
    tld = Tld.objects.create(registry=registry, name="test", create_price=1200,
                             renew_price=1200, transfer_price=1000, restore_price=5000)
    now = clock.now()

    def name(label: str, days: int) -> Domain:
        return Domain.objects.create(
            name=f"{label}.test", tld=tld, organisation=organisation, registrant=contact,
            state=DomainState.ACTIVE, registered_at=now - timedelta(days=300),
            expires_at=now + timedelta(days=days), statuses=["ok"])

    soon, later = name("soon", 34), name("later", 90)
    RenewalChoice.objects.create(organisation=organisation, auto_renew=True, chosen_by=user,
                                 chosen_at=now)
    ledger.top_up(organisation, 500, "EUR")
    with django_capture_on_commit_callbacks(execute=True):
        [collection] = debits.plan_renewal_debits(now)
    # Only what is missing, for the name expiring within lead + pre-notification + settlement.
    assert collection.amount == 700 and "soon.test" in collection.text
    # Due before the auto-renewal (14 days before expiry) with days to settle.
    assert collection.due_on <= (soon.expires_at - timedelta(days=14 + 5)).date()
    assert "7.00 EUR" in mail.outbox[-1].body
    # The job runs again: nothing is announced twice; the later name is not due yet.
    assert not Collection.objects.filter(text__contains=later.name).exists()
    assert debits.plan_renewal_debits(now) == []


def test_mandate_and_files_through_the_portal(organisation: Organisation, user: User,
                                              client: Any, staff_client: Any) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/balance/mandate/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "By signing this mandate form" in page and "FR72ZZZ123456" in page
    bad = client.post("/balance/mandate/", {"holder": "Camille", "iban": "FR76 1234",
                                            "accept": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "This IBAN is not valid" in bad.content.decode()
    unaccepted = client.post("/balance/mandate/", {"holder": "Camille", "iban": IBAN},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert "accept it" in unaccepted.content.decode()
    assert client.post("/balance/mandate/", {"holder": "Camille", "iban": IBAN,
                                             "accept": "on"}).status_code == 302
    signed = debits.mandate_of(organisation)
    assert signed is not None
    assert signed.reference in client.get("/balance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    debits.announce(organisation, 1500, text="Recharge", due_on=clock.now().date())
    staff_client.post("/payments/debits/")  # due in 14 days: not within the week yet
    assert debits.make_file(by=User.objects.get(is_staff=True), horizon_days=30) is not None
    listing = staff_client.get("/payments/debits/").content.decode()
    assert "pain.008 #" in listing
    from bureau.payments.models import DebitFile

    download = staff_client.get(f"/payments/debits/{DebitFile.objects.get().pk}.xml")
    assert b"pain.008.001.02" in download.content
    assert client.get(f"/payments/debits/{DebitFile.objects.get().pk}.xml").status_code == 302
    client.post("/balance/mandate/", {"revoke": "1"})
    signed.refresh_from_db()
    assert signed.revoked_at is not None


def test_a_status_report_rejects_collections_before_and_after_the_credit(
        run: Any, mandate: Mandate, organisation: Organisation, user: User, staff: User,
        django_capture_on_commit_callbacks: Any) -> None:
    """pain.002, uploaded where statements are: a rejected collection fails like a camt
    R-transaction (credit taken back if made, member told, two failures suspend)."""
    from bureau.banking.testing import pain002
    from bureau.payments.models import DebitFile
    from bureau.payments.operations.errors import AlreadyImported, BadStatement

    first = debits.announce(organisation, 1200, text="Renouvellement")
    second = debits.announce(organisation, 800, text="Recharge")
    file = debits.make_file(by=staff, horizon_days=30)
    assert file is not None
    contents = pain008.contents(bytes(file.xml))
    assert file.message_id == contents.message_id != ""
    block = {e: p for p, ids in contents.blocks.items() for e in ids}
    # The bank confirms the second one in its statement: credited.
    run(camt053([Movement("DD2", 800, end_to_end=second.end_to_end)], statement_id="A"))
    assert ledger.balance(organisation, "EUR") == 800
    mail.outbox.clear()
    answer = pain002(file.message_id, [(block[first.end_to_end], first.end_to_end, "AC04"),
                                       (block[second.end_to_end], second.end_to_end, "MD07")])
    report = run(answer)
    assert report.rejected == 2 and "2 direct debit(s) rejected" in report.summary()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.return_reason, first.reversal) == (
        CollectionState.RETURNED, "AC04", None)  # never credited: nothing to take back
    assert second.state == CollectionState.RETURNED and second.reversal is not None
    assert ledger.balance(organisation, "EUR") == 0 and ledger.verify_balances() == []
    assert [m.to for m in mail.outbox] == [[user.email], [user.email]]
    assert "AC04" in mail.outbox[0].body and "suspended" in mail.outbox[1].body
    mandate.refresh_from_db()
    assert mandate.failures == 2 and mandate.suspended_at is not None
    # The same report again is refused; another one naming them changes nothing.
    with pytest.raises(AlreadyImported):
        run(answer)
    again = run(pain002(file.message_id, [(block[first.end_to_end], first.end_to_end,
                                           "AM04")]))
    assert again.rejected == 0 and again.known == 1
    # A new mandate starts afresh; a report rejecting its whole file rejects each collection.
    debits.sign_mandate(organisation, user, holder="Camille", iban=IBAN, accepted=True)
    third = debits.announce(organisation, 500, text="Recharge")
    other = debits.make_file(by=staff, horizon_days=30)
    assert other is not None
    run(pain002(other.message_id, [], group_status="RJCT"))
    third.refresh_from_db()
    assert third.state == CollectionState.RETURNED and third.return_reason == "FF01"
    # A report about what Bureau never sent is refused whole, saying why.
    with pytest.raises(BadStatement, match="no direct debit has the end-to-end id BUREAU-DD-X"):
        run(pain002(other.message_id, [("P", "BUREAU-DD-X", "AC04")]))
    with pytest.raises(BadStatement, match="no direct-debit file has the message id NOPE"):
        run(pain002("NOPE", [], group_status="RJCT"))
    assert DebitFile.objects.count() == 2
