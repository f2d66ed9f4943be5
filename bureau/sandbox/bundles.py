"""RFC 9095 strict bundling: which names form a bundle, and the b-dn elements that show it.

A bundle is one registration (the RDN, the name asked for) plus the bundled names (BDNs) the
TLD's policy produces: the same label in the paired TLDs (`.ngo`/`.ong`), or the all-simplified
and all-traditional forms of a Chinese label. They share holder, contacts, expiry and status;
commands on any member act on the whole bundle.
"""

from __future__ import annotations

import sqlite3

import idna

from bureau.epp.namespaces import BDN
from bureau.sandbox.context import Ctx
from bureau.sandbox.names import alabel, split, ulabel
from bureau.sandbox.policy import TldPolicy
from bureau.sandbox.xmlio import Element, el, sub

# RFC 9095's example reason is 75 characters, but eppcom:reasonBaseType allows 32 at most.
PRODUCED_REASON = "bundled name (RFC 9095 policy)"


def bundle_names(name: str, policy: TldPolicy) -> list[str]:
    """Every member of `name`'s bundle, `name` first; [name] when the TLD does not bundle."""
    label, tld = split(name)
    names = [name]
    if policy.bundle == "tlds":
        names += [f"{label}.{other}" for other in policy.bundle_tlds]
    elif policy.bundle == "variants" and label.startswith("xn--"):
        unicode_label = ulabel(label) or label
        simplified = "".join(policy.variants.get(c, c) for c in unicode_label)
        reverse = {v: k for k, v in policy.variants.items()}
        traditional = "".join(reverse.get(c, c) for c in unicode_label)
        for form in (simplified, traditional):
            try:
                names.append(f"{alabel(form)}.{tld}")
            except idna.IDNAError:  # a variant IDNA2008 refuses is simply not produced
                continue
    return list(dict.fromkeys(names))


def members(conn: sqlite3.Connection, domain_id: int) -> list[str]:
    """Names of a registered bundle, RDN first (the row with the smallest rowid)."""
    rows = conn.execute("SELECT name FROM bundle_members WHERE domain_id = ? ORDER BY rowid",
                        (domain_id,)).fetchall()
    return [r[0] for r in rows]


def _label(parent: Element, tag: str, name: str) -> None:
    attrs = {}
    u = ulabel(name)
    if u is not None:
        attrs["uLabel"] = u
    sub(parent, tag, name, attrs)


def bundle_element(kind: str, names: list[str]) -> Element:
    """`<b-dn:{kind}><b-dn:bundle><b-dn:rdn/><b-dn:bdn/>...` for infData, creData, etc."""
    root = el(f"b-dn:{kind}")
    bundle = sub(root, "b-dn:bundle")
    _label(bundle, "b-dn:rdn", names[0])
    for other in names[1:]:
        _label(bundle, "b-dn:bdn", other)
    return root


def bundle_extension(ctx: Ctx, kind: str, names: list[str]) -> list[Element]:
    """The b-dn response element, for clients that selected b-dn and names that bundle."""
    return [bundle_element(kind, names)] if ctx.wants(BDN) and len(names) > 1 else []
