"""Domain names in and out: IDNA2008 A-labels are stored and sent, U-labels are shown."""

from __future__ import annotations

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def to_a_label(name: str) -> str:
    """Return the lower-case A-label form of ``name`` (U-label or A-label), or explain why not."""
    cleaned = name.strip().rstrip(".").lower()
    if not cleaned or "." not in cleaned:
        raise ValidationError(
            _("“%(name)s” is not a full domain name: write the name and its extension, "
              "for example exemple.coop."),
            code="not_a_domain",
            params={"name": name},
        )
    try:
        return idna.encode(cleaned, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValidationError(
            _("“%(name)s” cannot be a domain name: %(reason)s"),
            code="invalid_idn",
            params={"name": name, "reason": str(exc)},
        ) from exc


def to_u_label(a_label: str) -> str:
    """The name as people read it; an A-label that does not decode is shown as it is."""
    if a_label.isascii() and "xn--" not in a_label and a_label == a_label.lower():
        return a_label  # what IDNA decoding would give, without its cost (lists call this a lot)
    try:
        return idna.decode(a_label)
    except idna.IDNAError:
        return a_label


def split_tld(a_label: str) -> tuple[str, str]:
    """('exemple', 'coop') for 'exemple.coop'; the TLD is the last label."""
    label, _dot, tld = a_label.rpartition(".")
    return label, tld
