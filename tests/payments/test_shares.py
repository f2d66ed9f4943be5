"""The cooperative share paid by bank transfer: the membership starts once it is paid."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from bureau.banking import reference as rf
from bureau.banking.testing import Movement, camt053
from bureau.coop.models import College, MemberStatus
from bureau.coop.operations import membership
from bureau.coop.operations.errors import AlreadyMember, NotAMember
from bureau.payments.models import BankLine, LineState
from bureau.payments.operations import statements
from bureau.registrar.billing import ledger
from bureau.registrar.billing.models import AccountKind, LedgerAccount

pytestmark = pytest.mark.sqlite


@pytest.fixture
def college(db: Any) -> College:
    return College.objects.get_or_create(code="customers",
                                         defaults={"name": "Clients", "position": 2})[0]


@pytest.fixture
def run(staff: User, django_capture_on_commit_callbacks: Any) -> Any:
    """Import as staff, running what waits for the commit (the emails)."""
    def run(data: bytes) -> statements.ImportReport:
        with django_capture_on_commit_callbacks(execute=True):
            return statements.import_statement(io.BytesIO(data), filename="day.xml",
                                               by=staff)
    return run


def test_the_share_paid_by_transfer_makes_a_member(run: Any, user: User,
                                                   college: College) -> None:
    member = membership.join(user, college, 2, name="Camille")
    assert member.status == MemberStatus.PENDING and membership.due(member) == 4000
    assert not member.is_active  # no vote yet
    share_ref = rf.make(rf.SHARE, member.number)
    # Half of it first: still waiting, and the person is told what is due.
    run(camt053([Movement("SH1", 2000, reference=share_ref)], statement_id="A"))
    member.refresh_from_db()
    assert member.status == MemberStatus.PENDING and membership.due(member) == 2000
    assert "20.00 EUR is still due" in mail.outbox[-1].body
    report = run(camt053([Movement("SH2", 2000, remittance=f"parts {rf.pretty(share_ref)}")],
                         statement_id="B"))
    assert len(report.shares) == 1 and "1 share payment" in report.summary()
    member.refresh_from_db()
    assert member.is_active and membership.due(member) == 0
    assert f"member number {member.number}" in mail.outbox[-1].body
    # Capital, not a balance: no organisation was credited, and the books balance.
    capital = LedgerAccount.objects.get(kind=AccountKind.CAPITAL, currency="EUR")
    assert capital.balance == 4000
    assert not LedgerAccount.objects.filter(kind=AccountKind.MEMBER).exists()
    assert ledger.verify_balances() == []


def test_a_share_payment_that_cannot_be_taken_waits_for_staff(run: Any, user: User,
                                                              college: College) -> None:
    member = membership.join(user, college, 1)
    run(camt053([
        Movement("X1", 5000, reference=rf.make(rf.SHARE, member.number)),  # too much
        Movement("X2", 2000, reference=rf.make(rf.SHARE, 9999)),  # nobody
    ]))
    lines = {line.entry_ref.rpartition(":")[2]: line for line in BankLine.objects.all()}
    assert all(line.state == LineState.WAITING for line in lines.values())
    assert "more than the 20.00 due" in lines["X1"].note
    assert "No member has the number 9999" in lines["X2"].note
    member.refresh_from_db()
    assert member.status == MemberStatus.PENDING


def test_a_pending_member_is_not_yet_a_member(user: User, college: College) -> None:
    member = membership.join(user, college, 1)
    with pytest.raises(NotAMember):
        membership.subscribe(member, 1)  # nor vote, nor propose prices: all ask this
    with pytest.raises(AlreadyMember):
        membership.join(user, college, 1)  # one subscription waiting is enough
