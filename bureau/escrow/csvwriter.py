"""Rows -> RFC 4180 records (CRLF, minimal quoting, UTF-8), one string per record."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence

from bureau.escrow.profiles import Column, Profile
from bureau.escrow.rows import Contact, DomainRow

RowValues = Callable[[DomainRow], list[str]]
_SPECIAL = re.compile('[,"\r\n\x00]')


def _crlf(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


_NO_CONTACT = Contact(name="")  # stands for a missing contact: all its fields empty


def _contact_expr(var: str, attr: str) -> str:
    if attr == "street":
        return f'"\\r\\n".join({var}.street)'
    return f"{var}.{attr}"


def compile_row_values(profile: Profile, iana_id: str) -> RowValues:
    """Build one function that turns a row into its column values.

    Generated once per deposit: a per-column closure call costs ~60 calls a row, which is most
    of the CSV time at a million rows.
    """
    lines = ["def _values(row):", "    u = row.underlying"]
    roles: set[tuple[str, str]] = set()
    exprs: list[str] = []
    for col in profile.columns:
        if col.source == "domain":
            exprs.append("row.domain")
        elif col.source == "expiry":
            if profile.expiry_format == "%Y-%m-%d":
                exprs.append("row.expiry.isoformat()")
            else:
                exprs.append(f"row.expiry.strftime({profile.expiry_format!r})")
        elif col.source == "nameservers":
            exprs.append(f"{profile.nameserver_separator!r}.join(row.nameservers)")
        elif col.source == "iana":
            exprs.append(repr(iana_id))
        else:
            role, attr = col.source.split(".", 1)
            kind = "u" if col.underlying else ("p" if col.prefer_underlying else "c")
            var = f"{kind}_{role}"
            roles.add((kind, role))
            exprs.append(_contact_expr(var, attr))
    for kind, role in sorted(roles):
        own = f"row.{role}"
        under = f'(u.get("{role}") if u else None)'
        expr = {"c": own, "u": under, "p": f"({under} or {own})"}[kind]
        lines.append(f"    {kind}_{role} = {expr} or NO_CONTACT")
    lines.append("    return [" + ", ".join(exprs) + "]")
    namespace: dict[str, object] = {"NO_CONTACT": _NO_CONTACT}
    exec("\n".join(lines), namespace)  # generated from the profile's own data, not input
    return namespace["_values"]  # type: ignore[return-value]


def handle_values(profile: Profile, contact: Contact) -> list[str]:
    out: list[str] = []
    for col in profile.handle_columns:
        if col.source == "handle":
            out.append(contact.handle)
        else:
            attr = col.source.split(".", 1)[1]
            value = getattr(contact, attr)
            out.append("\r\n".join(value) if attr == "street" else value)
    return out


class RecordEncoder:
    """csv.writer in RFC 4180 mode; gives back each record's text (CRLF-terminated)."""

    def __init__(self) -> None:
        self._last = ""
        self._writer = csv.writer(self, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def write(self, s: str) -> int:  # called by csv.writer, once per record
        self._last = s
        return len(s)

    def record(self, values: Sequence[str]) -> str:
        # Fast path: most records need no quoting; joining with a unit separator and one
        # search decides that in C. Anything special goes through csv.writer.
        joined = "\x1f".join(values)
        if _SPECIAL.search(joined) is None and joined.count("\x1f") == len(values) - 1 \
                and (len(values) != 1 or joined):
            return joined.replace("\x1f", ",") + "\r\n"
        self._writer.writerow(values)
        text = self._last
        if text.count("\n") != text.count("\r\n") or text.count("\r") != text.count("\r\n"):
            # a bare CR or LF inside a field: RFC 4180 line breaks are CRLF (the verifier
            # refuses bare ones), so normalise every line break in the values
            self._writer.writerow([_crlf(v) for v in values])
            text = self._last
        if "\x00" in text:
            raise ValueError(f"{values[0]}: a field holds a NUL character, which a CSV deposit "
                             "cannot carry; correct the contact data")
        return text


RowRecord = Callable[[DomainRow], str]


def compile_record(profile: Profile, iana_id: str) -> RowRecord:
    """Row -> CSV record text. Privacy/proxy columns trail the others and are empty for most
    rows, so an empty tail is appended as a constant instead of going through csv.writer."""
    cols = profile.columns
    split = len(cols)
    while split > 0 and cols[split - 1].underlying:
        split -= 1
    encoder = RecordEncoder()
    if split in (0, len(cols)):
        values = compile_row_values(profile, iana_id)
        return lambda row: encoder.record(values(row))
    own = compile_row_values(_sub(profile, cols[:split]), iana_id)
    under = compile_row_values(_sub(profile, cols[split:]), iana_id)
    tail = "," * (len(cols) - split) + "\r\n"
    encoder2 = RecordEncoder()

    def record(row: DomainRow) -> str:
        text = encoder.record(own(row))
        if row.underlying:
            return text[:-2] + "," + encoder2.record(under(row))
        return text[:-2] + tail

    return record


def _sub(profile: Profile, columns: tuple[Column, ...]) -> Profile:
    from dataclasses import replace

    return replace(profile, columns=columns)
