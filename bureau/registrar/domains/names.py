"""Domain names in and out: IDNA2008 A-labels are stored and sent, U-labels are shown.

A new name (registered, transferred in, searched) must also write each label in one script,
as IDNA2008 (RFC 5890 section 4.2.3) and the registries' IDN tables ask: `pаypal` with a
Cyrillic "а" looks like `paypal` and is refused. Digits, the hyphen and combining marks belong
to no script; Japanese (Han, Hiragana, Katakana), Korean (Hangul, Han) and Chinese with
Bopomofo are one table each, as in the registries' tables. Names Bureau already holds are not
checked again: they stay manageable.
"""

from __future__ import annotations

from collections.abc import Iterable

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from fontTools import unicodedata as ucd


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


# Scripts that registries' IDN tables allow together in one label (ISO 15924 codes).
_TABLES = [frozenset({"Hani", "Hira", "Kana"}), frozenset({"Hang", "Hani"}),
           frozenset({"Hani", "Bopo"})]
_NO_SCRIPT = frozenset({"Zyyy", "Zinh", "Zzzz"})  # common, inherited, unknown


def _fits(scripts_per_char: list[frozenset[str]], table: Iterable[str]) -> bool:
    allowed = set(table)
    return all(scripts & allowed for scripts in scripts_per_char)


def mixed_scripts(u_label: str) -> list[str] | None:
    """The scripts of ``u_label`` (names, for a message) when no single script or IDN table
    covers every character; None when the label is in one script."""
    per_char = []
    for char in u_label:
        scripts = frozenset(ucd.script_extension(char)) - _NO_SCRIPT
        if scripts:
            per_char.append(scripts)
    candidates = [{script} for scripts in per_char for script in scripts] + _TABLES
    if not per_char or any(_fits(per_char, table) for table in candidates):
        return None
    found = {ucd.script(char) for char in u_label} - _NO_SCRIPT
    return sorted(ucd.script_name(code) for code in found)


def verify_one_script(a_label: str) -> None:
    """Refuse a name one of whose labels mixes scripts; the message names the label and the
    scripts found in it."""
    for label in to_u_label(a_label).split("."):
        scripts = mixed_scripts(label)
        if scripts:
            raise ValidationError(
                _("“%(label)s” mixes scripts (%(scripts)s): write each part of the name in "
                  "one script, as registries require, so that it cannot pass for another "
                  "name."),
                code="mixed_scripts",
                params={"label": label, "scripts": ", ".join(scripts)},
            )


def to_new_a_label(name: str) -> str:
    """``to_a_label`` for a name entering Bureau (registered, transferred in, searched):
    each label in one script too."""
    a_label = to_a_label(name)
    verify_one_script(a_label)
    return a_label


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
