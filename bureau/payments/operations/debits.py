"""SEPA Core direct debit: mandates, announced collections, the pain.008 file, and what the
bank's statement says back (paid, or returned/rejected).

- ``sign_mandate``: the IBAN is checked (schwifty: checksum, country format, SEPA zone), the
  BIC given or derived from the IBAN, the mandate text shown is accepted and kept. One mandate
  in force per organisation; signing a new one revokes the old.
- ``announce``: a collection is announced to the people who order (pre-notification) at least
  ``prenotification_days`` before its due date.
- ``make_file``: staff make one pain.008 file of the announced collections due soon, one block
  per due date and sequence type: ``FRST`` while no earlier collection under the mandate went
  to the bank (or all of them were rejected), ``RCUR`` after.
- ``settle_line``: a statement line whose end-to-end id names a collection: a credit confirms
  it (the balance is credited); an R-transaction (returned, rejected, reversed) undoes it,
  tells the member, and two failures in a row suspend renewals by direct debit.
- ``plan_renewal_debits``: a job that announces, for names renewed automatically whose balance
  will be short, a collection due early enough that it settles before the auto-renewal, and a
  failure still leaves the reminders and time to pay by transfer.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from bureau.banking import pain002, pain008
from bureau.banking.statement import Problem, StatementError, StatementLine
from bureau.coop.models import Member, SharePayment
from bureau.coop.operations import membership
from bureau.coop.operations.errors import CoopError
from bureau.core import clock
from bureau.notices import conf as notices_conf
from bureau.notices.renewal import auto_renew_candidates
from bureau.notices.terms import term_of
from bureau.registrar.accounts.models import ROLES_THAT_ORDER, Organisation, language_of_person
from bureau.registrar.billing import ledger
from bureau.registrar.billing.ledger import format_cents
from bureau.registrar.operations.check import list_price

from .. import conf
from ..models import Collection, CollectionState, DebitFile, LineState, Mandate, MatchedBy
from .errors import NotAllowed, OperationError
from .staff import verify_staff
from .waiting import people_who_order

logger = logging.getLogger("bureau.payments")


class MandateRefused(OperationError):
    pass


class NoMandate(OperationError):
    pass


def mandate_text(organisation: Organisation, reference: str) -> str:
    """The SEPA Core mandate text shown to the person and kept with the mandate."""
    return _(
        "By signing this mandate form, you authorise (A) %(creditor)s to send instructions to "
        "your bank to debit your account and (B) your bank to debit your account in "
        "accordance with the instructions from %(creditor)s. As part of your rights, you are "
        "entitled to a refund from your bank under the terms and conditions of your agreement "
        "with your bank. A refund must be claimed within 8 weeks starting from the date on "
        "which your account was debited. Your rights are explained in a statement that you "
        "can obtain from your bank. Creditor identifier: %(creditor_id)s. Mandate reference: "
        "%(reference)s. Recurrent payments for %(organisation)s: renewals and top-ups of the "
        "prepaid balance, each announced by email %(days)s days before."
    ) % {"creditor": conf.beneficiary(), "creditor_id": conf.creditor_id(),
         "reference": reference, "organisation": organisation.name,
         "days": conf.prenotification_days()}


def verify_may_pay(organisation: Organisation, user: Any) -> None:
    if not organisation.memberships.filter(user=user, role__in=ROLES_THAT_ORDER).exists():
        raise NotAllowed(_("Your role in this organisation does not allow managing payments."))


def next_reference(organisation: Organisation) -> str:
    count = Mandate.objects.filter(organisation=organisation).count() + 1
    return f"BUREAU-{organisation.pk:08d}-{count:03d}"


def check_account(iban: str, bic: str) -> tuple[str, str]:
    """(compact IBAN, BIC) or MandateRefused saying what to fix."""
    try:
        account = IBAN(iban)
    except SchwiftyException as exc:
        raise MandateRefused(_("This IBAN is not valid (%(reason)s): check it on your bank "
                               "statement.") % {"reason": str(exc)}, field="iban") from exc
    if not account.in_sepa_zone:
        raise MandateRefused(_("Direct debit works with accounts in the SEPA zone only."),
                             field="iban")
    if bic.strip():
        try:
            code = str(BIC(bic.strip()))
        except SchwiftyException as exc:
            raise MandateRefused(_("This BIC is not valid (%(reason)s).")
                                 % {"reason": str(exc)}, field="bic") from exc
    else:
        derived = account.bic
        if derived is None:
            raise MandateRefused(_("Give your bank's BIC: it cannot be found from the IBAN."),
                                 field="bic")
        code = str(derived)
    return str(account.compact), code


def sign_mandate(organisation: Organisation, user: Any, *, holder: str, iban: str,
                 bic: str = "", accepted: bool) -> Mandate:
    verify_may_pay(organisation, user)
    if not holder.strip():
        raise MandateRefused(_("Give the account holder's name."), field="holder")
    compact, code = check_account(iban, bic)
    if not accepted:
        raise MandateRefused(_("Read the mandate and accept it to sign it."), field="accept")
    with transaction.atomic():
        now = clock.now()
        Mandate.objects.select_for_update().filter(
            organisation=organisation, revoked_at__isnull=True).update(revoked_at=now)
        reference = next_reference(organisation)
        return Mandate.objects.create(
            organisation=organisation, reference=reference, holder=holder.strip()[:70],
            iban=compact, bic=code, signed_on=now.date(), signed_by=user,
            text=mandate_text(organisation, reference))


def revoke_mandate(mandate: Mandate, user: Any) -> None:
    """No collection is announced under it any more; those already sent to the bank go on
    (the bank has them)."""
    verify_may_pay(mandate.organisation, user)
    with transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk, revoked_at__isnull=True).update(
            revoked_at=clock.now())
        mandate.collections.filter(state=CollectionState.SCHEDULED).update(
            state=CollectionState.RETURNED, return_reason="MD01")


def mandate_of(organisation: Organisation) -> Mandate | None:
    return Mandate.objects.filter(organisation=organisation, revoked_at__isnull=True).first()


def announce(organisation: Organisation, amount: int, *, text: str, purpose: str = "",
             due_on: date | None = None, member: Member | None = None) -> Collection:
    """Announce a collection (the pre-notification email goes once committed)."""
    mandate = mandate_of(organisation)
    if mandate is None or not mandate.usable:
        raise NoMandate(_("%(organisation)s has no direct-debit mandate in use.")
                        % {"organisation": organisation.name})
    if amount <= 0:
        raise OperationError(_("A direct debit is a positive amount."))
    earliest = clock.now().date() + timedelta(days=conf.prenotification_days())
    due_on = max(due_on or earliest, earliest)
    with transaction.atomic():
        collection = Collection.objects.create(
            mandate=mandate, end_to_end=f"BUREAU-DD-{uuid.uuid4().hex[:20].upper()}",
            amount=amount, currency=conf.currency(), due_on=due_on, text=text[:140],
            purpose=purpose, member=member)
        transaction.on_commit(lambda: notify(collection, "announced"))
    return collection


def announce_shares(member: Member, organisation: Organisation, user: Any) -> Collection:
    """What ``member`` (the person asking) still owes for their shares, collected under the
    mandate of an organisation they may pay for; the membership starts once it is paid."""
    verify_may_pay(organisation, user)
    if member.user_id != getattr(user, "pk", None):
        raise NotAllowed(_("Only the member pays their shares here."))
    amount = membership.due(member)
    if amount <= 0:
        raise OperationError(_("Your shares are paid."))
    purpose = f"shares:{member.pk}:{member.joined_at:%Y-%m-%d}"
    if Collection.objects.filter(purpose=purpose).exclude(
            state=CollectionState.RETURNED).exists():
        raise OperationError(_("A direct debit of your shares is already announced."))
    return announce(organisation, amount, purpose=purpose, member=member,
                    text=_("Cooperative shares, member number %(number)s")
                    % {"number": member.number})


def notify(collection: Collection, what: str) -> None:
    mandate = collection.mandate
    context = {"collection": collection, "mandate": mandate,
               "organisation": mandate.organisation, "creditor_id": conf.creditor_id(),
               "beneficiary": conf.beneficiary()}
    for person in people_who_order(mandate.organisation):
        # Each person in the language they chose for their emails.
        with translation.override(language_of_person(person, translation.get_language())):
            subject = " ".join(render_to_string(f"payments/email/debit_{what}.subject.txt",
                                                context).split())
            body = render_to_string(f"payments/email/debit_{what}.txt", context)
        send_mail(subject, body, None, [person.email])


def sequence_for(mandate: Mandate) -> str:
    used = mandate.collections.filter(state__in=[CollectionState.SENT, CollectionState.PAID])
    return "RCUR" if used.exists() else "FRST"


def make_file(*, by: Any, horizon_days: int = 7) -> DebitFile | None:
    """One pain.008 file of the announced collections due within ``horizon_days`` (a due
    date already past moves to tomorrow: never earlier than announced). None: nothing due."""
    verify_staff(by)
    today = clock.now().date()
    tomorrow = today + timedelta(days=1)
    with transaction.atomic():
        due = list(Collection.objects.select_for_update().select_related("mandate")
                   .filter(state=CollectionState.SCHEDULED,
                           due_on__lte=today + timedelta(days=horizon_days))
                   .order_by("mandate_id", "due_on", "id"))
        if not due:
            return None
        items = []
        first_in_file: set[int] = set()
        for c in due:
            # Only one FRST per mandate per file; what follows it is RCUR.
            c.sequence = "RCUR" if c.mandate_id in first_in_file else sequence_for(c.mandate)
            if c.sequence == "FRST":
                first_in_file.add(c.mandate_id)
            c.due_on = max(c.due_on, tomorrow)
            items.append(pain008.Collection(
                end_to_end=c.end_to_end, amount=c.amount, name=c.mandate.holder,
                iban=c.mandate.iban, bic=c.mandate.bic, mandate=c.mandate.reference,
                signed_on=c.mandate.signed_on, sequence=c.sequence, due=c.due_on,
                text=c.text))
        xml = pain008.write(pain008.Creditor(conf.beneficiary(), conf.iban(), conf.bic(),
                                             conf.creditor_id()), items)
        file = DebitFile.objects.create(created_by=by if getattr(by, "pk", None) else None,
                                        xml=xml, message_id=pain008.contents(xml).message_id,
                                        collections=len(due),
                                        total=sum(c.amount for c in due))
        for c in due:
            c.state, c.file = CollectionState.SENT, file
            c.save(update_fields=["state", "file", "sequence", "due_on"])
    return file


def digest(file: DebitFile) -> str:
    return hashlib.sha256(bytes(file.xml)).hexdigest()


def settle_line(row: Any, line: StatementLine) -> bool:
    """The statement line answers a collection (by its end-to-end id): True when it did
    (``row``, the BankLine, is then filled in and saved)."""
    if not line.end_to_end.startswith("BUREAU-DD-"):
        return False
    collection = (Collection.objects.select_for_update().select_related("mandate")
                  .filter(end_to_end=line.end_to_end).first())
    if collection is None:
        return False
    mandate = collection.mandate
    organisation = mandate.organisation
    row.organisation = organisation
    if line.returned or not line.credit:
        returned(collection, row, line.return_reason or "")
        return True
    if collection.state != CollectionState.SENT or line.amount != collection.amount:
        row.note = _("Direct debit %(ref)s: unexpected (%(state)s, %(amount)s).") % {
            "ref": collection.end_to_end, "state": collection.get_state_display(),
            "amount": format_cents(line.amount)}
        row.organisation = None
        return False

    memo = _("Direct debit %(ref)s of %(date)s") % {"ref": collection.end_to_end,
                                                     "date": line.booked_on}
    if collection.member is not None:  # shares: into the share capital, not a balance
        try:
            with transaction.atomic():
                journal = membership.record_share_payment(
                    collection.member, collection.amount, collection.currency,
                    how=memo).journal
        except CoopError as exc:
            row.note, row.organisation = exc.message[:255], None
            return False
        row.organisation, row.member = None, collection.member
    else:
        journal = ledger.top_up(organisation, collection.amount, collection.currency,
                                memo=memo)
    collection.state, collection.journal = CollectionState.PAID, journal
    collection.save(update_fields=["state", "journal"])
    if mandate.failures:
        Mandate.objects.filter(pk=mandate.pk).update(failures=0)
    row.journal, row.matched_by, row.state = journal, MatchedBy.REFERENCE, LineState.CREDITED
    row.save()
    return True


def returned(collection: Collection, row: Any, reason: str) -> None:
    """A statement's R-transaction for the collection (``row``, its BankLine, is saved)."""
    if not fail(collection, reason):
        row.state, row.note = LineState.DEBIT, _("Already returned.")
        row.save()
        return
    row.journal = collection.reversal
    row.state = LineState.DEBIT if not row.credit else LineState.CREDITED
    row.matched_by = MatchedBy.REFERENCE
    row.note = _("Direct debit %(ref)s returned (%(reason)s).") % {
        "ref": collection.end_to_end, "reason": reason or "?"}
    row.save()


def fail(collection: Collection, reason: str) -> bool:
    """The bank returned or rejected the collection (a statement's R-transaction, or a
    pain.002 status report): the credit, if it was made, is taken back, the member is told,
    and two failures in a row suspend the mandate for renewals. False: it was already."""
    if collection.state == CollectionState.RETURNED:
        return False
    # Read afresh: several collections of one mandate may fail in one file.
    mandate = collection.mandate = Mandate.objects.select_for_update().get(
        pk=collection.mandate_id)
    memo = _("Direct debit %(ref)s returned (%(reason)s)") % {
        "ref": collection.end_to_end, "reason": reason or "?"}
    if collection.journal is not None and collection.member_id is not None:
        collection.reversal = membership.take_back_share_payment(
            SharePayment.objects.get(journal=collection.journal), how=memo).journal
    elif collection.journal is not None:
        collection.reversal = ledger.reverse_payment(collection.journal, memo=memo)
    collection.state, collection.return_reason = CollectionState.RETURNED, reason[:4]
    collection.save(update_fields=["state", "return_reason", "reversal"])
    failures = mandate.failures + 1
    suspended = mandate.suspended_at or (clock.now() if failures >= 2 else None)
    Mandate.objects.filter(pk=mandate.pk).update(failures=failures, suspended_at=suspended)
    collection.mandate.refresh_from_db()
    transaction.on_commit(lambda: notify(collection, "returned"))
    return True


def apply_status_report(rejections: Iterable[pain002.Rejection]) -> tuple[int, int]:
    """A pain.002's rejections, in the caller's transaction: (collections failed now, already
    returned before). Refuses (StatementError, listing each) a report naming a collection or
    a file Bureau does not know: it answers another creditor's file, or is damaged."""
    problems: list[Problem] = []
    wanted: list[tuple[pain002.Rejection, list[str]]] = []
    files: dict[str, pain008.Contents | None] = {}
    for rejection in rejections:
        if rejection.end_to_end:
            wanted.append((rejection, [rejection.end_to_end]))
            continue
        if rejection.message_id not in files:
            file = DebitFile.objects.filter(message_id=rejection.message_id).first()
            files[rejection.message_id] = (pain008.contents(bytes(file.xml))
                                           if file is not None else None)
        contents = files[rejection.message_id]
        if contents is None:
            problems.append(Problem.of(rejection.line, "no direct-debit file has the message "
                                       "id %(id)s", id=rejection.message_id or "?"))
            continue
        wanted.append((rejection, contents.end_to_ends(rejection.payment_id)))
    found = {c.end_to_end: c for c in Collection.objects.select_for_update()
             .select_related("mandate").filter(end_to_end__in=[
                 e for _r, ids in wanted for e in ids])}
    failed = known = 0
    for rejection, ids in wanted:
        for end_to_end in ids:
            collection = found.get(end_to_end)
            if collection is None:
                problems.append(Problem.of(rejection.line, "no direct debit has the "
                                           "end-to-end id %(id)s", id=end_to_end))
            elif not problems:
                if fail(collection, rejection.reason):
                    failed += 1
                else:
                    known += 1
    if problems:
        raise StatementError(problems)
    return failed, known


def plan_renewal_debits(now: datetime | None = None) -> list[Collection]:
    """Announce the collections that auto-renewals will need (a periodic job).

    Timeline for a name expiring at E: auto-renew runs at E - lead days (notices); the
    collection must be paid before, so it is announced at E - (lead + prenotification +
    settlement) days and due at E - (lead + settlement). A returned collection is known
    around the auto-renewal: the failure notice, the reminders and the grace period leave
    time to pay by transfer. A name that enters the window late (auto-renew chosen close to
    expiry) is collected as soon as the pre-notification allows."""
    now = now or clock.now()
    lead = notices_conf.auto_renew_lead_days()
    before = lead + conf.settlement_days()
    # Two days early: a job that did not run one day still announces in time.
    horizon = now + timedelta(days=before + conf.prenotification_days() + 2)
    announced = []
    usable = Mandate.objects.filter(revoked_at__isnull=True, suspended_at__isnull=True)
    candidates = auto_renew_candidates(now, horizon).filter(
        organisation__in=usable.values("organisation"))
    needed: dict[int, list[tuple[Any, datetime, int]]] = {}
    for domain in candidates:
        term = term_of(domain, now)
        paid_until = term.paid_until if term else domain.expires_at
        if paid_until is None or paid_until <= now:
            continue
        price = list_price(domain.tld, "renew", 1)
        needed.setdefault(domain.organisation_id, []).append((domain, paid_until, price))
    for names in needed.values():
        organisation = names[0][0].organisation
        balance = ledger.balance(organisation, conf.currency())
        pending = sum(c.amount for c in Collection.objects.filter(
            mandate__organisation=organisation,
            state__in=[CollectionState.SCHEDULED, CollectionState.SENT]))
        for domain, paid_until, price in sorted(names, key=lambda n: n[1]):
            purpose = f"renewal:{domain.pk}:{paid_until.date().isoformat()}"
            if Collection.objects.filter(purpose=purpose).exclude(
                    state=CollectionState.RETURNED).exists():
                balance -= price
                continue
            short = price - max(balance, 0) - pending
            balance -= price
            if short <= 0:
                pending = max(0, pending - price)
                continue
            due = (paid_until - timedelta(days=before)).date()
            try:
                announced.append(announce(
                    organisation, short, purpose=purpose, due_on=due,
                    text=_("Renewal of %(name)s") % {"name": domain.u_label}))
            except OperationError as exc:
                logger.warning("no direct debit for %s: %s", domain.name, exc)
    return announced
