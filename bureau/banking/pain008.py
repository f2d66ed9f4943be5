"""SEPA Core direct debit collections as an ISO 20022 pain.008.001.02 file, written by
sepaxml and validated with lxml against the XSD sepaxml ships (a file the bank would refuse
is never handed to staff).

One payment information block per due date and sequence type (a pain.008 block has one of
each): ``FRST`` for the first collection under a mandate, ``RCUR`` for the next ones."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from lxml import etree
from sepaxml import SepaDD

SCHEMA = "pain.008.001.02"
SEQUENCE_TYPES = ("FRST", "RCUR")


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    bic: str
    creditor_id: str  # SEPA creditor identifier (ICS), e.g. FR72ZZZ123456


@dataclass(frozen=True)
class Collection:
    end_to_end: str  # unique, at most 35 characters: how the bank's answer names it
    amount: int  # cents, > 0
    name: str  # the debtor (account holder)
    iban: str
    bic: str
    mandate: str  # unique mandate reference
    signed_on: date
    sequence: str  # FRST or RCUR
    due: date
    text: str  # remittance information, at most 140 characters


class InvalidFile(ValueError):
    """The file does not validate against the pain.008 schema."""


@lru_cache(maxsize=1)
def schema() -> Any:
    path = importlib.resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def validate(xml: bytes) -> None:
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True,
                                                     huge_tree=True))
    if not schema().validate(document):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema().error_log)[:5])
        raise InvalidFile(f"the pain.008 file does not validate: {errors}")


def write(creditor: Creditor, collections: Iterable[Collection]) -> bytes:
    """The pain.008 file of ``collections`` (validated). Raises ValueError for a collection
    that cannot be in one (amount, sequence type) and InvalidFile."""
    sepa = SepaDD({"name": creditor.name, "IBAN": creditor.iban, "BIC": creditor.bic,
                   "batch": True, "creditor_id": creditor.creditor_id, "currency": "EUR",
                   "instrument": "CORE"}, schema=SCHEMA, clean=True)
    count = 0
    for c in collections:
        if c.sequence not in SEQUENCE_TYPES:
            raise ValueError(f"{c.end_to_end}: sequence type {c.sequence!r}")
        if c.amount <= 0:
            raise ValueError(f"{c.end_to_end}: amount {c.amount} is not positive")
        sepa.add_payment({
            "name": c.name[:70], "IBAN": c.iban, "BIC": c.bic, "amount": c.amount,
            "type": c.sequence, "collection_date": c.due, "mandate_id": c.mandate,
            "mandate_date": c.signed_on, "description": c.text[:140],
            "endtoend_id": c.end_to_end})
        count += 1
    if not count:
        raise ValueError("no collection to put in a file")
    xml: bytes = sepa.export(validate=False)
    validate(xml)
    return xml


@dataclass(frozen=True)
class Contents:
    message_id: str
    blocks: dict[str, list[str]]  # payment information id -> end-to-end ids

    def end_to_ends(self, payment_id: str = "") -> list[str]:
        """Every collection of the block ``payment_id``, or of the file when empty."""
        if payment_id:
            return list(self.blocks.get(payment_id, []))
        return [e for ids in self.blocks.values() for e in ids]


def contents(xml: bytes) -> Contents:
    """What a pain.008 file holds, as the bank's status report names it."""
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True,
                                                     huge_tree=True))
    ns = {"p": document.nsmap.get(None, "")}
    blocks = {str(block.findtext("p:PmtInfId", namespaces=ns) or ""): [
        str(e.text or "") for e in block.iterfind("p:DrctDbtTxInf/p:PmtId/p:EndToEndId",
                                                  namespaces=ns)]
        for block in document.iterfind(".//p:PmtInf", namespaces=ns)}
    return Contents(str(document.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId",
                                          namespaces=ns) or ""), blocks)
