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


class Paths:
    """Namespace-qualified ElementPath strings of one file, built once (lxml's C ``find``
    then does the walking: several times faster than Python loops)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self.cache.get(path)
        if found is None:
            found = self.cache[path] = "/".join(f"{{{self.namespace}}}{p}"
                                                for p in path.split("/"))
        return found


def parse(source: str | IO[bytes]) -> Iterator[StatementLine]:
    """Lines of a camt.053 or camt.054 file (a path or a binary file object). Raises
    StatementError naming every problem found once the whole file has been read (lines
    before it are yielded: callers that import all-or-nothing collect first)."""
    problems: list[Problem] = []
    account = ""
    q: Paths | None = None
    try:
        context = etree.iterparse(
            source, events=("start", "end"), tag=("{*}Document", "{*}Acct", "{*}Ntry"),
            resolve_entities=False, no_network=True, remove_comments=True)
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
                q = Paths(namespace)
                continue
            if event == "start":
                continue
            if name == "Acct":
                parent = element.getparent()
                if parent is not None and local(parent.tag) in ("Stmt", "Ntfctn"):
                    account = (element.findtext(q("Id/IBAN"))
                               or element.findtext(q("Id/Othr/Id")) or "").strip()
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


def booked(entry: Any, q: Paths) -> bool:
    status = (entry.findtext(q("Sts/Cd")) or entry.findtext(q("Sts")) or "").strip()
    return status in ("", "BOOK")


def entry_lines(entry: Any, account: str, q: Paths,
                problems: list[Problem]) -> Iterator[StatementLine]:
    at = entry.sourceline or 0
    if not booked(entry, q):
        return

    def get(element: Any, path: str) -> str:
        return (element.findtext(q(path)) or "").strip() if element is not None else ""

    try:
        amount_element = entry.find(q("Amt"))
        if amount_element is None:
            raise Refusal("the entry has no amount (Amt)")
        currency = check_currency(amount_element.get("Ccy", ""))
        amount = cents(amount_element.text or "")
        if amount <= 0:
            raise Refusal("the amount %(amount)s is not positive", amount=amount_element.text)
        indicator = get(entry, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise Refusal("CdtDbtInd is “%(value)s”, not CRDT or DBIT", value=indicator)
        day = get(entry, "BookgDt/Dt") or get(entry, "BookgDt/DtTm")[:10]
        booked_on = date.fromisoformat(day)
    except ValueError as exc:
        problems.append(Problem.from_error(at, exc))
        return
    reversal = get(entry, "RvslInd").lower() == "true"
    entry_ref = get(entry, "AcctSvcrRef") or get(entry, "NtryRef")
    transactions: list[Any] = entry.findall(q("NtryDtls/TxDtls")) or [None]
    credit = indicator == "CRDT"
    # The other party: who paid us (credit) or whom we paid (debit).
    party, party_account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
    for index, tx in enumerate(transactions):
        ref = get(tx, "Refs/AcctSvcrRef") or (
            entry_ref if len(transactions) == 1 or not entry_ref
            else f"{entry_ref}/{index + 1}")
        if not ref:
            problems.append(Problem.of(at, "the entry has no bank reference (AcctSvcrRef or "
                                        "NtryRef): it could be imported twice"))
            return
        tx_amount = amount
        if len(transactions) > 1:
            element = tx.find(q("Amt"))
            if element is None:
                element = tx.find(q("AmtDtls/TxAmt/Amt"))
            try:
                if element is None:
                    raise Refusal("a transaction of a batch entry has no amount")
                if element.get("Ccy") != currency:
                    raise Refusal("a transaction's currency differs from its entry's")
                tx_amount = cents(element.text or "")
            except ValueError as exc:
                problems.append(Problem.from_error(tx.sourceline or at, exc))
                continue
        reason = get(tx, "RtrInf/Rsn/Cd")
        ustrd = [(u.text or "").strip() for u in tx.iterfind(q("RmtInf/Ustrd"))] \
            if tx is not None else [get(entry, "AddtlNtryInf")]
        yield StatementLine(
            entry_ref=f"{account}:{ref}", booked_on=booked_on, amount=tx_amount,
            currency=currency, credit=credit,
            # Up to .001.07 the party is Dbtr/Nm; from .001.08 Dbtr/Pty/Nm.
            name=get(tx, f"RltdPties/{party}/Nm") or get(tx, f"RltdPties/{party}/Pty/Nm"),
            iban=get(tx, f"RltdPties/{party_account}/Id/IBAN"),
            remittance=" ".join(u for u in ustrd if u),
            reference=get(tx, "RmtInf/Strd/CdtrRefInf/Ref"),
            end_to_end=get(tx, "Refs/EndToEndId"),
            returned=reversal or bool(reason), return_reason=reason, line=at)
