"""A strict RFC 4180 record reader (the verifier's own: csv.reader accepts bare LF, stray
quotes, uneven rows, NUL and a BOM).

Accepted: fields separated by commas, records ended by CRLF (the last one may omit it),
fields either plain (no comma, quote, CR, LF) or quoted with doubled inner quotes; CR and LF
are allowed inside quoted fields, alone or together (RFC 4180's ``escaped`` rule), so values
with line breaks read back exactly as they were written. Everything else is reported with its
record and line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_QUOTED = r'"(?:[^"]|"")*"'
_PLAIN = r'[^,"\r\n]*'
_FIELD = f"(?:{_QUOTED}|{_PLAIN})"
_RECORD = re.compile(f"{_FIELD}(?:,{_FIELD})*(?:\r\n)?\\Z")
_FIELD_RE = re.compile(_FIELD)


class RecordError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # physical line the record starts on (1-based)
    fields: list[str]
    lines: int  # physical lines it spans


def _explain(text: str) -> str:
    if "\x00" in text:
        return "NUL character"
    if text.endswith("\n") and not text.endswith("\r\n"):
        return "bare CR or LF ending a record (records end with CRLF)"
    outside = re.sub(r'"(?:[^"]|"")*"', "", text.removesuffix("\r\n"))
    if "\r" in outside or "\n" in outside:
        return "bare CR or LF outside a quoted field (a line break in a value must be quoted)"
    return "stray or unbalanced double quote (a quote inside a field must be doubled and " \
        "the field quoted)"


def _unquote(field: str) -> str:
    if field.startswith('"'):
        return field[1:-1].replace('""', '"')
    return field


def read_records(stream: Iterable[bytes]) -> Iterator[Record]:
    """Yield records from a binary stream; raise RecordError at the first malformed one."""
    line_no = 1
    first = True
    pending: list[bytes] = []
    quotes = 0
    start = 1
    for raw in stream:
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raise RecordError(1, "byte order mark at the start of the file (not allowed)")
        if not pending:
            start = line_no
        pending.append(raw)
        quotes += raw.count(b'"')
        line_no += 1
        if quotes % 2:  # inside a quoted field: the record goes on
            continue
        yield _record(b"".join(pending), start, len(pending))
        pending.clear()
        quotes = 0
    if pending:
        raise RecordError(start, "file ends inside a quoted field (unbalanced double quote)")


def _record(data: bytes, line: int, lines: int) -> Record:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RecordError(line, f"not UTF-8 (byte {e.start} of the record)") from None
    if "\x00" in text or not _RECORD.match(text):
        raise RecordError(line, _explain(text))
    return Record(line, _split_fields(text), lines)


def _split_fields(text: str) -> list[str]:
    body = text[:-2] if text.endswith("\r\n") else text
    out: list[str] = []
    pos = 0
    while True:
        m = _FIELD_RE.match(body, pos)
        assert m is not None
        out.append(_unquote(m.group(0)))
        pos = m.end()
        if pos >= len(body):
            return out
        pos += 1  # the comma
