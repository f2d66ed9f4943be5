"""The French FEC (Fichier des Écritures Comptables, article A47 A-1 of the Livre des
procédures fiscales): one line per accounting line, 18 columns in this order, separated by
tabs, amounts with a decimal comma, dates YYYYMMDD. And the same lines as a plain CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum",
           "CompteLib", "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib",
           "Debit", "Credit", "EcritureLet", "DateLet", "ValidDate", "Montantdevise",
           "Idevise")


@dataclass(frozen=True)
class Line:
    journal_code: str
    journal_label: str
    number: str  # EcritureNum: the lines of one entry share it
    on: date
    account: str
    account_label: str
    auxiliary: str
    auxiliary_label: str
    piece: str
    piece_on: date
    label: str
    debit: int  # cents
    credit: int  # cents


def amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def clean(text: str) -> str:
    # A tab or a line break inside a field would shift the columns.
    return " ".join(str(text).split())


def fields(line: Line) -> list[str]:
    day = f"{line.on:%Y%m%d}"
    return [line.journal_code, clean(line.journal_label), line.number, day, line.account,
            clean(line.account_label), line.auxiliary, clean(line.auxiliary_label),
            clean(line.piece), f"{line.piece_on:%Y%m%d}", clean(line.label),
            amount(line.debit), amount(line.credit), "", "", day, "", ""]


def fec(lines: Iterable[Line]) -> Iterator[str]:
    """The FEC file, line by line (CRLF as the administration's tool expects)."""
    yield "\t".join(COLUMNS) + "\r\n"
    for line in lines:
        if line.debit < 0 or line.credit < 0 or (line.debit and line.credit):
            raise ValueError(f"entry {line.number}: one of debit or credit, positive")
        yield "\t".join(fields(line)) + "\r\n"


def csv_lines(lines: Iterable[Line]) -> Iterator[str]:
    """The same lines as a CSV (comma, point as decimal separator) for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    yield out.getvalue()
    for line in lines:
        out.seek(0)
        out.truncate()
        row = fields(line)
        row[11], row[12] = f"{line.debit / 100:.2f}", f"{line.credit / 100:.2f}"
        writer.writerow(row)
        yield out.getvalue()
