"""Rows -> RFC 4180 records (CRLF, minimal quoting, UTF-8), one string per record."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence

from bureau.escrow.profiles import Profile
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

# Contacts are shared by many domains (a registrant holds several names, a reseller is the tech
# contact of thousands): each contact's columns are encoded once and reused, keyed by object
# identity (hashing a frozen dataclass costs more than encoding it). The cache keeps the
# contacts it has seen alive, so an id is never reused while cached; it is emptied when full,
# which bounds memory whatever the number of distinct contacts.
_CACHE_MAX = 8192


class _NulField(ValueError):
    pass


def _quote(value: str) -> str:
    """One field, RFC 4180 minimal quoting as csv.writer does it, line breaks as CRLF."""
    if _SPECIAL.search(value) is None:
        return value
    if "\x00" in value:
        raise _NulField
    return '"' + _crlf(value).replace('"', '""') + '"'


class _Segment:
    """Consecutive columns taken from one contact: encoded once per contact object."""

    def __init__(self, attrs: list[str]) -> None:
        self.attrs = attrs
        self.cache: dict[int, str] = {}
        self.alive: list[Contact] = []
        self.get = self.cache.get
        self.miss(_NO_CONTACT)

    def miss(self, contact: Contact) -> str:
        text = ",".join(
            _quote("\r\n".join(contact.street) if a == "street" else getattr(contact, a))
            for a in self.attrs
        )
        if len(self.alive) >= _CACHE_MAX:
            self.cache.clear()
            self.alive.clear()
            if contact is not _NO_CONTACT:
                self.miss(_NO_CONTACT)
        self.cache[id(contact)] = text
        self.alive.append(contact)
        return text


def compile_record(profile: Profile, iana_id: str) -> RowRecord:
    """Row -> CSV record text (CRLF-terminated), the same text csv.writer gives.

    One function generated per profile: row fields are quoted per row, each contact's columns
    come from a per-contact cache (see _Segment).
    """
    if len(profile.columns) == 1:  # csv.writer writes a lone empty field as ""
        encoder = RecordEncoder()
        values = compile_row_values(profile, iana_id)
        return lambda row: encoder.record(values(row))
    namespace: dict[str, object] = {"NO_CONTACT": _NO_CONTACT, "q": _quote,
                                    "S": _SPECIAL.search, "NulField": _NulField}
    pieces: list[str] = []
    roles: set[tuple[str, str]] = set()
    segments: list[tuple[str, list[str]]] = []  # (contact variable, attributes)
    for n, col in enumerate(profile.columns):
        if col.source in ("domain", "expiry", "nameservers", "iana"):
            if col.source == "domain":
                expr = "row.domain"
            elif col.source == "expiry":
                expr = ("row.expiry.isoformat()" if profile.expiry_format == "%Y-%m-%d"
                        else f"row.expiry.strftime({profile.expiry_format!r})")
            elif col.source == "nameservers":
                expr = f"{profile.nameserver_separator!r}.join(row.nameservers)"
            else:
                pieces.append(repr(_quote(iana_id)))
                continue
            pieces.append(f"(f{n} if S(f{n} := {expr}) is None else q(f{n}))")
            continue
        role, attr = col.source.split(".", 1)
        kind = "u" if col.underlying else ("p" if col.prefer_underlying else "c")
        var = f"{kind}_{role}"
        roles.add((kind, role))
        if segments and segments[-1][0] == var and pieces[-1] == f"s{len(segments) - 1}":
            segments[-1][1].append(attr)
        else:
            segments.append((var, [attr]))
            pieces.append(f"s{len(segments) - 1}")
    # Two bodies: most rows have no privacy/proxy customer, and then every underlying column is
    # empty (a constant) and "prefer underlying" is the contact itself.
    lines = ["def _record(row):", "    try:", "        if row.underlying:",
             "            u = row.underlying"]
    for with_u in (True, False):
        pad = " " * 12
        if not with_u:
            lines.append("        else:")
        for kind, role in sorted(roles):
            own = f"row.{role}"
            if with_u:
                get = {"c": own, "u": f'u.get("{role}")', "p": f'(u.get("{role}") or {own})'}
            else:
                get = {"c": own, "u": "None", "p": own}
            if with_u or kind != "u":
                lines.append(f"{pad}{kind}_{role} = {get[kind]} or NO_CONTACT")
        for i, (var, _attrs) in enumerate(segments):
            if not with_u and var.startswith("u_"):
                lines.append(f"{pad}s{i} = e{i}")
                continue
            lines.append(f"{pad}s{i} = g{i}(id({var}))")
            lines.append(f"{pad}if s{i} is None:")
            lines.append(f"{pad}    s{i} = m{i}({var})")
        lines.append(f'{pad}return ",".join((' + ", ".join(pieces) + ')) + "\\r\\n"')
    lines.append("    except NulField:")
    lines.append("        raise ValueError(f\"{row.domain}: a field holds a NUL character, "
                 "which a CSV deposit cannot carry; correct the contact data\") from None")
    for i, (_var, attrs) in enumerate(segments):
        seg = _Segment(attrs)
        namespace[f"g{i}"], namespace[f"m{i}"] = seg.get, seg.miss
        namespace[f"e{i}"] = seg.miss(_NO_CONTACT)
    exec("\n".join(lines), namespace)  # generated from the profile's own data, not input
    return namespace["_record"]  # type: ignore[return-value]
