"""The memos Bureau writes on ledger journals, said again in the reader's language.

A memo is stored as its writer put it (the site's language for card, direct-debit, transfer
and payout memos; English for order refunds and share payments) and stays so for the API, the
admin and the accounting export. A page reads it back: a known form, in any of the site's
languages, is said again in the page's language with its parameters; any other text (a
person's own words, a registry's message, a memo older than these forms) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import cache

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bureau.registrar.domains.models import Operation

# What each parameter of a written form may hold (a bank reference or an id has no space).
PARAMS = {"id": r"\S+", "ref": r"\S+", "date": r"\d{4}-\d{2}-\d{2}", "what": r"\w+",
          "reason": r"[^()]*", "organisation": r".+", "number": r"\d+"}


def _day(text: str) -> str:
    try:
        return str(formats.date_format(date.fromisoformat(text), "DATE_FORMAT"))
    except ValueError:
        return text


def _card_reversed(p: dict[str, str]) -> str:
    if p["what"] == "refunded":
        return _("Card payment %(id)s refunded") % p
    if p["what"] == "disputed":
        return _("Card payment %(id)s disputed") % p
    raise KeyError(p["what"])


# The forms the payments operations write through gettext (so in the site's language), most
# specific first, and how a page says each.
WRITTEN: list[tuple[str, Callable[[dict[str, str]], str]]] = [
    (gettext_noop("Card payment %(id)s %(what)s"), _card_reversed),
    (gettext_noop("Card payment %(id)s"), lambda p: _("Card payment %(id)s") % p),
    (gettext_noop("Direct debit %(ref)s returned (%(reason)s)"),
     lambda p: _("Direct debit %(ref)s returned (%(reason)s)") % p),
    (gettext_noop("Direct debit %(ref)s of %(date)s"),
     lambda p: _("Direct debit %(ref)s of %(date)s") % {**p, "date": _day(p["date"])}),
    (gettext_noop("Bank transfer of %(date)s, bank reference %(ref)s"),
     lambda p: _("Bank transfer of %(date)s, bank reference %(ref)s")
     % {**p, "date": _day(p["date"])}),
    (gettext_noop("Balance paid back: %(organisation)s"),
     lambda p: _("Balance paid back: %(organisation)s") % p),
    (gettext_noop("Shares paid back: member number %(number)s"),
     lambda p: _("Shares paid back: member number %(number)s") % p),
]


def _pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"%\((\w+)\)s", template)
    # split alternates literal text and parameter names
    return re.compile("".join(re.escape(piece) if i % 2 == 0 else
                              f"(?P<{piece}>{PARAMS.get(piece, '.+?')})"
                              for i, piece in enumerate(pieces)))


@cache
def _written() -> list[tuple[re.Pattern[str], Callable[[dict[str, str]], str]]]:
    patterns = []
    for template, say in WRITTEN:
        forms = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                forms.add(_(template))
        patterns += [(_pattern(form), say) for form in sorted(forms)]
    return patterns


TRANSFER_ENDED = {
    "clientRejected": gettext_noop("transfer refused by the current registrar"),
    "clientCancelled": gettext_noop("transfer cancelled"),
    "serverCancelled": gettext_noop("transfer cancelled by the registry"),
}


def _grace(m: re.Match[str]) -> str:
    code = m.group("operation")
    label = Operation(code).label if code in Operation.values else code
    return _("deleted within the grace period of its %(operation)s: credited back by the "
             "registry") % {"operation": str(label).lower()}


def _transfer(m: re.Match[str]) -> str:
    status = m.group("status")
    return _(TRANSFER_ENDED[status]) if status in TRANSFER_ENDED else m.group(0)


# The forms written in English (the registrar's order messages when an order is credited
# back, the cooperative's share payments).
ENGLISH: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"deleted within the (?P<operation>.+) grace period: credited by the "
                r"registry"), _grace),
    (re.compile(r"the registry could not be reached, nothing was sent: .*", re.S),
     lambda m: _("the registry could not be reached: nothing was sent")),
    (re.compile(r"the registry did not carry it out \(info\)"),
     lambda m: _("the registry did not carry it out")),
    (re.compile(r"transfer (?P<status>\w+)"), _transfer),
    (re.compile(r"Member #(?P<number>\d+): (?P<how>.*)", re.S),
     lambda m: _("Member number %(number)s: %(how)s") % {
         "number": m.group("number"), "how": memo_text(m.group("how"))}),
    (re.compile(r"demo funds"), lambda m: _("demo funds")),
]
# A payout's memo: its text, then the transfer's end-to-end reference.
PAYOUT = re.compile(r"(?P<text>.+) \((?P<ref>BUREAU-RF-[0-9A-F]+)\)", re.S)


def memo_text(memo: str) -> str:
    """A journal's memo in the reader's language when Bureau wrote it in a known form;
    otherwise as written."""
    text = str(memo or "")
    payout = PAYOUT.fullmatch(text)
    if payout:
        said = memo_text(payout.group("text"))
        return f"{said} ({payout.group('ref')})"
    for pattern, say_match in ENGLISH:
        found = pattern.fullmatch(text)
        if found:
            return say_match(found)
    for written, say in _written():
        found = written.fullmatch(text)
        if found:
            try:
                return say(found.groupdict())
            except (KeyError, ValueError):
                return text
    return text
