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
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from queue import Full, Queue
from typing import IO, Any, TypeVar

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from stdnum import iban

from bureau.banking import formats, pain002
from bureau.banking import reference as rf
from bureau.banking.statement import Problem, StatementError, StatementLine
from bureau.coop.models import Invoice, Member
from bureau.coop.operations import membership
from bureau.coop.operations.errors import CoopError
from bureau.core import bulk, clock
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing import ledger

from .. import conf
from ..models import BankLine, LineState, MatchedBy, StatementImport, WaitingOrder, WaitingState
from ..problems import describe
from . import debits, payouts
from .errors import AlreadyImported, BadStatement, CannotAssign
from .notify import after_credit, after_shares, after_statement
from .staff import verify_staff

INVOICE_NUMBER = re.compile(r"\b(?:F|AV)\d{4}-\d{6}\b")
T = TypeVar("T")
CHUNK = 10_000  # lines per round of queries: the fixed cost of a round is spread thin


@dataclass
class ImportReport:
    statement: StatementImport
    credited: int = 0  # balances credited (transfers, direct debits confirmed)
    organisations: set[int] = field(default_factory=set)  # the organisations credited
    shares: list[BankLine] = field(default_factory=list)
    waiting: int = 0
    debits: int = 0
    known: int = 0
    rejected: int = 0  # direct debits a status report (pain.002) rejected

    def summary(self) -> str:
        if self.statement.format == "pain.002":
            return (_("Payment status report: %(rejected)s direct debit(s) rejected, "
                      "%(known)s already returned before.")
                    % {"rejected": self.rejected, "known": self.known})
        return (_("%(lines)s line(s) read: %(credited)s credited, %(shares)s share "
                  "payment(s), %(waiting)s waiting for staff, %(debits)s money out, %(known)s "
                  "already imported.")
                % {"lines": self.statement.lines, "credited": self.credited,
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


def import_statement(source: IO[bytes], *, filename: str, by: Any,
                     progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a camt.053/camt.054, MT940 or CSV statement (a seekable binary file): credit
    what it matches, queue the rest; ``progress`` is told the lines read so far, every
    10,000 lines and at the end. Raises BadStatement (nothing imported), AlreadyImported
    (this very file was imported before), NotAllowed."""
    verify_staff(by)
    digest = digest_of(source)
    before = StatementImport.objects.filter(digest=digest).first()
    if before is not None:
        raise AlreadyImported(
            _("This statement was already imported on %(date)s (%(file)s): nothing was "
              "credited twice.") % {"date": f"{before.imported_at:%Y-%m-%d %H:%M}",
                                    "file": before.filename})
    if pain002.is_status_report(source.read(4096)):
        source.seek(0)
        return import_status_report(source, filename=filename, digest=digest, by=by)
    source.seek(0)
    importer: Importer | None = None
    try:
        kind, lines = formats.parse(source)
        with transaction.atomic():
            statement = StatementImport.objects.create(
                filename=filename[:255], digest=digest, format=kind,
                imported_by=by if getattr(by, "pk", None) else None)
            report = ImportReport(statement)
            importer = Importer(statement, report)
            for chunk in read_ahead(chunks(lines, CHUNK)):
                importer.add(chunk)
                if progress is not None:
                    progress(importer.count)
            if importer.problems:
                raise refusal(importer.problems)
            statement.lines = importer.count
            statement.credited = report.credited + len(report.shares)
            statement.waiting, statement.debits = report.waiting, report.debits
            statement.known = report.known
            statement.save()
            if report.organisations:
                transaction.on_commit(lambda: after_statement(statement.pk))
            transaction.on_commit(lambda: after_shares(report.shares))
    except StatementError as exc:
        found = exc.problems + (importer.problems if importer is not None else [])
        raise refusal(sorted(found, key=lambda p: p.line)) from exc
    return report


def import_status_report(source: IO[bytes], *, filename: str, digest: str,
                         by: Any) -> ImportReport:
    """The bank's pain.002 answer to a direct-debit file, uploaded where statements are:
    each rejected collection fails (``debits.fail``: credit taken back if made, member told,
    mandate suspended after two failures). A report naming what Bureau never sent is refused
    whole."""
    try:
        with transaction.atomic():
            statement = StatementImport.objects.create(
                filename=filename[:255], digest=digest, format="pain.002",
                imported_by=by if getattr(by, "pk", None) else None)
            report = ImportReport(statement)
            report.rejected, report.known = debits.apply_status_report(pain002.parse(source))
            statement.lines, statement.debits = report.rejected + report.known, report.rejected
            statement.known = report.known
            statement.save()
    except StatementError as exc:
        raise refusal(exc.problems) from exc
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


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items`` made one ahead by a second thread: the file is parsed while the database
    writes the chunk before (the importing thread then waits on the database, which lets
    the parser run). What the parser raises is raised here, after the items before it."""
    ahead: Queue[tuple[bool, Any]] = Queue(maxsize=1)
    stop = threading.Event()

    def put(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False  # the import stopped: nobody reads any more

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
        except BaseException as exc:  # handed over to the importing thread
            put((False, exc))
        else:
            put((False, None))

    thread = threading.Thread(target=produce, name="statement-reader", daemon=True)
    thread.start()
    try:
        while True:
            more, value = ahead.get()
            if not more:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


@dataclass(slots=True)
class Row:
    """A line to write as a BankLine: plain values, no model instance (a statement may have
    a million lines; they are sent with COPY)."""

    line: StatementLine
    state: str = LineState.WAITING.value
    organisation_id: int | None = None
    matched_by: str = ""
    journal_id: int | None = None
    suggestion_id: int | None = None
    member_id: int | None = None
    note: str = ""

    def values(self, statement_id: int) -> tuple[Any, ...]:
        line = self.line
        return (line.entry_ref, statement_id, line.booked_on, line.amount, line.currency,
                line.credit, line.name[:140], line.iban[:34], line.remittance,
                line.reference[:35], line.end_to_end[:35], line.returned,
                line.return_reason[:4], self.state, self.matched_by, self.organisation_id,
                self.member_id, self.note[:255], self.suggestion_id, self.journal_id)


ROW_FIELDS = ("entry_ref", "statement_id", "booked_on", "amount", "currency", "credit", "name",
              "iban", "remittance", "reference", "end_to_end", "returned", "return_reason",
              "state", "matched_by", "organisation_id", "member_id", "note", "suggestion_id",
              "journal_id")


class Importer:
    """Writes the lines of one statement a chunk at a time, with a fixed number of queries
    per chunk whatever its size: the lines already known, the organisations and invoices
    the chunk names, the suggestions for what waits; then the chunk's top-ups
    (``ledger.top_up_many``) and its rows, both in bulk. Lines answering a direct debit, a
    payout or paying shares are rare and settled one by one by their own operations."""

    def __init__(self, statement: StatementImport, report: ImportReport) -> None:
        self.statement, self.report = statement, report
        self.currency = conf.currency()
        self.problems: list[Problem] = []
        self.count = 0
        self.existing: set[int] = set()  # organisations known to exist (ids)
        self.missing: set[int] = set()
        self.ours = conf.iban()
        self.accounts: dict[str, bool] = {}  # account as the file names it -> is another's

    def another_account(self, account: str) -> bool:
        """The statement is for an account that is not the cooperative's: an IBAN other than
        BUREAU_PAYMENTS_IBAN (a bank's own account number cannot be compared: let through).
        The refusal is recorded the first time an account is seen, not once a line."""
        found = self.accounts.get(account)
        if found is None:
            number = account.replace(" ", "").upper()
            found = self.accounts[account] = iban.is_valid(number) and number != self.ours
            if found:
                self.problems.append(Problem(0, _(
                    "this statement is for the account %(account)s; only the statements of "
                    "the cooperative's account %(ours)s (BUREAU_PAYMENTS_IBAN) are imported")
                    % {"account": number, "ours": self.ours}))
        return found

    def add(self, chunk: list[StatementLine]) -> None:
        fresh: list[StatementLine] = []
        for line in chunk:
            self.count += 1
            if line.currency != self.currency:
                self.problems.append(Problem(line.line, _(
                    "the currency %(currency)s is not the one balances are kept in "
                    "(%(ours)s)") % {"currency": line.currency, "ours": self.currency}))
            elif line.account and self.another_account(line.account):
                continue  # said once for the account
            elif not self.problems:
                fresh.append(line)
        if self.problems:
            return  # nothing will be written: only the remaining problems are looked for
        known = bulk.existing(BankLine, "entry_ref", [line.entry_ref for line in fresh])
        rows: list[Row] = []
        credits: list[tuple[Row, rf.Reference | None]] = []
        for line in fresh:
            if line.entry_ref in known:
                self.report.known += 1
                continue
            known.add(line.entry_ref)  # the same movement twice in one file
            found = rf.find(line.reference, line.remittance) if line.credit else None
            row = self.special(line, found)
            if row is None:
                continue  # settled by its own operation
            rows.append(row)
            if not line.credit:
                row.state = LineState.DEBIT.value
                self.report.debits += 1
            else:
                credits.append((row, found))
        self.match(credits)
        self.write(rows)

    def special(self, line: StatementLine, found: rf.Reference | None) -> Row | None:
        """A direct debit's answer, a payout seen, shares paid: settled by its operation
        (None). A Row when it is an ordinary line, or one its operation did not take (with
        the reason noted for staff)."""
        if not (line.end_to_end.startswith(("BUREAU-DD-", "BUREAU-RF-"))
                or (found is not None and found.kind == rf.SHARE)):
            return Row(line)
        model = BankLine(
            entry_ref=line.entry_ref, statement=self.statement, booked_on=line.booked_on,
            amount=line.amount, currency=line.currency, credit=line.credit,
            name=line.name[:140], iban=line.iban[:34], remittance=line.remittance,
            reference=line.reference[:35], end_to_end=line.end_to_end[:35],
            returned=line.returned, return_reason=line.return_reason[:4],
            state=LineState.WAITING)
        if debits.settle_line(model, line):
            if model.state == LineState.CREDITED and model.member_id is not None:
                self.report.shares.append(model)
            elif model.state == LineState.CREDITED and model.organisation_id is not None:
                self.report.credited += 1
                self.report.organisations.add(model.organisation_id)
            else:
                self.report.debits += 1
            return None
        if payouts.settle_line(model, line):
            self.report.debits += 1
            return None
        if found is not None and found.kind == rf.SHARE and self.pay_shares(model, found.number):
            return None
        return Row(line, note=model.note)

    def match(self, credits: list[tuple[Row, rf.Reference | None]]) -> None:
        """Credit what the chunk's references or invoice numbers name; the rest waits for
        staff with a suggestion. One query each for the organisations, the invoices and
        the suggestions, whatever the chunk's size."""
        wanted = {found.number for _row, found in credits
                  if found is not None and found.kind == rf.BALANCE}
        if unknown := wanted - self.existing - self.missing:
            exist = set(Organisation.objects.filter(pk__in=unknown)
                        .values_list("pk", flat=True))
            self.existing |= exist
            self.missing |= unknown - exist
        to_credit: list[Row] = []
        unmatched: list[Row] = []
        for row, found in credits:
            if found is not None and found.kind == rf.BALANCE and found.number in self.existing:
                row.organisation_id, row.matched_by = found.number, MatchedBy.REFERENCE.value
                to_credit.append(row)
            else:
                unmatched.append(row)
        numbers = {n for row in unmatched for n in INVOICE_NUMBER.findall(row.line.remittance)}
        if numbers:
            customers = dict(Invoice.objects.filter(number__in=numbers)
                             .values_list("number", "organisation_id"))
            for row in unmatched:
                number = next((n for n in INVOICE_NUMBER.findall(row.line.remittance)
                               if n in customers), None)
                if number is not None:
                    row.organisation_id = customers[number]
                    row.matched_by = MatchedBy.INVOICE.value
                    to_credit.append(row)
            unmatched = [row for row in unmatched if not row.matched_by]
        suggest(unmatched, self.currency)
        self.report.waiting += len(unmatched)
        if to_credit:
            template = memo_template()
            journals = ledger.top_up_many(
                [(int(row.organisation_id or 0), row.line.amount, memo_for(row.line, template))
                 for row in to_credit], self.currency)
            for row, journal in zip(to_credit, journals, strict=True):
                row.journal_id, row.state = journal, LineState.CREDITED.value
                self.report.organisations.add(int(row.organisation_id or 0))
            self.report.credited += len(to_credit)

    def write(self, rows: list[Row]) -> None:
        pk = self.statement.pk
        bulk.insert_rows(BankLine, ROW_FIELDS, (row.values(pk) for row in rows))

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


def suggest(rows: list[Row], currency: str) -> None:
    """A guess for staff only: an order waiting for exactly the amount, else an organisation
    with the payer's name (two queries for all the rows)."""
    if not rows:
        return
    by_amount: dict[int, int] = {}
    for price, organisation in (WaitingOrder.objects.filter(
            state=WaitingState.WAITING, currency=currency,
            price__in={row.line.amount for row in rows})
            .order_by("-created_at", "-id").values_list("price", "organisation_id")):
        by_amount[price] = organisation  # the oldest order wins: it comes last
    names = {row.line.name.strip().lower() for row in rows} - {""}
    by_name: dict[str, int] = {}
    if names:
        for name, organisation in (Organisation.objects.annotate(lowered=Lower("name"))
                                   .filter(lowered__in=names).order_by("-pk")
                                   .values_list("lowered", "pk")):
            by_name[name] = organisation
    for row in rows:
        row.suggestion_id = (by_amount.get(row.line.amount)
                             or by_name.get(row.line.name.strip().lower()))


def memo_for(row: BankLine | StatementLine, template: str = "") -> str:
    """The journal's memo; ``template``: the message already translated (a statement
    translates it once, not once per line)."""
    return ((template or memo_template())
            % {"date": row.booked_on.isoformat(), "ref": row.entry_ref.rpartition(":")[2]}
            )[:255]


def memo_template() -> str:
    return _("Bank transfer of %(date)s, bank reference %(ref)s")


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
