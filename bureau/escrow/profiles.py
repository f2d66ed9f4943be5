"""Declarative deposit formats ("profiles"): which columns, prefixes, files, split rule.

Prefixes and field names live here as data, never in the writer or the verifier, because the
sources disagree (see docs/escrow.md for which source each profile follows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")

# Contact attributes, in column order, with the header suffix each one gets.
CONTACT_ATTRS: tuple[tuple[str, str], ...] = (
    ("name", "name"),
    ("org", "org"),
    ("street", "street"),
    ("city", "city"),
    ("state", "state"),
    ("postcode", "postcode"),
    ("country", "country"),
    ("email", "email"),
    ("voice", "voice"),
    ("fax", "fax"),
)


@dataclass(frozen=True, slots=True)
class SplitRule:
    """Start a new file before a record that would cross a limit; ``None`` means no limit.

    Lines are physical lines (a multi-line address counts each line); bytes are UTF-8 bytes of
    the uncompressed CSV. Files always end at a record end.
    """

    max_lines: int | None = None
    max_bytes: int | None = None
    max_records: int | None = None


@dataclass(frozen=True, slots=True)
class Column:
    """One CSV column. ``source`` is ``domain``, ``expiry``, ``nameservers``, ``iana``,
    ``handle`` (hdl file key) or ``<role>.<attr>`` / ``<role>.handle``; ``underlying`` takes the
    value from the privacy/proxy customer behind ``role``."""

    header: str
    source: str
    underlying: bool = False
    prefer_underlying: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    source: str
    columns: tuple[Column, ...]
    required: tuple[str, ...]
    split: SplitRule
    handle_columns: tuple[Column, ...] = ()
    compression: str = "gzip"
    kinds: tuple[str, ...] = ("full", "inc")
    expiry_format: str = "%Y-%m-%d"
    nameserver_separator: str = " "
    notes: tuple[str, ...] = field(default=())

    @property
    def handle_mode(self) -> bool:
        return bool(self.handle_columns)

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def handle_header(self) -> list[str]:
        return [c.header for c in self.handle_columns]

    def check(self) -> None:
        """Raise ValueError if the profile breaks the header naming rules (spec 4.1.13-14)."""
        for cols in (self.columns, self.handle_columns):
            seen: set[str] = set()
            for c in cols:
                if not HEADER_NAME.match(c.header):
                    raise ValueError(
                        f"profile {self.name}: header {c.header!r} must match "
                        "[A-Za-z][A-Za-z0-9_-]*"
                    )
                if c.header in seen:
                    raise ValueError(f"profile {self.name}: header {c.header!r} appears twice")
                seen.add(c.header)
        if self.columns[0].source != "domain":
            raise ValueError(f"profile {self.name}: the first column must be the domain")


def contact_columns(prefix: str, role: str, *, underlying: bool = False) -> tuple[Column, ...]:
    return tuple(
        Column(f"{prefix}{suffix}", f"{role}.{attr}", underlying=underlying)
        for attr, suffix in CONTACT_ATTRS
    )


# 2007 edition, prefixes as the source document gives them (4.1.14): rt- registrant,
# ct- administrative, cf- billing; the source names none for technical contacts: we use tc-.
# Underlying privacy/proxy customers get the same prefixes with a leading "p" (4.1.7).
# ``required`` lists the fields that may not be EMPTY; every column is in the header anyway.
# Name servers are one of the seven fields (4.1.8) but not required: a name without
# delegation is legitimate and its field is empty.
PREFIXES_2007 = {"registrant": "rt-", "admin": "ct-", "tech": "tc-", "billing": "cf-"}

_ROLES = ("registrant", "admin", "tech", "billing")
_DOMAIN_COLS = (
    Column("domain", "domain"),
    Column("nameservers", "nameservers"),
    Column("expiry", "expiry"),
)

_SPLIT_2007 = SplitRule(max_lines=1_000_000, max_bytes=1_000_000_000)

EDITION_2007 = Profile(
    name="2007",
    source="ICANN Registrar Data Escrow Specification (2007), French translation in "
    "sources/004; sections 4.1.1-4.1.21",
    columns=_DOMAIN_COLS
    + tuple(c for r in _ROLES for c in contact_columns(PREFIXES_2007[r], r))
    + tuple(
        c for r in _ROLES for c in contact_columns("p" + PREFIXES_2007[r], r, underlying=True)
    ),
    required=("domain", "expiry", "rt-name", "rt-street", "rt-country",
              "ct-name", "ct-email", "ct-voice", "tc-name", "tc-email", "tc-voice", "cf-name"),
    split=_SPLIT_2007,
)

EDITION_2007_HANDLES = Profile(
    name="2007-handles",
    source=EDITION_2007.source + " (handle file, 4.1.9)",
    columns=_DOMAIN_COLS
    + tuple(Column(f"{PREFIXES_2007[r]}handle", f"{r}.handle") for r in _ROLES)
    + tuple(
        Column(f"p{PREFIXES_2007[r]}handle", f"{r}.handle", underlying=True) for r in _ROLES
    ),
    handle_columns=(
        Column("handle", "handle"),
        *(Column(suffix, f"contact.{attr}") for attr, suffix in CONTACT_ATTRS),
    ),
    required=("domain", "expiry", "rt-handle", "ct-handle", "tc-handle",
              "cf-handle"),
    split=_SPLIT_2007,
    kinds=("full", "inc", "hdl"),
)

# 2024 edition as one open-source registrar generates it (DESIGN.md field notes): one
# denormalised row per domain, registrant inline (the real customer when behind a privacy
# service), billing contact name, no handle file. The split rule is NOT confirmed by any
# published text we could find: it is a setting.
EDITION_2024 = Profile(
    name="2024",
    source="2024 edition, header as generated by an open-source registrar (DESIGN.md field "
    "notes); ICANN's published text not found, see docs/escrow.md",
    columns=(
        Column("domain", "domain"),
        Column("expiration-date", "expiry"),
        Column("iana", "iana"),
        Column("rt-name", "registrant.name", prefer_underlying=True),
        Column("rt-street", "registrant.street", prefer_underlying=True),
        Column("rt-city", "registrant.city", prefer_underlying=True),
        Column("rt-state", "registrant.state", prefer_underlying=True),
        Column("rt-zip", "registrant.postcode", prefer_underlying=True),
        Column("rt-country", "registrant.country", prefer_underlying=True),
        Column("rt-phone", "registrant.voice", prefer_underlying=True),
        Column("rt-email", "registrant.email", prefer_underlying=True),
        Column("bc-name", "billing.name", prefer_underlying=True),
    ),
    required=("domain", "expiration-date", "iana", "rt-name", "rt-country"),
    split=SplitRule(max_records=100_000),
)

_ROLE_NAMES = {"registrant": "registrant", "admin": "administrative contact",
               "tech": "technical contact", "billing": "billing contact"}
_FIELD_NAMES = {"domain": "domain name (A-label)", "expiry": "expiration date",
                "nameservers": "name servers", "iana": "registrar's IANA ID",
                "handle": "contact handle"}


_ATTR_NAMES = {"name": "name", "org": "organisation", "street": "street address (one line "
               "per address line, CRLF between them)", "city": "city", "state": "state or "
               "province", "postcode": "postal code", "country": "country code (ISO 3166)",
               "email": "email address", "voice": "telephone number", "fax": "fax number",
               "handle": "contact handle (the key of the hdl file)"}


def abbreviations(profile: Profile) -> str:
    """The table of the abbreviations used in the header (4.1.15), with the header lines:
    produced with each deposit so that the agent can read every column."""
    prefixes: dict[str, str] = {}
    suffixes: dict[str, str] = {}
    for col in (*profile.columns, *profile.handle_columns):
        if "." not in col.source:
            continue
        role, attr = col.source.split(".", 1)
        if role == "contact":  # hdl file: no prefix
            suffixes.setdefault(col.header, _ATTR_NAMES[attr])
            continue
        prefix, _, suffix = col.header.partition("-")
        suffixes.setdefault(suffix, _ATTR_NAMES[attr])
        meaning = _ROLE_NAMES[role]
        if col.underlying:
            meaning = f"privacy/proxy customer behind the {meaning} (4.1.7)"
        elif col.prefer_underlying:
            meaning += " (the privacy/proxy customer's data when there is one)"
        prefixes.setdefault(prefix + "-", meaning)
    lines = [f"Registrar Data Escrow deposit, profile {profile.name} ({profile.source})", "",
             "Header of the domain files:", ",".join(profile.header)]
    if profile.handle_mode:
        lines += ["", "Header of the handle (hdl) files:", ",".join(profile.handle_header)]
    lines += ["", "Prefixes (4.1.14-4.1.15):"]
    lines += [f"  {p:<6} {m}" for p, m in prefixes.items()]
    lines += ["", "Field names after the prefix:"]
    lines += [f"  {suffix:<11} {m}" for suffix, m in suffixes.items()]
    lines += ["", "Other fields:"]
    lines += [f"  {c.header:<15} {_FIELD_NAMES[c.source]}"
              for c in (*profile.columns, *profile.handle_columns) if c.source in _FIELD_NAMES]
    return "\n".join(lines) + "\n"


PROFILES: dict[str, Profile] = {
    p.name: p for p in (EDITION_2007, EDITION_2007_HANDLES, EDITION_2024)
}

for _p in PROFILES.values():
    _p.check()


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown profile {name!r}: choose one of {', '.join(sorted(PROFILES))}"
        ) from None
