"""What the DNS app stores in English (the summaries of a zone's history, the problems of a
health check, the built-in templates' names), said again in the reader's language when a page
shows it. The stored English stays as it is for the API, the admin and the logs; a text this
module does not know (a summary a member wrote, a staff-made template) is shown as written."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import RolloverStep


def known(text: str) -> str:
    """A built-in template's name, description or parameter label in the reader's language
    (bureau/dns/presets.py marks them for translation); any other text as written."""
    return _(text) if text else ""


# --- health problems ----------------------------------------------------------------------

def _delegation_mismatch(p: Mapping[str, str]) -> str:
    parts = []
    if p.get("add"):
        parts.append(_("add %(names)s") % {"names": p["add"]})
    if p.get("remove"):
        parts.append(_("remove %(names)s") % {"names": p["remove"]})
    return _("The name servers of %(zone)s at the registry differ from the hosting ones: "
             "%(changes)s at the registry.") % {"zone": p["zone"],
                                                 "changes": _(" and ").join(parts)}


def _lame_not_serving(p: Mapping[str, str]) -> str:
    answer = _("authoritative") if p.get("authoritative") else _("not authoritative")
    return _("%(who)s is listed for %(zone)s but does not serve it (rcode %(rcode)s, "
             "%(answer)s): add the zone on that server or remove it from the NS.") % {
        **p, "answer": answer}


HEALTH: dict[str, Callable[[Mapping[str, str]], str]] = {
    "delegation-missing": lambda p: _(
        "%(zone)s has no name servers at the registry: the zone is not reachable; set "
        "%(hosted)s at the registry.") % p,
    "delegation-mismatch": _delegation_mismatch,
    "ds-without-dnskey": lambda p: _(
        "%(zone)s has DS records at the registry but the zone is not signed: validating "
        "resolvers will fail to resolve it; remove the DS or sign the zone.") % p,
    "ds-missing": lambda p: _(
        "%(zone)s is signed but has no DS at the registry: DNSSEC is not in force; send the "
        "DS to the registry.") % p,
    "ds-stale": lambda p: _(
        "The DS %(ds)s at the registry matches no key of %(zone)s: remove it at the "
        "registry.") % p,
    "ds-mismatch": lambda p: _(
        "No DS at the registry matches the keys of %(zone)s: validating resolvers will fail "
        "to resolve it; send the current DS to the registry now.") % p,
    "lame": lambda p: _("%(who)s does not answer for %(zone)s: %(error)s") % p,
    "lame-not-serving": _lame_not_serving,
    "serial-behind": lambda p: _(
        "%(who)s serves serial %(serial)s of %(zone)s, the current one is %(current)s: the "
        "secondary did not transfer the last change.") % p,
    "secondary-silent": lambda p: _(
        "The secondary %(who)s does not answer for %(zone)s (current serial %(current)s): "
        "check that the server runs, that it is a consumer of Bureau's catalog, and that it "
        "reaches the primary at %(primary)s.") % p,
    "secondary-behind": lambda p: _(
        "The secondary %(who)s serves serial %(serial)s of %(zone)s, the current one is "
        "%(current)s: a NOTIFY and a transfer did not bring it up to date; check that it "
        "reaches the primary at %(primary)s and holds Bureau's transfer key (bureau "
        "dns_secondaries sync copies it).") % p,
    "primary": lambda p: _("PowerDNS does not answer: %(error)s") % p,
    "delegated-elsewhere": lambda p: _(
        "%(zone)s is delegated to %(delegated)s at the registry, not to Bureau's name "
        "servers: the zone Bureau hosts is not in use, and Bureau's DS stays off the registry "
        "while it is so. To use it, set %(hosted)s as the name's name servers (Bureau's DS "
        "goes with them); otherwise stop hosting it here.") % p,
}


def health_text(problem: Mapping[str, Any]) -> str:
    """One stored problem of a health check (code, message, params) in the reader's
    language; a check stored before its params were (or an unknown code) as stored."""
    params = problem.get("params") or {}
    say = HEALTH.get(str(params.get("text") or problem.get("code") or ""))
    if say is None or not params:
        return str(problem.get("message", ""))
    try:
        return say(params)
    except (KeyError, TypeError, ValueError):
        return str(problem.get("message", ""))


# --- the history's summaries --------------------------------------------------------------

def _n(m: re.Match[str]) -> dict[str, int]:
    return {"n": int(m.group("n"))}


def _edit(m: re.Match[str]) -> str:
    parts = []
    found = m.groupdict()
    if found.get("added"):
        n = int(found["added"])
        parts.append(ngettext("%(n)s added", "%(n)s added", n) % {"n": n})
    if found.get("removed"):
        n = int(found["removed"])
        parts.append(ngettext("%(n)s removed", "%(n)s removed", n) % {"n": n})
    return ", ".join(parts)


def _rollover(m: re.Match[str]) -> str:
    step = m.group("step")
    label = RolloverStep(step).label if step in RolloverStep.values else step
    return _("Key rollover: %(step)s") % {"step": label}


SUMMARIES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"zone created \((?P<n>\d+) records\)"),
     lambda m: ngettext("zone created (%(n)s record)", "zone created (%(n)s records)",
                        _n(m)["n"]) % _n(m)),
    (re.compile(r"(?P<added>\d+) added(?:, (?P<removed>\d+) removed)?"), _edit),
    (re.compile(r"(?P<removed>\d+) removed"), _edit),
    (re.compile(r"no change"), lambda m: _("no change")),
    (re.compile(r"template “(?P<name>.*)” applied"),
     lambda m: _("template “%(name)s” applied") % {"name": known(m.group("name"))}),
    (re.compile(r"template “(?P<name>.*)” removed"),
     lambda m: _("template “%(name)s” removed") % {"name": known(m.group("name"))}),
    (re.compile(r"zone file imported: (?P<n>\d+) records"),
     lambda m: ngettext("zone file imported: %(n)s record",
                        "zone file imported: %(n)s records", _n(m)["n"]) % _n(m)),
    (re.compile(r"expired: the zone answers the parking page only"),
     lambda m: _("expired: the zone answers the parking page only")),
    (re.compile(r"renewed: the zone answers its own records again"),
     lambda m: _("renewed: the zone answers its own records again")),
    (re.compile(r"PowerDNS differed from Bureau: (?P<n>\d+) RRsets re-sent"),
     lambda m: ngettext("PowerDNS differed from Bureau: %(n)s RRset sent again",
                        "PowerDNS differed from Bureau: %(n)s RRsets sent again", _n(m)["n"])
     % _n(m)),
    (re.compile(r"key rollover started: new key (?P<key>\d+) published"),
     lambda m: _("key rollover started: new key %(key)s published") % m.groupdict()),
    (re.compile(r"key rollover: (?P<step>[\w-]+)"), _rollover),
    (re.compile(r"DNSSEC being turned off: DS removed first, keys after"),
     lambda m: _("DNSSEC being turned off: the DS is removed first, the keys after")),
    (re.compile(r"DNSSEC turned off: the DS is gone, the keys are deleted"),
     lambda m: _("DNSSEC turned off: the DS is gone, the keys are deleted")),
    (re.compile(r"RRsets replaced: (?P<sets>.*)"),
     lambda m: _("RRsets replaced: %(sets)s") % m.groupdict()),
    (re.compile(r"ACME credential (?P<key>\S+) created for (?P<name>\S+)"),
     lambda m: _("ACME credential %(key)s created for %(name)s") % m.groupdict()),
    (re.compile(r"ACME credential (?P<key>\S+) revoked"),
     lambda m: _("ACME credential %(key)s revoked") % m.groupdict()),
    (re.compile(r"(?P<name>\S+) TXT with ACME credential (?P<key>\S+): added (?P<added>\d+), "
                r"removed (?P<removed>\d+)"),
     lambda m: _("%(name)s TXT with ACME credential %(key)s: %(added)s added, %(removed)s "
                 "removed") % m.groupdict()),
    (re.compile(r"(?P<name>\S+) was transferred to another registrar: the zone is still "
                r"served; give its DS to the new registrar"),
     lambda m: _("%(name)s was transferred to another registrar: the zone is still served; "
                 "give its DS to the new registrar") % m.groupdict()),
    (re.compile(r"(?P<name>\S+), bundled with (?P<other>\S+), was transferred to another "
                r"registrar: the zone is still served; give its DS to the new registrar"),
     lambda m: _("%(name)s, bundled with %(other)s, was transferred to another registrar: "
                 "the zone is still served; give its DS to the new registrar")
     % m.groupdict()),
]
UNDO = re.compile(r"undo of “(?P<inner>.*)”", re.S)


def summary_text(summary: str) -> str:
    """A change's stored summary in the reader's language (an undo names the change it
    undoes, said the same way); a summary written by a member, as written."""
    undo = UNDO.fullmatch(summary)
    if undo:
        return _("undo of “%(change)s”") % {"change": summary_text(undo.group("inner"))}
    for pattern, say in SUMMARIES:
        found = pattern.fullmatch(summary)
        if found:
            return say(found)
    return summary
