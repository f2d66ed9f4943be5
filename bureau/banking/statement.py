"""What every statement parser yields, and how it refuses a file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry


@dataclass(frozen=True)
class StatementLine:
    """One booked movement on the cooperative's bank account.

    ``entry_ref`` identifies it across statements (the bank's own reference, prefixed with
    the account), so that an overlapping statement is recognised. ``amount`` is positive
    cents; ``credit`` says the money came in. ``returned`` marks an R-transaction (a
    direct debit returned or rejected, or a reversal): money that went back. ``account``:
    the account the statement is for, as the file names it (an IBAN, or the bank's own
    identifier), empty when it names none (CSV)."""

    entry_ref: str
    booked_on: date
    amount: int
    currency: str
    credit: bool
    name: str = ""
    iban: str = ""
    remittance: str = ""
    reference: str = ""
    end_to_end: str = ""
    returned: bool = False
    return_reason: str = ""
    line: int = 0
    account: str = ""


class Refusal(ValueError):
    """Why a value is refused: an English ``template`` with ``params``, so that the
    application can translate it (bureau.payments lists the templates for translators)."""

    def __init__(self, template: str, **params: object) -> None:
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    template: str = ""
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, line: int, template: str, **params: object) -> Problem:
        message = template % params if params else template
        return cls(line, message, template, tuple(params.items()))

    @classmethod
    def from_error(cls, line: int, error: ValueError) -> Problem:
        if isinstance(error, Refusal):
            return cls.of(line, error.template, **error.params)
        return cls(line, str(error))

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class StatementError(ValueError):
    """The file cannot be imported; ``problems`` says where and why (every one found)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:20])
                         + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""))


AMOUNT = re.compile(r"^-?\d{1,15}([.,]\d{1,2})?$")


def cents(text: str) -> int:
    """'12.3' / '12,30' -> 1230. Refuses more than two decimals, signs inside, exponents."""
    text = text.strip()
    if not AMOUNT.match(text):
        raise Refusal("“%(text)s” is not an amount with at most two decimals", text=text)
    try:
        return int(Decimal(text.replace(",", ".")) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise Refusal("“%(text)s” is not an amount", text=text) from exc


@lru_cache(maxsize=64)
def check_currency(code: str) -> str:
    code = code.strip()
    if not (len(code) == 3 and code.isalpha() and code.isupper()
            and pycountry.currencies.get(alpha_3=code) is not None):
        raise Refusal("“%(code)s” is not an ISO 4217 currency code", code=code)
    return code
