"""Bureau's own messages (its gettext catalogues, bureau/*/locale/fr), to find the ones a
French page shows untranslated: the English text of every translated message, cut at its
placeholders and markup into fragments of a few words, each of which must not appear on a
French page."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r'^(#, [^\n]*\n)?msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n)+)', re.M)
# Placeholders and markup split a message: what is between them is said as is.
CUT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]*>|[“”\"«»():;]|\s—\s|\.\s")
# Fragments that French pages use too, on purpose (product and protocol names).
SAME_IN_FRENCH = frozenset({"ns1.example.net", "Bureau DNS"})


def unquote(lines: str) -> str:
    return "".join(ast.literal_eval(line) for line in lines.splitlines())


@functools.cache
def english_fragments(min_words: int = 3) -> tuple[str, ...]:
    """Fragments of ``min_words`` words or more of the English text of Bureau's translated
    messages whose French differs."""
    found: set[str] = set()
    for po in sorted(ROOT.glob("bureau/*/locale/fr/LC_MESSAGES/django.po")):
        for flags, msgid, msgstr in ENTRY.findall(po.read_text(encoding="utf-8")):
            english, french = unquote(msgid), unquote(msgstr)
            if not english or not french or english == french or "fuzzy" in flags:
                continue
            for piece in CUT.split(english):
                piece = " ".join(piece.split()).strip(" ,.!?")
                if len(piece.split()) >= min_words and piece not in french \
                        and piece not in SAME_IN_FRENCH:
                    found.add(piece)
    return tuple(sorted(found, key=len, reverse=True))


def untranslated(text: str) -> list[str]:
    """The English fragments of Bureau's messages found in ``text`` (a French page)."""
    flat = " ".join(text.split())
    return [f for f in english_fragments() if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", flat)]
