"""Records as people give them, and records as Bureau publishes them.

`Record` is raw input (a form row, an API object, a zone-file line): owner as typed, type,
content in presentation format, TTL. `ValidRecord` is what `bureau.dns.validation` returns:
absolute A-label owner, upper-case type, canonical content with absolute names, checked TTL.
Only `ValidRecord`s are ever sent to PowerDNS.
"""

from __future__ import annotations

import enum
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from bureau.dns.powerdns.client import RRSetChange

MIN_TTL = 60  # below this, caches and secondaries churn for no benefit
MAX_TTL = 604_800  # one week: longer makes mistakes last too long
DEFAULT_TTL = 3600


class RecordType(enum.StrEnum):
    """The types a member can edit (SOA, DNSKEY, RRSIG, NSEC* are managed by PowerDNS)."""

    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    MX = "MX"
    TXT = "TXT"
    SRV = "SRV"
    CAA = "CAA"
    NS = "NS"
    DS = "DS"
    TLSA = "TLSA"
    SSHFP = "SSHFP"
    HTTPS = "HTTPS"
    SVCB = "SVCB"
    PTR = "PTR"


SUPPORTED_TYPES = frozenset(t.value for t in RecordType)


@dataclass(frozen=True)
class Record:
    """One record as given: `name` "www", "@", "www.example.org." or a U-label name."""

    name: str
    rtype: str
    content: str
    ttl: int = DEFAULT_TTL
    line: int | None = None  # zone-file line, for error messages

    def shown(self) -> str:
        """The record as given ("www 3600 A 192.0.2.1"), without its line number."""
        if not self.rtype:  # a zone-file line that did not parse into a record
            return self.content.strip()
        name = self.name if self.name.strip() else "@"
        return f"{name} {self.ttl} {self.rtype} {self.content}".strip()

    def label(self) -> str:
        """The record with its line number, in English (the API's list of skipped lines;
        `Problem` says the line in the reader's language)."""
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.shown()}".strip()


@dataclass(frozen=True)
class ValidRecord:
    """A checked record: absolute lower-case A-label owner, canonical content."""

    name: str  # absolute, with final dot
    rtype: str
    content: str  # canonical presentation format, absolute names
    ttl: int
    line: int | None = field(default=None, compare=False)

    @functools.cached_property
    def owner(self) -> dns.name.Name:
        return dns.name.from_text(self.name)

    def rdata(self) -> dns.rdata.Rdata:
        # Parsed once: the zone rules read it several times (kept outside the dataclass
        # fields, so equality and hashing ignore it).
        cached = self.__dict__.get("_rdata")
        if cached is None:
            cached = dns.rdata.from_text(
                dns.rdataclass.IN, dns.rdatatype.from_text(self.rtype), self.content
            )
            object.__setattr__(self, "_rdata", cached)
        return cached

    def key(self) -> tuple[str, str]:
        return (self.name, self.rtype)


def to_changes(
    records: Iterable[ValidRecord], *, replace: Iterable[tuple[str, str]] = ()
) -> list[RRSetChange]:
    """Group records into RRset REPLACE changes (one PATCH); RRsets named in `replace` that get
    no record are deleted. The TTL of an RRset is its records' (validation made them equal)."""
    grouped: dict[tuple[str, str], list[ValidRecord]] = defaultdict(list)
    for record in records:
        grouped[record.key()].append(record)
    changes = [
        RRSetChange(name, rtype, group[0].ttl, tuple(dict.fromkeys(r.content for r in group)))
        for (name, rtype), group in grouped.items()
    ]
    for name, rtype in replace:
        if (name, rtype) not in grouped:
            changes.append(RRSetChange.delete(name, rtype))
    return changes
