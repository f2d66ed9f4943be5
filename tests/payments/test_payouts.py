"""Money going out: a balance or shares paid back by a pain.001 credit transfer, seen on
the statement."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from lxml import etree

from bureau.banking.testing import Movement, camt053
from bureau.coop.models import College
from bureau.coop.operations import membership
from bureau.payments.models import PayoutState
from bureau.payments.operations import payouts, statements
from bureau.payments.operations.debits import MandateRefused
from bureau.payments.operations.errors import NotAllowed
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import AccountKind, LedgerAccount

pytestmark = pytest.mark.sqlite
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def test_a_balance_paid_back_by_transfer(staff: User, organisation: Organisation,
                                         user: User) -> None:
    ledger.top_up(organisation, 3000, "EUR")
    with pytest.raises(NotAllowed):
        payouts.pay_back_balance(organisation, 1000, name="Camille", iban=IBAN, by=user)
    with pytest.raises(MandateRefused, match="IBAN is not valid"):
        payouts.pay_back_balance(organisation, 1000, name="Camille",
                                 iban="FR14 2004 1010 0505 0001 3M02 607", by=staff)
    with pytest.raises(payouts.PayoutRefused, match="does not cover"):
        payouts.pay_back_balance(organisation, 5000, name="Camille", iban=IBAN, by=staff)
    payout = payouts.pay_back_balance(organisation, 2000, name="Camille Martin", iban=IBAN,
                                      by=staff)
    assert ledger.balance(organisation, "EUR") == 1000  # owed from now
    file = payouts.make_file(by=staff)
    assert file is not None and file.transfers == 1 and file.total == 2000
    xml = etree.fromstring(bytes(file.xml))
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert xml.findtext(".//p:EndToEndId", namespaces=ns) == payout.end_to_end
    assert xml.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) == IBAN.replace(" ", "")
    assert xml.findtext(".//p:InstdAmt", namespaces=ns) == "20.00"
    assert payouts.make_file(by=staff) is None  # sent once
    # The statement shows it went out.
    statements.import_statement(io.BytesIO(camt053([
        Movement("OUT1", 2000, credit=False, name="Camille Martin",
                 end_to_end=payout.end_to_end)])), filename="d.xml", by=staff)
    payout.refresh_from_db()
    assert payout.state == PayoutState.DONE
    assert ledger.verify_balances() == []


def test_shares_paid_back_after_leaving(staff: User, user: User) -> None:
    college = College.objects.get_or_create(code="customers",
                                            defaults={"name": "C", "position": 2})[0]
    member = membership.join(user, college, 2, paid=True)
    with pytest.raises(payouts.PayoutRefused, match="once the member has left"):
        payouts.pay_back_shares(member, iban=IBAN, by=staff)
    membership.leave(member, reason="Départ")
    member.refresh_from_db()
    payout = payouts.pay_back_shares(member, iban=IBAN, bic="CCBPFRPPXXX", by=staff)
    assert payout.amount == 4000 and payout.member == member
    capital = LedgerAccount.objects.get(kind=AccountKind.CAPITAL, currency="EUR")
    assert capital.balance == 0
    with pytest.raises(payouts.PayoutRefused, match="Nothing is owed"):
        payouts.pay_back_shares(member, iban=IBAN, by=staff)
    assert payouts.make_file(by=staff) is not None


def test_staff_pay_back_in_the_portal(staff_client: Any, organisation: Organisation) -> None:
    ledger.top_up(organisation, 1500, "EUR")
    bad = staff_client.post("/payments/payouts/", {"organisation": organisation.pk,
                                                   "amount": "20", "iban": IBAN})
    assert bad.status_code == 400 and "does not cover" in bad.content.decode()
    staff_client.post("/payments/payouts/", {"organisation": organisation.pk,
                                             "amount": "15", "iban": IBAN})
    assert ledger.balance(organisation, "EUR") == 0
    staff_client.post("/payments/payouts/", {"make": "file"})
    page = staff_client.get("/payments/payouts/").content.decode()
    assert "pain.001 #" in page and "Sent to the bank" in page
