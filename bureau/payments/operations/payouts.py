"""Money going out by SEPA credit transfer: what is left on a balance (an organisation that
leaves), or the shares of a member who left, paid back at nominal value. Staff request it
(the payee's IBAN checked, the ledger booked at once: the money is owed from then), make the
pain.001 file for the bank, and the bank's statement shows it went out (end-to-end id)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from bureau.banking import pain001
from bureau.banking.statement import StatementLine
from bureau.coop.models import Member, MemberStatus
from bureau.core import clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

from .. import conf
from ..models import LineState, MatchedBy, Payout, PayoutFile, PayoutState
from .debits import check_account
from .errors import OperationError
from .staff import verify_staff


class PayoutRefused(OperationError):
    pass


def _payout(*, organisation: Organisation | None, member: Member | None, amount: int,
            name: str, iban: str, bic: str, text: str, by: Any) -> Payout:
    compact, code = check_account(iban, bic)
    end_to_end = f"BUREAU-RF-{uuid.uuid4().hex[:20].upper()}"
    journal = ledger.pay_out(organisation, amount, conf.currency(),
                             memo=f"{text} ({end_to_end})"[:255])
    return Payout.objects.create(
        organisation=organisation, member=member, amount=amount, currency=conf.currency(),
        name=name[:70], iban=compact, bic=code, text=text[:140], end_to_end=end_to_end,
        journal=journal, requested_by=by if getattr(by, "pk", None) else None)


def pay_back_balance(organisation: Organisation, amount: int, *, name: str, iban: str,
                     bic: str = "", by: Any) -> Payout:
    """Pay back ``amount`` cents of the organisation's balance (it must hold them)."""
    verify_staff(by)
    if amount <= 0:
        raise PayoutRefused(_("Pay back a positive amount."), field="amount")
    with transaction.atomic():
        try:
            return _payout(organisation=organisation, member=None, amount=amount, name=name,
                           iban=iban, bic=bic, by=by,
                           text=_("Balance paid back: %(organisation)s")
                           % {"organisation": organisation.name})
        except ledger.InsufficientFunds as exc:
            raise PayoutRefused(str(exc), field="amount") from exc


def shares_owed(member: Member) -> int:
    """Cents paid for the shares of the membership that ended, not paid back yet."""
    paid = member.payments.filter(at__gte=member.joined_at).aggregate(
        total=models.Sum("amount"))["total"] or 0
    back = member.payouts.aggregate(total=models.Sum("amount"))["total"] or 0
    return int(paid) - int(back)


def pay_back_shares(member: Member, *, iban: str, bic: str = "", by: Any) -> Payout:
    """Pay back what a member who left paid for their shares (nominal value)."""
    verify_staff(by)
    if member.status not in (MemberStatus.LEFT, MemberStatus.EXCLUDED):
        raise PayoutRefused(_("Shares are paid back once the member has left."))
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        owed = shares_owed(locked)
        if owed <= 0:
            raise PayoutRefused(_("Nothing is owed to member number %(number)s.")
                                % {"number": locked.number})
        return _payout(organisation=None, member=locked, amount=owed,
                       name=locked.display_name, iban=iban, bic=bic, by=by,
                       text=_("Shares paid back: member number %(number)s")
                       % {"number": locked.number})


def make_file(*, by: Any) -> PayoutFile | None:
    """One pain.001 file of the requested payouts (executed the next day)."""
    verify_staff(by)
    with transaction.atomic():
        due = list(Payout.objects.select_for_update().filter(state=PayoutState.REQUESTED)
                   .order_by("id"))
        if not due:
            return None
        execution = clock.now().date() + timedelta(days=1)
        xml = pain001.write(pain001.Debtor(conf.beneficiary(), conf.iban(), conf.bic()), [
            pain001.Transfer(end_to_end=p.end_to_end, amount=p.amount, name=p.name,
                             iban=p.iban, bic=p.bic, text=p.text, execution=execution)
            for p in due])
        file = PayoutFile.objects.create(created_by=by if getattr(by, "pk", None) else None,
                                         xml=xml, transfers=len(due),
                                         total=sum(p.amount for p in due))
        Payout.objects.filter(pk__in=[p.pk for p in due]).update(state=PayoutState.SENT,
                                                                  file=file)
    return file


def settle_line(row: Any, line: StatementLine) -> bool:
    """A debit line whose end-to-end id names a payout: it went out."""
    if line.credit or not line.end_to_end.startswith("BUREAU-RF-"):
        return False
    payout = Payout.objects.select_for_update().filter(end_to_end=line.end_to_end).first()
    if payout is None or payout.amount != line.amount:
        return False

    Payout.objects.filter(pk=payout.pk).update(state=PayoutState.DONE)
    row.organisation, row.member = payout.organisation, payout.member
    row.state, row.matched_by = LineState.DEBIT, MatchedBy.REFERENCE
    row.note = payout.text
    row.save()
    return True
