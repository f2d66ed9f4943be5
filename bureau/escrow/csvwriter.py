"""Rows -> RFC 4180 records (CRLF, minimal quoting, UTF-8), one string per record."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence

from bureau.escrow.profiles import Profile
from bureau.escrow.rows import Contact, DomainRow

_SPECIAL = re.compile('[,"\r\n\x00]')

_NO_CONTACT = Contact(name="")  # stands for a missing contact: all its fields empty


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
        self._writer.writerow(values)
        text = self._last
        if "\x00" in text:
            raise ValueError(f"{values[0]}: a field holds a NUL character, which a CSV deposit "
                             "cannot carry; correct the contact data")
        return text


RowRecord = Callable[[DomainRow], str]

# Contacts are shared by many domains (a registrant holds several names, a reseller is the tech
# contact of thousands): each contact's consecutive columns are encoded once and reused, keyed
# by object identity (hashing a frozen dataclass costs more than encoding it). This keeps a
# 1,000,000-row deposit within 1.5 times the shell pipeline (bench/escrow.py). The cache keeps
# the contacts it has seen alive, so an id is never reused while cached; it is emptied when
# full, which bounds memory whatever the number of distinct contacts.
_CACHE_MAX = 8192


class _NulField(ValueError):
    pass


def _quote(value: str) -> str:
    """One field, RFC 4180 minimal quoting as csv.writer does it; line breaks kept as they are
    (RFC 4180 allows CR and LF inside a quoted field)."""
    if _SPECIAL.search(value) is None:
        return value
    if "\x00" in value:
        raise _NulField
    return '"' + value.replace('"', '""') + '"'


class _Segment:
    """Consecutive columns taken from one contact: encoded once per contact object."""

    def __init__(self, attrs: list[str]) -> None:
        self.attrs = attrs
        self.cache: dict[int, str] = {}
        self.alive: list[Contact] = []

    def text(self, contact: Contact) -> str:
        found = self.cache.get(id(contact))
        if found is not None:
            return found
        text = ",".join(
            _quote("\r\n".join(contact.street) if a == "street" else getattr(contact, a))
            for a in self.attrs
        )
        if len(self.alive) >= _CACHE_MAX:
            self.cache.clear()
            self.alive.clear()
        self.cache[id(contact)] = text
        self.alive.append(contact)
        return text


Part = Callable[[DomainRow, dict[str, Contact]], str]


def _row_field(profile: Profile, source: str, iana_id: str) -> Part:
    if source == "domain":
        return lambda row, _: _quote(row.domain)
    if source == "expiry":
        fmt = profile.expiry_format
        return lambda row, _: _quote(row.expiry.isoformat() if fmt == "%Y-%m-%d"
                                     else row.expiry.strftime(fmt))
    if source == "nameservers":
        separator = profile.nameserver_separator
        return lambda row, _: _quote(separator.join(row.nameservers))
    quoted = _quote(iana_id)
    return lambda row, _: quoted


def _contacts(row: DomainRow, wanted: list[tuple[str, str]]) -> dict[str, Contact]:
    """The contact behind each (kind, role): the row's own ("c"), the privacy/proxy customer's
    underlying one ("u"), or the underlying one when there is one ("p")."""
    under = row.underlying
    found: dict[str, Contact] = {}
    for kind, role in wanted:
        own = getattr(row, role)
        hidden = under.get(role) if under else None
        chosen = own if kind == "c" else hidden if kind == "u" else (hidden or own)
        found[kind + role] = chosen or _NO_CONTACT
    return found


def _contact_columns(segment: _Segment, key: str) -> Part:
    return lambda _, contacts: segment.text(contacts[key])


def compile_record(profile: Profile, iana_id: str) -> RowRecord:
    """Row -> CSV record text (CRLF-terminated), the same text csv.writer gives."""
    parts: list[Part] = []
    wanted: list[tuple[str, str]] = []
    last: tuple[str, _Segment] | None = None  # the segment the previous column went to
    for col in profile.columns:
        if col.source in ("domain", "expiry", "nameservers", "iana"):
            parts.append(_row_field(profile, col.source, iana_id))
            last = None
            continue
        role, attr = col.source.split(".", 1)
        kind = "u" if col.underlying else ("p" if col.prefer_underlying else "c")
        if (kind, role) not in wanted:
            wanted.append((kind, role))
        if last is not None and last[0] == kind + role:
            last[1].attrs.append(attr)
            continue
        segment = _Segment([attr])
        parts.append(_contact_columns(segment, kind + role))
        last = (kind + role, segment)

    def record(row: DomainRow) -> str:
        contacts = _contacts(row, wanted)
        try:
            text = ",".join([part(row, contacts) for part in parts])
        except _NulField:
            raise ValueError(f"{row.domain}: a field holds a NUL character, which a CSV "
                             "deposit cannot carry; correct the contact data") from None
        # csv.writer writes a lone empty field as "", so that the record is not an empty line
        return (text or '""') + "\r\n"

    return record
