"""Which parser reads a file: decided from its first bytes, not its name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from . import camt, csvstatement, mt940
from .statement import Problem, StatementError, StatementLine


def sniff(head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<"):
        return "camt"
    if start.startswith((b":20:", b"{1:", b":940:")) or b"\n:20:" in start[:400]:
        return "mt940"
    if b"," in start.split(b"\n")[0] or b";" in start.split(b"\n")[0]:
        return "csv"
    return ""


def parse(source: IO[bytes]) -> tuple[str, Iterator[StatementLine]]:
    """(format, lines) of a seekable binary file."""
    head = source.read(4096)
    source.seek(0)
    kind = sniff(head)
    if kind == "camt":
        return kind, camt.parse(source)
    if kind == "mt940":
        return kind, mt940.parse(source)
    if kind == "csv":
        return kind, csvstatement.parse(source)
    raise StatementError([Problem.of(0, "the file is not a camt.053/camt.054 XML statement, an "
                                     "MT940 statement or a CSV statement with a header")])
