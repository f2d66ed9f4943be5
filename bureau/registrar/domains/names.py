"""Domain names in and out: IDNA2008 A-labels are stored and sent, U-labels are shown.

A new name (registered, transferred in, searched) must also write each label in one script,
as IDNA2008 (RFC 5890 section 4.2.3) and the registries' IDN tables ask: `pаypal` with a
Cyrillic "а" looks like `paypal` and is refused. Digits, the hyphen and combining marks belong
to no script; Japanese (Han, Hiragana, Katakana), Korean (Hangul, Han) and Chinese with
Bopomofo are one table each, as in the registries' tables. Names Bureau already holds are not
checked again: they stay manageable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from fontTools import unicodedata as ucd


def map_input(text: str) -> str:
    """What a person typed, mapped as UTS #46 does before IDNA2008: case folded, width and
    compatibility forms mapped, and the full stops of other scripts (。．｡) made dots. Text
    UTS #46 refuses is returned as typed, for the validation to explain."""
    text = text.strip()
    try:
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError):
        return text.lower()


# What the idna library says, in words people read in their language (its own text is English).
_IDNA_REASONS = [
    (re.compile(r"Codepoint (U\+[0-9A-F]+) at position (\d+) of '(.*)'"),
     _("the character %(char)s (%(code)s, character %(position)s of “%(label)s”) is not "
       "allowed in a domain name")),
    (re.compile(r"Label too long"), _("a part of the name is longer than 63 characters")),
    (re.compile(r"Domain too long"), _("the name is longer than 253 characters")),
    (re.compile(r"Empty [Ll]abel|Empty domain"), _("a part of the name is empty (two dots "
                                                   "in a row?)")),
    (re.compile(r"start or end with a hyphen|end with a hyphen"),
     _("a part of the name starts or ends with a hyphen")),
    (re.compile(r"hyphens in 3rd and 4th position"),
     _("a part of the name has hyphens in its 3rd and 4th characters, which only encoded "
       "names (xn--) may have")),
    (re.compile(r"A-label|Punycode"), _("a part starting with xn-- is not a valid encoded "
                                        "name")),
    (re.compile(r"combining character"), _("a part of the name starts with a combining "
                                           "mark")),
    (re.compile(r"direction|numeral types"),
     _("a part of the name mixes right-to-left and left-to-right writing in a way IDNA "
       "forbids")),
]


def idna_reason(exc: Exception) -> str:
    """Why the idna library refused a name, translated; never its English text."""
    message = str(exc)
    for pattern, reason in _IDNA_REASONS:
        match = pattern.search(message)
        if match is None:
            continue
        if match.groups():  # idna counts characters from 1
            code, position, label = match.groups()
            return str(reason) % {"char": chr(int(code[2:], 16)), "code": code,
                                  "position": position, "label": label}
        return str(reason)
    return str(_("it does not follow the rules of internationalised domain names (IDNA2008)"))


def to_a_label(name: str) -> str:
    """Return the lower-case A-label form of ``name`` (U-label or A-label), or explain why not.
    The input is mapped as UTS #46 says (``map_input``), then validated as IDNA2008."""
    cleaned = map_input(name).rstrip(".")
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
            params={"name": name, "reason": idna_reason(exc)},
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
