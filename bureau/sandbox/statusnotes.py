"""Free-text reasons of object statuses, kept and shown again (RFC 5731-5733 section 2.3:
`<domain:status s="clientHold" lang="en">Payment overdue.</domain:status>`).

Stored per object as JSON, status -> [text, lang], beside the space-separated statuses.
"""

from __future__ import annotations

import json

from bureau.sandbox.xmlio import Element, children, sub


def changed(stored: str | None, add: Element | None, removed: list[str], tag: str) -> str:
    """The stored reasons after an update adding the `tag` elements under `add` (with or
    without text) and removing the statuses `removed`."""
    reasons: dict[str, list[str]] = json.loads(stored or "{}")
    for value in removed:
        reasons.pop(value, None)
    for node in children(add, tag) if add is not None else ():
        note = " ".join((node.text or "").split())
        if note:
            reasons[node.get("s", "")] = [note, node.get("lang", "en")]
        else:
            reasons.pop(node.get("s", ""), None)
    return json.dumps(reasons)


def with_reason(stored: str | None, added: list[str], removed: list[str], reason: str) -> str:
    """The stored reasons after the registry adds `added` (all for `reason`) and removes
    `removed`."""
    reasons: dict[str, list[str]] = json.loads(stored or "{}")
    for value in removed:
        reasons.pop(value, None)
    for value in added:
        reasons[value] = [reason, "en"]
    return json.dumps(reasons)


def add_statuses(parent: Element, tag: str, statuses: list[str], stored: str | None) -> None:
    """`<x:status s="..."/>` elements with their reasons; 'ok' when there is none to show."""
    reasons: dict[str, list[str]] = json.loads(stored or "{}")
    for status in statuses or ["ok"]:
        note = reasons.get(status)
        if note:
            sub(parent, tag, note[0], {"s": status, "lang": note[1]})
        else:
            sub(parent, tag, attrs={"s": status})
