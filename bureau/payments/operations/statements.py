"""Importing a bank statement and assigning what it could not match.

Policy for a partly bad statement: **nothing is imported** until the file is fixed, and the
refusal lists every bad line (line number and reason). A statement is the bank's one record
of the account: a line that cannot be read means the file is damaged or not what it seems,
and importing the rest would leave staff to find out later which movements are missing. The
whole import is one database transaction, so a failure at any point credits nothing.

Matching a credit, in order: the payment reference (``RF..B<organisation>``, checked), then
an invoice number in the remittance text (that invoice's customer), else the line waits in
the staff queue, with a suggestion (same amount as an order waiting for payment, or the
payer's name equal to an organisation's) that staff confirm with one click. Lines already
imported (same bank reference) are counted and skipped. Debits are recorded as money out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from bureau.banking import formats
from bureau.banking import reference as rf
from bureau.banking.statement import Problem, StatementError, StatementLine
from bureau.coop.models import Invoice, Member
from bureau.coop.operations import membership
from bureau.coop.operations.errors import CoopError
from bureau.core import clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

from .. import conf
from ..models import BankLine, LineState, MatchedBy, StatementImport, WaitingOrder, WaitingState
from ..problems import describe
from . import debits, payouts
from .errors import AlreadyImported, BadStatement, CannotAssign
from .notify import after_credit, after_shares
from .staff import verify_staff

INVOICE_NUMBER = re.compile(r"\b(?:F|AV)\d{4}-\d{6}\b")
CHUNK = 500


@dataclass
class ImportReport:
    statement: StatementImport
    credited: list[BankLine] = field(default_factory=list)
    shares: list[BankLine] = field(default_factory=list)
    waiting: int = 0
    debits: int = 0
    known: int = 0

    def summary(self) -> str:
        return (_("%(lines)s line(s) read: %(credited)s credited, %(shares)s share "
                  "payment(s), %(waiting)s waiting for staff, %(debits)s money out, %(known)s "
                  "already imported.")
                % {"lines": self.statement.lines, "credited": len(self.credited),
                   "shares": len(self.shares),
                   "waiting": self.waiting, "debits": self.debits, "known": self.known})


def digest_of(source: IO[bytes]) -> str:
    sha = hashlib.sha256()
    for block in iter(lambda: source.read(1 << 20), b""):
        sha.update(block)
    source.seek(0)
    return sha.hexdigest()


def refusal(problems: list[Problem]) -> BadStatement:
    shown = "; ".join(describe(p) for p in problems[:10])
    more = len(problems) - 10
    message = _("Nothing was imported: fix the file and import it again. %(problems)s") % {
        "problems": shown}
    if more > 0:
        message += " " + _("(and %(n)s more)") % {"n": more}
    return BadStatement(message, problems)


def import_statement(source: IO[bytes], *, filename: str, by: Any) -> ImportReport:
    """Import a camt.053/camt.054, MT940 or CSV statement (a seekable binary file): credit
    what it matches, queue the rest. Raises BadStatement (nothing imported),
    AlreadyImported (this very file was imported before), NotAllowed."""
    verify_staff(by)
    digest = digest_of(source)
    before = StatementImport.objects.filter(digest=digest).first()
    if before is not None:
        raise AlreadyImported(
            _("This statement was already imported on %(date)s (%(file)s): nothing was "
              "credited twice.") % {"date": f"{before.imported_at:%Y-%m-%d %H:%M}",
                                    "file": before.filename})
    importer: Importer | None = None
    try:
        kind, lines = formats.parse(source)
        with transaction.atomic():
            statement = StatementImport.objects.create(
                filename=filename[:255], digest=digest, format=kind,
                imported_by=by if getattr(by, "pk", None) else None)
            report = ImportReport(statement)
            importer = Importer(statement, report)
            for chunk in chunks(lines, CHUNK):
                importer.add(chunk)
            if importer.problems:
                raise refusal(importer.problems)
            statement.lines = importer.count
            statement.credited, statement.waiting = len(report.credited), report.waiting
            statement.debits, statement.known = report.debits, report.known
            statement.save()
            statement.credited += len(report.shares)
            statement.save()
            organisations = {line.organisation_id for line in report.credited}
            transaction.on_commit(lambda: after_credit(
                sorted(i for i in organisations if i is not None), report.credited))
            transaction.on_commit(lambda: after_shares(report.shares))
    except StatementError as exc:
        found = exc.problems + (importer.problems if importer is not None else [])
        raise refusal(sorted(found, key=lambda p: p.line)) from exc
    return report


def chunks(lines: Iterable[StatementLine], size: int) -> Iterator[list[StatementLine]]:
    """Lists of ``size`` lines; the lines read before a parser's refusal come out before it,
    so that the refusal lists their problems too."""
    chunk: list[StatementLine] = []
    try:
        for line in lines:
            chunk.append(line)
            if len(chunk) == size:
                yield chunk
                chunk = []
    except StatementError:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


class Importer:
    """Writes the lines of one statement, a chunk at a time (one query finds which lines
    are known already)."""

    def __init__(self, statement: StatementImport, report: ImportReport) -> None:
        self.statement, self.report = statement, report
        self.currency = conf.currency()
        self.problems: list[Problem] = []
        self.count = 0
        self.seen: set[str] = set()
        self.organisations: dict[int, Organisation | None] = {}
        # Written at the end of each chunk, in bulk: the rows, and the credits among them.
        self.pending: list[BankLine] = []
        self.to_credit: list[tuple[BankLine, Organisation, str]] = []

    def flush(self) -> None:
        """Credit the chunk's matched lines (ledger.top_up_many: journals, entries, balances
        and invoices in a few statements) and write its rows."""
        if not self.problems and self.to_credit:
            journals = ledger.top_up_many(
                [(organisation, row.amount, memo_for(row))
                 for row, organisation, _how in self.to_credit], self.currency)
            for journal, (row, organisation, how) in zip(journals, self.to_credit,
                                                         strict=True):
                row.journal, row.organisation, row.matched_by = journal, organisation, how
                row.state = LineState.CREDITED
        if not self.problems:
            BankLine.objects.bulk_create(self.pending)
            self.report.credited.extend(row for row, _o, _h in self.to_credit)
        self.pending, self.to_credit = [], []

    def add(self, chunk: list[StatementLine]) -> None:
        known = set(BankLine.objects.filter(entry_ref__in=[line.entry_ref for line in chunk])
                    .values_list("entry_ref", flat=True))
        # The organisations the chunk's references name, in one query.
        wanted = {found.number for line in chunk
                  if (found := rf.find(line.reference, line.remittance)) is not None
                  and found.kind == rf.BALANCE} - set(self.organisations)
        if wanted:
            found_now = Organisation.objects.in_bulk(wanted)
            self.organisations.update({pk: found_now.get(pk) for pk in wanted})
        for line in chunk:
            self.count += 1
            if line.currency != self.currency:
                self.problems.append(Problem(line.line, _(
                    "the currency %(currency)s is not the one balances are kept in "
                    "(%(ours)s)") % {"currency": line.currency, "ours": self.currency}))
                continue
            if line.entry_ref in known or line.entry_ref in self.seen:
                self.report.known += 1
                continue
            self.seen.add(line.entry_ref)
            if not self.problems:
                self.store(line)
        self.flush()

    def organisation(self, pk: int) -> Organisation | None:
        if pk not in self.organisations:
            self.organisations[pk] = Organisation.objects.filter(pk=pk).first()
        return self.organisations[pk]

    def store(self, line: StatementLine) -> None:
        row = BankLine(
            entry_ref=line.entry_ref, statement=self.statement, booked_on=line.booked_on,
            amount=line.amount, currency=line.currency, credit=line.credit,
            name=line.name[:140], iban=line.iban[:34], remittance=line.remittance,
            reference=line.reference[:35], end_to_end=line.end_to_end[:35],
            returned=line.returned, return_reason=line.return_reason[:4],
            state=LineState.WAITING)
        if line.end_to_end.startswith("BUREAU-DD-") and debits.settle_line(row, line):
            if row.state == LineState.CREDITED and row.organisation is not None:
                self.report.credited.append(row)
            else:
                self.report.debits += 1
            return
        if payouts.settle_line(row, line):
            self.report.debits += 1
            return
        if not line.credit:
            row.state = LineState.DEBIT
            self.pending.append(row)
            self.report.debits += 1
            return
        found = rf.find(line.reference, line.remittance)
        if found is not None and found.kind == rf.SHARE and self.pay_shares(row, found.number):
            return
        organisation, how = self.match(line)
        if organisation is None:
            row.suggestion = suggest(line)
            self.pending.append(row)
            self.report.waiting += 1
            return
        self.to_credit.append((row, organisation, how))
        self.pending.append(row)

    def pay_shares(self, row: BankLine, number: int) -> bool:
        """A share payment (reference RF..S<member number>): into the share capital. False,
        with the reason noted for staff, when it cannot be (unknown member, too much)."""
        member = Member.objects.filter(number=number).first()
        if member is None:
            row.note = _("No member has the number %(number)s.") % {"number": number}
            return False
        try:
            with transaction.atomic():
                payment = membership.record_share_payment(
                    member, row.amount, row.currency, how=memo_for(row))
        except CoopError as exc:
            row.note = exc.message[:255]
            return False
        row.member, row.journal = member, payment.journal
        row.matched_by, row.state = MatchedBy.REFERENCE, LineState.CREDITED
        row.save()
        self.report.shares.append(row)
        return True

    def match(self, line: StatementLine) -> tuple[Organisation | None, str]:
        found = rf.find(line.reference, line.remittance)
        if found is not None and found.kind == rf.BALANCE:
            organisation = self.organisation(found.number)
            if organisation is not None:
                return organisation, MatchedBy.REFERENCE
        for number in INVOICE_NUMBER.findall(line.remittance):
            invoice = Invoice.objects.filter(number=number).select_related(
                "organisation").first()
            if invoice is not None:
                return invoice.organisation, MatchedBy.INVOICE
        return None, ""


def suggest(line: StatementLine) -> Organisation | None:
    """A guess for staff only: an order waiting for exactly this amount, else an
    organisation with the payer's name."""
    waiting = (WaitingOrder.objects.filter(state=WaitingState.WAITING, price=line.amount,
                                           currency=line.currency)
               .select_related("organisation").first())
    if waiting is not None:
        return waiting.organisation
    if line.name.strip():
        return Organisation.objects.filter(name__iexact=line.name.strip()).first()
    return None


def memo_for(row: BankLine) -> str:
    return (_("Bank transfer of %(date)s, bank reference %(ref)s")
            % {"date": row.booked_on.isoformat(), "ref": row.entry_ref.rpartition(":")[2]}
            )[:255]


def credit(row: BankLine, organisation: Organisation, how: str) -> None:
    row.journal = ledger.top_up(organisation, row.amount, row.currency, memo=memo_for(row))
    row.organisation, row.matched_by, row.state = organisation, how, LineState.CREDITED
    row.save()


def assign(line: BankLine, organisation: Organisation, *, by: Any) -> BankLine:
    """Staff's click in the queue: credit a waiting line to ``organisation``."""
    verify_staff(by)
    with transaction.atomic():
        locked = BankLine.objects.select_for_update().get(pk=line.pk)
        if locked.state != LineState.WAITING:
            raise CannotAssign(_("This line was already dealt with (%(state)s).")
                               % {"state": locked.get_state_display()})
        credit(locked, organisation, MatchedBy.STAFF)
        locked.assigned_by, locked.assigned_at = by, clock.now()
        locked.save()
        transaction.on_commit(lambda: after_credit([organisation.pk], [locked]))
    return locked


def queue() -> Any:
    return (BankLine.objects.filter(state=LineState.WAITING)
            .select_related("suggestion").order_by("booked_on", "id"))


def assigned_message(line: BankLine) -> str:
    return (_("%(amount)s %(currency)s credited to %(organisation)s.")
            % {"amount": ledger.format_cents(line.amount), "currency": line.currency,
               "organisation": line.organisation})
