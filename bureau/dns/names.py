"""Owner names: what a person types (relative, "@", U-label) to a checked absolute A-label name.

Bureau stores and sends A-labels and shows U-labels (IDNA2008 with UTS #46 mapping, via `idna`).
Service labels (`_dmarc`, `_443._tcp`) and a leading wildcard `*` are allowed in owner names;
everything else must be a letter-digit-hyphen label or a valid internationalised label.
"""

from __future__ import annotations

import re

import dns.name
import idna
from django.utils.translation import gettext as _

MAX_LABEL = 63
MAX_NAME = 253  # presentation form without the final dot (255 octets on the wire)
_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")


class InvalidName(ValueError):
    """The name cannot be used; the message says which label and what to change, in the
    active language (messages are made when the name is checked)."""


def typed(value: object) -> str:
    """What a person typed, quoted in a message: 'www' in English (as Python writes it), « www »
    in French. Text that Python escapes to show it (a backslash, a quote) keeps Python's own
    quoting, which shows every character."""
    shown = repr(value)
    if isinstance(value, str) and shown == f"'{value}'":
        # Translators: a value as the person typed it, quoted (in French: « %(text)s »).
        return _("'%(text)s'") % {"text": value}
    return shown


def to_a_label(label: str) -> str:
    """One label to its lower-case A-label form, or InvalidName saying what is wrong."""
    if label == "":
        raise InvalidName(_("empty label (two dots in a row, or a dot at the start)"))
    if label.isascii():
        lower = label.lower()
        if lower.startswith("xn--"):
            try:
                idna.decode(lower)
            except idna.IDNAError as exc:
                raise InvalidName(_("label %(label)s is not a valid A-label (%(error)s)")
                                  % {"label": typed(label), "error": exc}) from exc
        elif len(lower) > 3 and lower[2:4] == "--":
            raise InvalidName(
                _("label %(label)s has '--' in 3rd and 4th position, reserved for A-labels")
                % {"label": typed(label)}
            )
        if not _ASCII_LABEL.match(lower):
            raise InvalidName(
                _("label %(label)s may only contain letters a-z, digits, '-' and '_', "
                  "and may not start or end with '-'") % {"label": typed(label)}
            )
        if len(lower) > MAX_LABEL:
            raise InvalidName(_("label %(label)s is %(length)s characters long (max %(max)s)")
                              % {"label": typed(label), "length": len(lower), "max": MAX_LABEL})
        return lower
    try:
        encoded = idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidName(
            _("label %(label)s is not a valid internationalised label (%(error)s)")
            % {"label": typed(label), "error": exc}
        ) from exc
    if len(encoded) > MAX_LABEL:
        raise InvalidName(
            _("label %(label)s is %(length)s characters long as A-label %(a_label)s "
              "(max %(max)s)")
            % {"label": typed(label), "length": len(encoded), "a_label": encoded,
               "max": MAX_LABEL}
        )
    return encoded


def zone_name(text: str) -> dns.name.Name:
    """A zone's name ("example.org", "exemple.fr", "例え.jp") as an absolute dnspython name."""
    text = text.strip().rstrip(".")
    if not text:
        raise InvalidName(_("the zone name is empty"))
    labels = [to_a_label(label) for label in text.split(".")]
    for label in labels:
        if label.startswith("_") or label == "*":
            raise InvalidName(_("label %(label)s is not allowed in a zone name")
                              % {"label": typed(label)})
    return _make(labels)


def owner_name(text: str, zone: dns.name.Name) -> dns.name.Name:
    """A record's owner as typed in a form, made absolute in `zone`.

    "" and "@" are the apex; "www" is relative; "www.example.org." is absolute and must be in
    the zone; "www.example.org" (no final dot) is taken as absolute when it ends with the zone's
    name, because that is what people mean in a form. U-labels are converted to A-labels.
    """
    raw = text.strip()
    if raw in ("", "@"):
        return zone
    zone_text = zone.to_text(omit_final_dot=True)
    absolute = raw.endswith(".")
    labels_text = raw.rstrip(".").split(".")
    labels = [_owner_label(label, i) for i, label in enumerate(labels_text)]
    if absolute:
        name = _make(labels)
    else:
        candidate = ".".join(labels)
        if candidate == zone_text or candidate.endswith("." + zone_text):
            name = _make(labels)
        else:
            name = _make(labels + list(_labels(zone)))
    if not name.is_subdomain(zone):
        raise InvalidName(
            _("%(name)s is outside the zone %(zone)s: use a name ending in %(ending)s or a "
              "relative name such as 'www'")
            % {"name": name.to_text(), "zone": zone.to_text(), "ending": zone_text}
        )
    return name


def _owner_label(label: str, position: int) -> str:
    if label == "*":
        if position != 0:
            raise InvalidName(_("a wildcard '*' is only allowed as the leftmost label"))
        return label
    return to_a_label(label)


def _labels(name: dns.name.Name) -> tuple[str, ...]:
    return tuple(label.decode("ascii") for label in name.labels if label)


def _make(labels: list[str]) -> dns.name.Name:
    text = ".".join(labels)
    if len(text) > MAX_NAME:
        raise InvalidName(_("the name is %(length)s characters long (max %(max)s)")
                          % {"length": len(text), "max": MAX_NAME})
    return dns.name.from_text(text + ".")


def to_unicode(name: dns.name.Name | str) -> str:
    """For display: A-labels back to U-labels (labels that do not decode are shown as is)."""
    text = name.to_text(omit_final_dot=True) if isinstance(name, dns.name.Name) else name
    out = []
    for label in text.rstrip(".").split("."):
        try:
            out.append(idna.decode(label) if label.startswith("xn--") else label)
        except idna.IDNAError:
            out.append(label)
    return ".".join(out)
