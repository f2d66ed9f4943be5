"""Domain and host name syntax: A-labels on the wire, U-labels only for display."""

from __future__ import annotations

import re

import idna

from bureau.sandbox.errors import EppError

_LDH = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise(name: str, what: str = "domain name") -> str:
    """Lower-case, checked A-label form of `name`; EppError(2005) saying what is wrong."""
    value = name.strip().lower()
    if value.endswith("."):
        raise EppError(2005, f"{what} {name!r} must not end with a dot (RFC 5731 2.1,"
                             " RFC 5732 2.1)")
    if not value.isascii():
        raise EppError(2005, f"{what} {name!r} must be sent as A-labels (xn--...), not Unicode")
    if len(value) > 253 or "." not in value:
        raise EppError(2005, f"{what} {name!r} must have at least two labels, 253 chars at most")
    for label in value.split("."):
        if not _LDH.match(label):
            raise EppError(2005, f"label {label!r} of {what} {name!r} is not a valid LDH label")
        if label[2:4] == "--" and not label.startswith("xn--"):
            raise EppError(2005, f"label {label!r}: '--' in positions 3-4 is reserved")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError as exc:
                raise EppError(2005, f"label {label!r} is not a valid A-label: {exc}") from None
    return value


def ulabel(name: str) -> str | None:
    """The Unicode form of a name holding A-labels, None when it is plain ASCII."""
    if "xn--" not in name:
        return None
    return ".".join(idna.decode(label) if label.startswith("xn--") else label
                    for label in name.split("."))


def alabel(unicode_name: str) -> str:
    return ".".join(idna.encode(label).decode() for label in unicode_name.split("."))


def split(name: str) -> tuple[str, str]:
    """('label', 'tld') for a second-level name; the tld may contain dots for deeper names."""
    label, _, tld = name.partition(".")
    return label, tld
