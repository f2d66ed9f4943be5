"""The cooperative share paid by bank transfer: the membership starts once it is paid."""

from __future__ import annotations

import io
import re
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


def test_the_share_paid_by_card_through_the_coop_page(
        user: User, college: College, client: Any, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """The cooperative page offers the card when a provider is set; the membership starts on
    the provider's paid webhook only, and a refund makes it wait again."""
    from django.test import Client

    from bureau.payments.models import CardPayment

    from .stripe_standin import SECRET_KEY, WEBHOOK_SECRET, stripe_standin

    member = membership.join(user, college, 1, name="Camille")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert "share-other-ways" not in client.get("/coop/").content.decode()  # no provider
    with stripe_standin() as stripe:
        settings.BUREAU_PAYMENTS_STRIPE_SECRET_KEY = SECRET_KEY
        settings.BUREAU_PAYMENTS_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.BUREAU_PAYMENTS_STRIPE_API_BASE = stripe.url
        page = client.get("/coop/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Pay 20.00 EUR by card" in page
        response = client.post("/payments/shares/card/")
        [session] = stripe.sessions.values()
        assert response["Location"] == session["url"] and session["amount_total"] == 2000
        client.get("/coop/?card=done")
        member.refresh_from_db()
        assert member.status == MemberStatus.PENDING  # coming back proves nothing
        body, signature = stripe.pay(session["id"], event_id="evt_share_1")
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post("/payments/stripe/webhook/", body,
                                 content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE=signature).content == b"credited\n"
        member.refresh_from_db()
        assert member.is_active and membership.due(member) == 0
        assert mail.outbox[-1].to == [user.email]
        assert re.search(r"20[.,]00 EUR", mail.outbox[-1].body)  # amounts in the language
        capital = LedgerAccount.objects.get(kind=AccountKind.CAPITAL, currency="EUR")
        assert capital.balance == 2000 and CardPayment.objects.get().member == member
        # Refunded at the provider: the capital gives it back, the membership waits again.
        body, signature = stripe.refund(session["id"])
        assert Client().post("/payments/stripe/webhook/", body,
                             content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=signature).content == b"reversed\n"
    member.refresh_from_db()
    assert member.status == MemberStatus.PENDING and membership.due(member) == 2000
    capital.refresh_from_db()
    assert capital.balance == 0 and ledger.verify_balances() == []


def test_the_share_paid_by_direct_debit(
        run: Any, user: User, college: College, organisation: Any, staff: User, client: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """Under the mandate of an organisation the person pays for: announced, collected in
    the pain.008 file, confirmed by the statement (the membership starts), and a return
    afterwards takes it back."""
    from bureau.payments.models import Collection, CollectionState
    from bureau.payments.operations import debits

    member = membership.join(user, college, 1, name="Camille")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert "share-other-ways" not in client.get("/coop/").content.decode()  # no mandate yet
    mandate = debits.sign_mandate(organisation, user, holder="Camille Martin",
                                  iban="DE89 3704 0044 0532 0130 00", accepted=True)
    page = client.get("/coop/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert mandate.reference in page and "Pay by direct debit" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/payments/shares/debit/", {"organisation": organisation.pk})
    collection = Collection.objects.get()
    assert collection.member == member and collection.amount == 2000
    assert re.search(r"20[.,]00 EUR", mail.outbox[-1].body)  # the pre-notification
    client.post("/payments/shares/debit/", {"organisation": organisation.pk})
    assert Collection.objects.count() == 1  # asked twice: announced once
    assert debits.make_file(by=staff, horizon_days=30) is not None
    member.refresh_from_db()
    assert member.status == MemberStatus.PENDING  # sent is not paid
    report = run(camt053([Movement("DDS1", 2000, end_to_end=collection.end_to_end)],
                         statement_id="S1"))
    assert len(report.shares) == 1 and report.credited == 0
    member.refresh_from_db()
    assert member.is_active and ledger.balance(organisation, "EUR") == 0  # no balance credit
    assert mail.outbox[-1].to == [user.email] and re.search(r"20[.,]00 EUR", mail.outbox[-1].body)
    assert BankLine.objects.get().member == member
    # Returned by the payer's bank: the share capital gives it back, the member waits again.
    run(camt053([Movement("DDS1R", 2000, credit=False, end_to_end=collection.end_to_end,
                          return_reason="MD06")], statement_id="S2"))
    collection.refresh_from_db()
    member.refresh_from_db()
    assert collection.state == CollectionState.RETURNED and collection.reversal is not None
    assert member.status == MemberStatus.PENDING and membership.due(member) == 2000
    assert ledger.verify_balances() == []
