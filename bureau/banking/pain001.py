"""SEPA credit transfers out (refunds) as an ISO 20022 pain.001.001.03 file, written by
sepaxml and validated with lxml against the XSD sepaxml ships."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from lxml import etree
from sepaxml import SepaTransfer

SCHEMA = "pain.001.001.03"


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    end_to_end: str
    amount: int  # cents, > 0
    name: str  # the payee
    iban: str
    bic: str
    text: str
    execution: date


@lru_cache(maxsize=1)
def schema() -> Any:
    path = importlib.resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def write(debtor: Debtor, transfers: Iterable[Transfer]) -> bytes:
    sepa = SepaTransfer({"name": debtor.name, "IBAN": debtor.iban, "BIC": debtor.bic,
                         "batch": True, "currency": "EUR"}, schema=SCHEMA, clean=True)
    count = 0
    for t in transfers:
        if t.amount <= 0:
            raise ValueError(f"{t.end_to_end}: amount {t.amount} is not positive")
        sepa.add_payment({"name": t.name[:70], "IBAN": t.iban, "BIC": t.bic,
                          "amount": t.amount, "execution_date": t.execution,
                          "description": t.text[:140], "endtoend_id": t.end_to_end})
        count += 1
    if not count:
        raise ValueError("no transfer to put in a file")
    xml: bytes = sepa.export(validate=False)
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema().validate(document):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema().error_log)[:5])
        raise ValueError(f"the pain.001 file does not validate: {errors}")
    return xml
