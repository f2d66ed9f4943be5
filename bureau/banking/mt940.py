"""SWIFT MT940 customer statements, the fallback of banks without camt.053.

Read per field: ``:25:`` the account, ``:60F:``/``:60M:`` the currency, each ``:61:`` a
movement (value date, optional entry date, C/D/RC/RD, amount with a decimal comma,
transaction type, customer reference, ``//`` the bank's reference) and the ``:86:`` after it
(free text, or ``?20``–``?29`` remittance and ``?32``/``?33`` name subfields as German banks
write them). The entry reference is the account with the bank's reference, else with the
date, amount and the line's position in the statement named by ``:20:``/``:28C:``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import IO

from .statement import Problem, StatementError, StatementLine, cents, check_currency

FIELD = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
SIXTY_ONE = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])[A-Z]?(?P<amount>\d{1,12},\d{0,2})"
    r"(?P<type>[NSF][A-Z0-9]{3})(?P<customer>[^/\n]{0,16}?)(?://(?P<bank>[^\n]{1,16}))?$")
BALANCE = re.compile(r"^[CD]\d{6}(?P<currency>[A-Z]{3})")
SUBFIELD = re.compile(r"\?(\d{2})")


def fields(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(line number, tag, value with continuation lines joined by newlines)."""
    current: tuple[int, str, list[str]] | None = None
    for number, raw in lines:
        line = raw.rstrip("\r\n")
        match = FIELD.match(line)
        if match:
            if current:
                yield current[0], current[1], "\n".join(current[2])
            current = (number, match[1], [match[2]])
        elif current and line and line not in ("-", "-}"):
            current[2].append(line)
    if current:
        yield current[0], current[1], "\n".join(current[2])


def details(text: str) -> tuple[str, str]:
    """(name, remittance) from an :86: field."""
    if "?" not in text:
        return "", " ".join(text.split())
    parts: dict[str, list[str]] = {}
    pieces = SUBFIELD.split(text.replace("\n", ""))
    for code, value in zip(pieces[1::2], pieces[2::2], strict=False):
        parts.setdefault(code, []).append(value)
    remittance = "".join("".join(parts.get(str(c), [])) for c in range(20, 30))
    name = "".join(parts.get("32", []) + parts.get("33", []))
    return name.strip(), remittance.strip()


def parse(source: IO[bytes]) -> Iterator[StatementLine]:
    problems: list[Problem] = []
    account = statement = currency = ""
    pending: dict[str, object] | None = None
    position = 0
    text_lines = ((n, raw.decode("utf-8", "replace")) for n, raw in enumerate(source, 1))

    def finish(extra: str) -> StatementLine | None:
        nonlocal pending
        if pending is None:
            return None
        name, remittance = details(extra)
        line = StatementLine(**{**pending, "name": name, "remittance": remittance})  # type: ignore[arg-type]
        pending = None
        return line

    seen_any = False
    for number, tag, value in fields(text_lines):
        seen_any = True
        if tag != "86" and pending is not None:
            done = finish("")
            if done:
                yield done
        if tag == "25":
            account = value.strip().replace(" ", "")
        elif tag in ("20", "28C"):
            statement = f"{statement}/{value.strip()}" if tag == "28C" else value.strip()
            position = 0
        elif tag in ("60F", "60M"):
            match = BALANCE.match(value)
            try:
                currency = check_currency(match["currency"] if match else "")
            except ValueError as exc:
                problems.append(Problem.from_error(number, exc))
        elif tag == "61":
            position += 1
            match = SIXTY_ONE.match(value.split("\n")[0])
            if match is None:
                problems.append(Problem.of(number, "the :61: field “%(value)s” is not value "
                                                   "date, C/D mark, amount, type",
                                           value=value[:40]))
                continue
            if not currency:
                problems.append(Problem.of(number, "a movement comes before the opening "
                                                "balance (:60F:) that names the currency"))
                continue
            try:
                amount = cents(match["amount"])
                value_date = date(2000 + int(match["value"][:2]), int(match["value"][2:4]),
                                  int(match["value"][4:]))
            except ValueError as exc:
                problems.append(Problem.from_error(number, exc))
                continue
            if amount <= 0:
                problems.append(Problem.of(number, "the amount is zero"))
                continue
            bank = (match["bank"] or "").strip()
            ref = bank or (f"{statement}#{position}:{value_date.isoformat()}:{amount}")
            mark = match["mark"]
            pending = {"entry_ref": f"{account}:{ref}", "booked_on": value_date,
                       "amount": amount, "currency": currency,
                       "credit": mark in ("C", "RD"), "returned": mark.startswith("R"),
                       "reference": "", "end_to_end": (match["customer"] or "").strip()
                       if match["customer"] != "NONREF" else "", "line": number,
                       "account": account}
        elif tag == "86" and pending is not None:
            done = finish(value)
            if done:
                yield done
    done = finish("")
    if done:
        yield done
    if not seen_any:
        problems.append(Problem.of(0, "this is not an MT940 statement (no :20:/:61: fields)"))
    if problems:
        raise StatementError(problems)
