"""Zone-file import (with every problem reported by line number) and export.

dnspython stops at the first error of a zone file, so the file is first cut into entries (one
record each, parentheses joined, comments dropped, line numbers kept); each entry is parsed by
dnspython on its own, then all records go through `validate_zone` together. SOA, the apex NS
and DNSSEC records (DNSKEY, RRSIG, NSEC...) are not imported: Bureau and PowerDNS manage them;
they are returned apart so the caller can show what was left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.ttl
import dns.zonefile

from bureau.dns.names import InvalidName, zone_name
from bureau.dns.records import DEFAULT_TTL, Record, ValidRecord
from bureau.dns.validation import Problem, ValidationError, validate_zone

MANAGED_TYPES = frozenset(
    {"SOA", "DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "CDS", "CDNSKEY"}
)


@dataclass
class ZoneImport:
    """What an import gives: records to publish, and what was left out on purpose."""

    records: list[ValidRecord]
    apex_ns: list[str] = field(default_factory=list)
    skipped: list[Record] = field(default_factory=list)


def parse_zone_file(
    zone: str, text: str, *, default_ttl: int = DEFAULT_TTL, nameservers: Sequence[str] = ()
) -> ZoneImport:
    """Parse and validate a zone file for `zone`; raise ValidationError with every problem."""
    try:
        origin = zone_name(zone)
    except InvalidName as exc:
        raise ValidationError([Problem("zone", str(exc))]) from exc
    problems: list[Problem] = []
    result = ZoneImport(records=[])
    raw: list[Record] = []
    for record in _read_records(origin, text, default_ttl, problems):
        if record.rtype in MANAGED_TYPES:
            result.skipped.append(record)
        elif record.rtype == "NS" and dns.name.from_text(record.name) == origin:
            result.apex_ns.append(record.content)
        else:
            raw.append(record)
    try:
        result.records = validate_zone(origin, raw, nameservers=nameservers)
    except ValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise ValidationError(problems)
    return result


def _read_records(
    origin: dns.name.Name, text: str, default_ttl: int, problems: list[Problem]
) -> Iterator[Record]:
    current_origin = origin
    ttl = default_ttl
    last_owner: dns.name.Name | None = None
    for line, entry in _entries(text, problems):

        def fail(message: str, *, _line: int = line, _entry: str = entry) -> None:
            problems.append(Problem("line", message, Record("", "", _entry.strip(), 0, _line)))

        stripped = entry.strip()
        if stripped.startswith("$"):
            directive, *arguments = stripped.split(maxsplit=1)
            argument = arguments[0].strip() if arguments else ""
            try:
                if directive.upper() == "$ORIGIN":
                    current_origin = dns.name.from_text(argument, origin=current_origin)
                elif directive.upper() == "$TTL":
                    ttl = dns.ttl.from_text(argument.split()[0])
                else:
                    fail(f"{directive} is not supported: write the records out in the file")
            except (dns.exception.DNSException, IndexError, ValueError) as exc:
                fail(f"bad {directive} ({exc})")
            continue
        # The owner is split off here: dnspython silently drops names outside the origin,
        # and an out-of-zone owner must be reported, not lost.
        if entry[:1] in (" ", "\t"):
            if last_owner is None:
                fail("the line starts with a blank but no owner name came before it")
                continue
            rest = entry
        else:
            token, *tail = stripped.split(maxsplit=1)
            rest = " " + (tail[0] if tail else "")
            try:
                last_owner = dns.name.from_text(
                    token, origin=current_origin, idna_codec=dns.name.IDNA_2008_Practical
                )
            except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
                last_owner = None
                fail(f"bad owner name {token!r} ({exc})")
                continue
        try:
            rrsets = dns.zonefile.read_rrsets(
                rest,
                name=last_owner,
                origin=current_origin,
                rdclass=None,
                default_ttl=ttl,
                relativize=False,
                idna_codec=dns.name.IDNA_2008_Practical,
            )
        except (dns.exception.DNSException, ValueError, UnicodeError) as exc:
            message = str(exc).removeprefix("<input>:1: ").removeprefix("<string>:1: ")
            fail(f"cannot parse this record ({message})")
            continue
        for rrset in rrsets:
            if rrset.rdclass != dns.rdataclass.IN:
                fail("only class IN records can be imported")
                continue
            for rdata in rrset:
                yield Record(
                    name=rrset.name.to_text(),
                    rtype=dns.rdatatype.to_text(rrset.rdtype),
                    content=rdata.to_text(),
                    ttl=rrset.ttl,
                    line=line,
                )


def _entries(text: str, problems: list[Problem]) -> Iterator[tuple[int, str]]:
    """(first line number, entry text): comments removed, parenthesised lines joined."""
    buf: list[str] = []
    line = start = 1
    depth = 0
    quoted = escaped = comment = False
    for char in text:
        if char == "\n":
            if quoted and not escaped:
                problems.append(
                    Problem(
                        "line",
                        "a quoted string is not closed on this line",
                        Record("", "", "".join(buf).strip(), 0, line),
                    )
                )
                quoted = False
            comment = escaped = False
            line += 1
            if depth > 0:
                buf.append(" ")
                continue
            entry = "".join(buf)
            if entry.strip():
                yield start, entry
            buf, start = [], line
            continue
        if comment:
            continue
        if escaped:
            escaped = False
            buf.append(char)
            continue
        if char == "\\":
            escaped = True
            buf.append(char)
        elif quoted:
            quoted = char != '"'
            buf.append(char)
        elif char == '"':
            quoted = True
            buf.append(char)
        elif char == ";":
            comment = True
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth < 0:
                problems.append(Problem("line", "')' without '('", Record("", "", "", 0, line)))
                depth = 0
            buf.append(" ")
        else:
            buf.append(char)
    if depth > 0:
        problems.append(
            Problem("line", "'(' is never closed", Record("", "", "".join(buf).strip(), 0, start))
        )
    elif "".join(buf).strip():
        yield start, "".join(buf)


def export_zone_file(
    zone: str,
    records: Iterable[ValidRecord],
    *,
    soa: str | None = None,
    nameservers: Sequence[str] = (),
    ttl: int = DEFAULT_TTL,
) -> str:
    """Zone-file text: $ORIGIN, $TTL, SOA and apex NS if given, then records in DNS order."""
    origin = zone_name(zone)
    lines = [f"$ORIGIN {origin.to_text()}", f"$TTL {ttl}"]
    if soa:
        lines.append(f"@\t{ttl}\tIN\tSOA\t{soa}")
    lines.extend(f"@\t{ttl}\tIN\tNS\t{ns.rstrip('.')}." for ns in nameservers)
    ordered = sorted(records, key=lambda r: (dns.name.from_text(r.name), r.rtype, r.content))
    for record in ordered:
        owner = dns.name.from_text(record.name).relativize(origin).to_text()
        lines.append(f"{owner}\t{record.ttl}\tIN\t{record.rtype}\t{record.content}")
    return "\n".join(lines) + "\n"
