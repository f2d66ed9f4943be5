"""ISO 20022 bank-to-customer statements: camt.053 (end of day) and camt.054 (debit/credit
notification), versions .001.02 to .001.13, streamed with lxml's iterparse: each entry is
read, turned into lines and freed, so memory stays flat whatever the file's size.

Only booked entries count (``Sts`` BOOK); pending ones are skipped. An entry with several
transaction details (a batch) gives one line per transaction. The entry reference is the
account's IBAN with the bank's reference (``AcctSvcrRef`` of the transaction, else of the
entry, else ``NtryRef``); a file without any of them cannot be imported idempotently and is
refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from lxml import etree

from .statement import (
    Problem,
    Refusal,
    StatementError,
    StatementLine,
    cents,
    check_currency,
)

KINDS = ("camt.053", "camt.054")


def local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


class Tags:
    """The namespace-qualified tag names of one file, built once. Entries are read by walking
    their children with dictionaries of these tags: lxml's ``find`` with a path goes through
    ElementPath in Python, several times slower, and a statement has a million entries."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.cache: dict[str, str] = {}

    def __getattr__(self, name: str) -> str:
        tag = self.cache[name] = f"{{{self.namespace}}}{name}"
        self.__dict__[name] = tag
        return tag


def children(element: Any) -> dict[Any, Any]:
    """An element's children by qualified tag (comments and processing instructions are
    dropped by the parser; an entity reference's tag is not a string, so no name finds it).
    A repeated child: the last one; repeated ones are read with ``iterchildren``."""
    if element is None:
        return {}
    return {child.tag: child for child in element}


def text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse(source: str | IO[bytes]) -> Iterator[StatementLine]:
    """Lines of a camt.053 or camt.054 file (a path or a binary file object). Raises
    StatementError naming every problem found once the whole file has been read (lines
    before it are yielded: callers that import all-or-nothing collect first)."""
    problems: list[Problem] = []
    account = ""
    q: Tags | None = None
    try:
        context = etree.iterparse(
            source, events=("start", "end"), tag=("{*}Document", "{*}Acct", "{*}Ntry"),
            resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
        for event, element in context:
            name = local(element.tag)
            if q is None:
                namespace = str(element.tag).partition("}")[0].lstrip("{")
                if name != "Document" or element.getparent() is not None or not any(
                        k in namespace for k in KINDS):
                    raise StatementError([Problem.of(
                        element.sourceline or 1, "this is not a camt.053 or camt.054 "
                        "statement (element %(name)s, namespace %(namespace)s)",
                        name=name, namespace=namespace or "none")])
                q = Tags(namespace)
                continue
            if event == "start":
                continue
            if name == "Acct":
                parent = element.getparent()
                if parent is not None and local(parent.tag) in ("Stmt", "Ntfctn"):
                    ident = children(element).get(q.Id)
                    account = (ident.findtext(q.IBAN) or ident.findtext(f"{q.Othr}/{q.Id}")
                               or "").strip() if ident is not None else ""
            elif name == "Ntry":
                yield from entry_lines(element, account, q, problems)
                # Free what was read: the entry and the siblings before it.
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        problems.append(Problem.of(exc.lineno or 0, "the XML is malformed: %(reason)s",
                                   reason=exc.msg))
    if q is None and not problems:
        problems.append(Problem.of(0, "this is not a camt.053 or camt.054 statement (no "
                                   "Document element of those namespaces)"))
    if problems:
        raise StatementError(problems)


def entry_lines(entry: Any, account: str, q: Tags,
                problems: list[Problem]) -> Iterator[StatementLine]:
    at = entry.sourceline or 0
    e = children(entry)
    status = e.get(q.Sts)
    if status is not None and len(status):  # from .001.08: Sts/Cd
        status = children(status).get(q.Cd)
    if text(status) not in ("", "BOOK"):
        return  # pending or informational: not money yet
    try:
        amount_element = e.get(q.Amt)
        if amount_element is None:
            raise Refusal("the entry has no amount (Amt)")
        currency = check_currency(amount_element.get("Ccy", ""))
        amount = cents(amount_element.text or "")
        if amount <= 0:
            raise Refusal("the amount %(amount)s is not positive", amount=amount_element.text)
        indicator = text(e.get(q.CdtDbtInd))
        if indicator not in ("CRDT", "DBIT"):
            raise Refusal("CdtDbtInd is “%(value)s”, not CRDT or DBIT", value=indicator)
        day = children(e.get(q.BookgDt))
        booked_on = date.fromisoformat(text(day.get(q.Dt)) or text(day.get(q.DtTm))[:10])
    except ValueError as exc:
        problems.append(Problem.from_error(at, exc))
        return
    reversal = text(e.get(q.RvslInd)).lower() == "true"
    entry_ref = text(e.get(q.AcctSvcrRef)) or text(e.get(q.NtryRef))
    details = e.get(q.NtryDtls)
    transactions: list[Any] = (list(details.iterchildren(q.TxDtls))
                               if details is not None else []) or [None]
    credit = indicator == "CRDT"
    # The other party: who paid us (credit) or whom we paid (debit).
    party, party_account = (q.Dbtr, q.DbtrAcct) if credit else (q.Cdtr, q.CdtrAcct)
    for index, tx in enumerate(transactions):
        t = children(tx)
        refs = children(t.get(q.Refs))
        ref = text(refs.get(q.AcctSvcrRef)) or (
            entry_ref if len(transactions) == 1 or not entry_ref
            else f"{entry_ref}/{index + 1}")
        if not ref:
            problems.append(Problem.of(at, "the entry has no bank reference (AcctSvcrRef or "
                                        "NtryRef): it could be imported twice"))
            return
        tx_amount = amount
        if len(transactions) > 1:
            element = t.get(q.Amt)
            if element is None:
                element = children(children(t.get(q.AmtDtls)).get(q.TxAmt)).get(q.Amt)
            try:
                if element is None:
                    raise Refusal("a transaction of a batch entry has no amount")
                if element.get("Ccy") != currency:
                    raise Refusal("a transaction's currency differs from its entry's")
                tx_amount = cents(element.text or "")
            except ValueError as exc:
                problems.append(Problem.from_error(tx.sourceline or at, exc))
                continue
        parties = children(t.get(q.RltdPties))
        who = children(parties.get(party))
        # Up to .001.07 the party is Dbtr/Nm; from .001.08 Dbtr/Pty/Nm.
        name = text(who.get(q.Nm)) or text(children(who.get(q.Pty)).get(q.Nm))
        iban = text(children(children(parties.get(party_account)).get(q.Id)).get(q.IBAN))
        remittance = t.get(q.RmtInf)
        if tx is None:
            ustrd = text(e.get(q.AddtlNtryInf))
            structured = ""
        else:
            ustrd = " ".join(u for u in (text(u) for u in remittance.iterchildren(q.Ustrd))
                             if u) if remittance is not None else ""
            structured = text(children(children(children(remittance).get(q.Strd)).get(
                q.CdtrRefInf)).get(q.Ref))
        reason = text(children(children(t.get(q.RtrInf)).get(q.Rsn)).get(q.Cd))
        yield StatementLine(
            entry_ref=f"{account}:{ref}", booked_on=booked_on, amount=tx_amount,
            currency=currency, credit=credit, name=name, iban=iban, remittance=ustrd,
            reference=structured, end_to_end=text(refs.get(q.EndToEndId)),
            returned=reversal or bool(reason), return_reason=reason, line=at, account=account)
