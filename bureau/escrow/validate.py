"""What a row and its fields must be: shared by the writer (which refuses a bad row before it
is written) and the verifier (which finds it in a deposit made elsewhere)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import idna

from bureau.escrow.profiles import Profile
from bureau.escrow.rows import DomainRow

_LDH = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
# the common case in one match: lowercase LDH labels, no A-label to decode
_PLAIN_NAME = re.compile(r"(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
# a name is registered for at most 10 years (RFC 5731 §3.2.1 via registry policy); a day of
# slack for leap years and time zones
_MAX_AHEAD = dt.timedelta(days=3653 + 1)
_EARLIEST = dt.date(1985, 1, 1)  # the first domain names: earlier is a placeholder


def check_a_label(domain: str) -> str | None:
    """Why ``domain`` is not a lowercase A-label domain name, or None."""
    if _PLAIN_NAME.match(domain) and "xn--" not in domain:
        return None
    if not domain:
        return "empty domain name"
    if not domain.isascii():
        return f"domain {domain!r} is not ASCII: give the A-label (xn--...), not the U-label"
    if domain != domain.lower():
        return f"domain {domain!r} must be lowercase"
    labels = domain.split(".")
    if len(labels) < 2:
        return f"domain {domain!r} has no TLD"
    for label in labels:
        if not _LDH.match(label):
            return f"domain {domain!r}: label {label!r} is not letters, digits and hyphens"
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError as e:
                return f"domain {domain!r}: label {label!r} is not a valid A-label ({e})"
    return None


def check_expiry(expiry: dt.date | None, deposit_date: dt.date) -> str | None:
    """Why ``expiry`` cannot be a name's expiry in a deposit of ``deposit_date``, or None."""
    if expiry is None or expiry < _EARLIEST:
        return f"no expiry date ({expiry}): give the date the registry holds"
    if expiry > deposit_date + _MAX_AHEAD:
        return f"expiry {expiry} is more than 10 years after the deposit date"
    return None


def row_checker(profile: Profile, deposit_date: dt.date) -> Callable[[DomainRow], str | None]:
    """A function giving why a row cannot be deposited with ``profile`` (or None): domain not
    a lowercase A-label, no valid expiry, a required contact field empty."""
    required: list[tuple[str, str, str, bool]] = []  # header, role, attr, from underlying
    for col in profile.columns:
        if col.header in profile.required and "." in col.source:
            role, attr = col.source.split(".", 1)
            required.append((col.header, role, attr, col.underlying or col.prefer_underlying))

    def why(row: DomainRow) -> str | None:
        problem = check_a_label(row.domain) or check_expiry(row.expiry, deposit_date)
        if problem:
            return problem
        for header, role, attr, under in required:
            contact = (row.underlying.get(role) if under and row.underlying else None) \
                or getattr(row, role)
            if contact is None or not getattr(contact, attr):
                return f"required field {header} is empty (no {role} {attr})"
        return None

    return why
