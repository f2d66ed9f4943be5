"""Text that may be sent to a registry (EPP, XML), to PowerDNS or printed in a PDF.

XML 1.0 cannot carry most control characters, lone surrogates or U+FFFE/U+FFFF, and lxml
refuses to build a frame holding one; the other control characters (DEL, C1) and the
non-characters are never typed on purpose and print as garbage. Every field that reaches a
registry, PowerDNS or a PDF refuses them here, with the character and where it is, so that
the person can type the text again; nothing already stored is changed.

Tab, line feed and carriage return are allowed only in fields of several lines (a street).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_NEVER = (
    "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls but tab, line feed, carriage return
    "\x7f-\x9f"  # DEL and the C1 controls
    "\ud800-\udfff"  # surrogates: only ever alone in a str
    "\ufdd0-\ufdef\ufffe\uffff"  # non-characters of the basic plane
)
_ONE_LINE = re.compile(f"[{_NEVER}\t\n\r]")
_SEVERAL_LINES = re.compile(f"[{_NEVER}]")
_PLANE_END = re.compile("[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
                        "\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]")


def forbidden_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first character that ``text`` may not hold (its position from 1, the character),
    or None. ``multiline`` allows tab, line feed and carriage return."""
    match = (_SEVERAL_LINES if multiline else _ONE_LINE).search(text) or _PLANE_END.search(text)
    return None if match is None else (match.start() + 1, match.group())


_CONTROL_NAMES = {"\x00": "NULL", "\t": "TAB", "\n": "LINE FEED", "\x0b": "LINE TABULATION",
                  "\x0c": "FORM FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE",
                  "\x7f": "DELETE"}


def describe(char: str) -> str:
    """U+001B (ESCAPE): what people can look up, since the character itself does not show."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


@deconstructible
class PrintableText:
    """Validator: refuse control characters, lone surrogates and non-characters."""

    code = "forbidden_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        found = forbidden_character(value, multiline=self.multiline)
        if found is None:
            return
        position, char = found
        if char in "\t\n\r":
            message = _("Write this on one line: it holds a line break or a tab (character "
                        "%(position)s).")
        else:
            message = _("This holds an invisible control character, %(character)s, at "
                        "character %(position)s: type the text again without it.")
        raise ValidationError(message, code=self.code,
                              params={"position": position, "character": describe(char)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrintableText) and other.multiline == self.multiline


printable_text = PrintableText()
printable_lines = PrintableText(multiline=True)


def check_fields(instance: Any, fields: Iterable[str], *,
                 multiline: Iterable[str] = ()) -> None:
    """Run the check on some text attributes of a model instance (in its ``clean``), raising
    one ValidationError with an error per field at fault."""
    several = set(multiline)
    errors: dict[str, ValidationError] = {}
    for field in [*fields, *several]:
        try:
            (printable_lines if field in several else printable_text)(getattr(instance, field))
        except ValidationError as exc:
            errors[field] = exc
    if errors:
        raise ValidationError(errors)


# Bounds of the integers people send: ids are the database's bigint, money fits it with room.
MAX_ID = 2**63 - 1
MAX_CENTS = 10**12
