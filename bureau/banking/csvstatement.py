"""A plain CSV statement, for banks that offer neither camt.053 nor MT940 (or a statement
typed by hand). UTF-8, comma or semicolon separated, one header line naming at least:

    id,date,amount,currency,name,reference

``id`` is the bank's unique reference of the movement; ``date`` is YYYY-MM-DD; ``amount``
is signed (negative: money out) with a point or a comma and at most two decimals; optional
``iban`` and ``remittance`` columns. Unknown columns are ignored."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import IO

from .statement import (
    Problem,
    Refusal,
    StatementError,
    StatementLine,
    cents,
    check_currency,
)

REQUIRED = ("id", "date", "amount", "currency")


def parse(source: IO[bytes]) -> Iterator[StatementLine]:
    problems: list[Problem] = []
    stream = io.TextIOWrapper(source, encoding="utf-8-sig", errors="strict", newline="")
    try:
        first = stream.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise StatementError([Problem.of(1, "the CSV header lacks the column(s) "
                                                "%(columns)s", columns=", ".join(missing))])
        for number, row in enumerate(csv.reader(stream, delimiter=delimiter), 2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(Problem.of(number, "%(found)s columns, the header has "
                                                   "%(expected)s", found=len(row),
                                           expected=len(header)))
                continue
            record = dict(zip(header, (c.strip() for c in row), strict=True))
            try:
                if not record["id"]:
                    raise Refusal("the id column is empty")
                amount = cents(record["amount"])
                if amount == 0:
                    raise Refusal("the amount is zero")
                yield StatementLine(
                    entry_ref=f"csv:{record['id']}", booked_on=date.fromisoformat(record["date"]),
                    amount=abs(amount), currency=check_currency(record["currency"]),
                    credit=amount > 0, name=record.get("name", ""),
                    iban=record.get("iban", "").replace(" ", ""),
                    remittance=record.get("remittance", ""),
                    reference=record.get("reference", ""), line=number)
            except ValueError as exc:
                problems.append(Problem.from_error(number, exc))
    except UnicodeDecodeError:
        problems.append(Problem.of(0, "the CSV file is not UTF-8"))
    finally:
        stream.detach()
    if problems:
        raise StatementError(problems)
