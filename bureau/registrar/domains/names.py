"""Domain names in and out: IDNA2008 A-labels are stored and sent, U-labels are shown.

A new name (registered, transferred in, searched) must also write each label in one script,
as IDNA2008 (RFC 5890 section 4.2.3) and the registries' IDN tables ask: `pаypal` with a
Cyrillic "а" looks like `paypal` and is refused. Digits, the hyphen and combining marks belong
to no script; Japanese (Han, Hiragana, Katakana), Korean (Hangul, Han) and Chinese with
Bopomofo are one table each, as in the registries' tables. A label in one script can still pass
for a Latin one when every letter has a Latin look-alike (Unicode UTS #39 "whole-script
confusables": Cyrillic `раураӏ` reads `paypal`): such a label is taken only under a TLD written
in its own script (`.рф` for Cyrillic), as browsers show it and registries' IDN tables allow.
Names Bureau already holds are not checked again: they stay manageable.
"""

from __future__ import annotations

import functools
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


# A name already in its A-label form with no IDN label: letters, digits and inner hyphens,
# none with hyphens in its third and fourth places (``xn--`` and the reserved forms).
_PLAIN_NAME = re.compile(r"(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                         r"(?:\.(?!..--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")


def to_a_label(name: str) -> str:
    """Return the lower-case A-label form of ``name`` (U-label or A-label), or explain why not.
    The input is mapped as UTS #46 says (``map_input``), then validated as IDNA2008."""
    if len(name) <= 253 and _PLAIN_NAME.fullmatch(name):
        return name  # what mapping and IDNA validation give, without their cost (RDAP's)
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
# Script names in the person's language (others keep Unicode's English name).
_SCRIPT_NAMES = {
    "Latn": _("Latin"), "Cyrl": _("Cyrillic"), "Grek": _("Greek"), "Armn": _("Armenian"),
    "Cher": _("Cherokee"), "Geor": _("Georgian"), "Arab": _("Arabic"), "Hebr": _("Hebrew"),
    "Hani": _("Han"), "Hira": _("Hiragana"), "Kana": _("Katakana"), "Hang": _("Hangul"),
    "Thai": _("Thai"), "Deva": _("Devanagari"), "Bopo": _("Bopomofo"),
}


def script_name(code: str) -> str:
    name = _SCRIPT_NAMES.get(code)
    return str(name) if name is not None else str(ucd.script_name(code))


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
    return sorted(script_name(code) for code in found)


def verify_one_script(a_label: str) -> None:
    """Refuse a name one of whose labels mixes scripts; the message names the label and the
    scripts found in it."""
    u_label = to_u_label(a_label)
    if u_label.isascii():  # Latin letters, and digits and signs common to every script
        return
    for label in u_label.split("."):
        scripts = mixed_scripts(label)
        if scripts:
            raise ValidationError(
                _("“%(label)s” mixes scripts (%(scripts)s): write each part of the name in "
                  "one script, as registries require, so that it cannot pass for another "
                  "name."),
                code="mixed_scripts",
                params={"label": label, "scripts": ", ".join(scripts)},
            )


@functools.cache
def _latin_look_alike(char: str) -> bool:
    """The character looks like a letter or digit of a Latin domain name (ASCII), according
    to Unicode's confusables (UTS #39)."""
    # Imported on first use: the package loads its whole table (about 0.2 s) at import.
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, preferred_aliases=["latin"]) or []
    return any(glyph["c"].isascii() and glyph["c"].isalnum()
               for each in found for glyph in each["homoglyphs"])


def label_script(u_label: str) -> str | None:
    """The one script (ISO 15924 code) the letters of ``u_label`` are written in, if one."""
    found = {ucd.script(char) for char in u_label} - _NO_SCRIPT
    return found.pop() if len(found) == 1 else None


def latin_look_alike(u_label: str) -> str | None:
    """The script's name when ``u_label`` is a whole-script confusable of a Latin label: in one
    script other than Latin, every letter looking like a Latin one. None otherwise."""
    script = label_script(u_label)
    if script in (None, "Latn"):
        return None
    letters = [char for char in u_label if ucd.script(char) not in _NO_SCRIPT]
    if all(_latin_look_alike(char) for char in letters):
        return script_name(script)
    return None


def verify_not_look_alike(a_label: str) -> None:
    """Refuse a label that passes for a Latin one under a TLD not written in its script."""
    *labels, tld = to_u_label(a_label).split(".")
    tld_script = label_script(tld)
    for label in labels:
        script = latin_look_alike(label)
        if script is not None and label_script(label) != tld_script:
            raise ValidationError(
                _("“%(label)s” is written in %(script)s letters that all look like Latin "
                  "ones: under .%(tld)s it would pass for a name in Latin letters. Write it in "
                  "Latin letters, or choose a name with letters of its own script."),
                code="look_alike",
                params={"label": label, "script": script, "tld": tld},
            )


def to_new_a_label(name: str) -> str:
    """``to_a_label`` for a name entering Bureau (registered, transferred in, searched):
    each label in one script, and none passing for a Latin label."""
    a_label = to_a_label(name)
    verify_one_script(a_label)
    verify_not_look_alike(a_label)
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
