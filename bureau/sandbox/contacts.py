"""RFC 5733 contact commands. Postal info, phones, email and disclose are kept as the XML the
client sent (re-emitted in info), so nothing the client said is lost or reinterpreted; info
leaves out, for other registrars, what disclose flag="0" withholds."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from lxml import etree

from bureau.sandbox import statusnotes, transfers
from bureau.sandbox.clock import format_time
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.responses import Result
from bureau.sandbox.xmlio import Element, child, children, el, fromstring, sub, text, tostring

CLIENT_STATUSES = frozenset({"clientDeleteProhibited", "clientTransferProhibited",
                             "clientUpdateProhibited"})
# What replaces a withheld element that the schema requires (name, city, email).
WITHHELD = "not disclosed"
_OPTIONAL_ADDRESS_LINES = ("street", "sp", "pc")


def _load(ctx: Ctx, obj: Element) -> sqlite3.Row:
    handle = text(obj, "contact:id") or ""
    row = ctx.conn.execute("SELECT * FROM contacts WHERE handle = ?", (handle,)).fetchone()
    if row is None:
        raise EppError(2303, f"contact {handle} does not exist")
    return row


def _verify_sponsor(ctx: Ctx, row: sqlite3.Row) -> None:
    if row["clid"] != ctx.clid:
        raise EppError(2201, f"contact {row['handle']} is sponsored by another registrar")


def _linked(ctx: Ctx, contact_id: int) -> bool:
    return ctx.conn.execute(
        "SELECT 1 FROM domain_contacts WHERE contact_id = ? UNION ALL"
        " SELECT 1 FROM domains WHERE registrant = ? LIMIT 1",
        (contact_id, contact_id)).fetchone() is not None


def check(ctx: Ctx, obj: Element, verb: Element) -> Result:
    data = el("contact:chkData")
    for node in children(obj, "contact:id"):
        handle = (node.text or "").strip()
        taken = ctx.conn.execute("SELECT 1 FROM contacts WHERE handle = ?",
                                 (handle,)).fetchone()
        cd = sub(data, "contact:cd")
        sub(cd, "contact:id", handle, {"avail": "0" if taken else "1"})
        if taken:
            sub(cd, "contact:reason", "in use")
    return Result(resdata=[data])


def _verify_int_is_ascii(parent: Element) -> None:
    """RFC 5733: the "int" postal info is 7-bit ASCII; Unicode belongs in "loc"."""
    for postal in children(parent, "contact:postalInfo"):
        if postal.get("type") == "int" and not "".join(map(str, postal.itertext())).isascii():
            raise EppError(2005, "postalInfo type=\"int\" must be ASCII; use type=\"loc\"")


def _fields(obj: Element) -> dict[str, Any]:
    data: dict[str, Any] = {"postal": {}}
    for postal in children(obj, "contact:postalInfo"):
        data["postal"][postal.get("type", "int")] = tostring(postal)
    for key in ("voice", "fax", "email", "disclose"):
        node = child(obj, f"contact:{key}")
        if node is not None:
            data[key] = tostring(node)
    return data


def _withheld(stored: dict[str, Any]) -> set[str]:
    """What the client asked to keep from other registrars: 'voice', 'name:int', ...

    The greeting's dcp names the public as a recipient, so everything is disclosed by default
    and only a disclose flag="0" makes exceptions (RFC 5733 2.9); flag="1" changes nothing."""
    if "disclose" not in stored:
        return set()
    disclose = fromstring(stored["disclose"])
    if disclose.get("flag", "").strip() in ("1", "true"):
        return set()
    return {etree.QName(node).localname + (f":{node.get('type')}" if node.get("type") else "")
            for node in disclose}


def _postal_info(stored: str, kind: str, withheld: set[str]) -> Element:
    """The postalInfo of `kind` without what is withheld: org and address lines go, while
    name and city, which the schema requires, read WITHHELD. The country stays: the schema
    requires it and no country code means "withheld"."""
    postal = fromstring(stored)
    if f"org:{kind}" in withheld:
        for org in children(postal, "contact:org"):
            postal.remove(org)
    if f"name:{kind}" in withheld:
        _blank(child(postal, "contact:name"))
    addr = child(postal, "contact:addr")
    if f"addr:{kind}" in withheld and addr is not None:
        for line in _OPTIONAL_ADDRESS_LINES:
            for node in children(addr, f"contact:{line}"):
                addr.remove(node)
        _blank(child(addr, "contact:city"))
    return postal


def _blank(node: Element | None) -> None:
    if node is not None:
        node.text = WITHHELD


def info(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Errors: 2303; 2202 wrong authInfo. Others than the sponsor never see the authInfo, and
    without the right one they do not see what the contact's disclose flag="0" withholds."""
    row = _load(ctx, obj)
    pw = text(obj, "contact:authInfo/contact:pw")
    if pw is not None and row["clid"] != ctx.clid and pw != row["authinfo"]:
        raise EppError(2202, f"wrong authInfo for contact {row['handle']}")
    stored = json.loads(row["data"])
    authorised = row["clid"] == ctx.clid or pw is not None
    withheld = set() if authorised else _withheld(stored)
    data = el("contact:infData")
    sub(data, "contact:id", row["handle"])
    sub(data, "contact:roid", row["roid"])
    statuses = row["statuses"].split()
    pending = ctx.conn.execute("SELECT 1 FROM transfers WHERE object_type = 'contact' AND"
                               " object_id = ? AND status = 'pending'", (row["id"],)).fetchone()
    if pending:
        statuses.append("pendingTransfer")
    if _linked(ctx, row["id"]):
        statuses.append("linked")
    if not [s for s in statuses if s != "linked"]:
        statuses.insert(0, "ok")
    statusnotes.add_statuses(data, "contact:status", statuses, row["status_reasons"])
    for kind in ("int", "loc"):
        if kind in stored["postal"]:
            data.append(_postal_info(stored["postal"][kind], kind, withheld))
    for key in ("voice", "fax"):
        if key in stored and key not in withheld:
            data.append(fromstring(stored[key]))
    email = fromstring(stored["email"])
    if "email" in withheld:
        _blank(email)
    data.append(email)
    sub(data, "contact:clID", row["clid"])
    sub(data, "contact:crID", row["crid"])
    sub(data, "contact:crDate", format_time(row["crdate"]))
    if row["upid"]:
        sub(data, "contact:upID", row["upid"])
        sub(data, "contact:upDate", format_time(row["updated"]))
    if row["trdate"]:
        sub(data, "contact:trDate", format_time(row["trdate"]))
    if row["clid"] == ctx.clid:  # never to another registrar (RFC 5733 3.1.2)
        sub(sub(data, "contact:authInfo"), "contact:pw", row["authinfo"])
    if "disclose" in stored:
        data.append(fromstring(stored["disclose"]))
    return Result(resdata=[data])


def create(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Errors: 2302 id taken, 2306 empty authInfo."""
    handle = text(obj, "contact:id") or ""
    if ctx.conn.execute("SELECT 1 FROM contacts WHERE handle = ?", (handle,)).fetchone():
        raise EppError(2302, f"contact {handle} already exists")
    pw = text(obj, "contact:authInfo/contact:pw")
    if not pw:
        raise EppError(2306, "contact authInfo must not be empty")
    _verify_int_is_ascii(obj)
    cur = ctx.conn.execute(
        "INSERT INTO contacts (handle, roid, clid, crid, crdate, authinfo, data)"
        " VALUES (?, '', ?, ?, ?, ?, ?)",
        (handle, ctx.clid, ctx.clid, ctx.now, pw, json.dumps(_fields(obj))))
    contact_id = int(cur.lastrowid or 0)
    ctx.conn.execute("UPDATE contacts SET roid = ? WHERE id = ?",
                     (f"C{contact_id}-{ctx.config.roid_suffix}", contact_id))
    data = el("contact:creData")
    sub(data, "contact:id", handle)
    sub(data, "contact:crDate", format_time(ctx.now))
    return Result(resdata=[data])


def delete(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Errors: 2303, 2201, 2304 deleteProhibited, 2305 still used by a domain."""
    row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    if "clientDeleteProhibited" in row["statuses"].split():
        raise EppError(2304, f"contact {row['handle']} has status clientDeleteProhibited")
    if _linked(ctx, row["id"]):
        raise EppError(2305, f"contact {row['handle']} is used by a domain")
    ctx.conn.execute("DELETE FROM contacts WHERE id = ?", (row["id"],))
    ctx.conn.execute("DELETE FROM transfers WHERE object_type = 'contact' AND object_id = ?",
                     (row["id"],))
    return Result()


def _statuses(node: Element | None) -> list[str]:
    values = [s.get("s", "") for s in children(node, "contact:status")] if node is not None \
        else []
    for value in values:
        if value not in CLIENT_STATUSES:
            raise EppError(2306, f"status {value} cannot be set by a client")
    return values


def _merge_postal(stored: str | None, change: Element) -> str:
    """A chg postalInfo replaces the name/org/addr it carries, keeps the others."""
    if stored is None:
        return tostring(change)
    node = fromstring(stored)
    for part in change:
        existing = node.find(part.tag)
        if existing is not None:
            existing.getparent().replace(existing, copy.deepcopy(part))  # type: ignore[union-attr]
        else:
            order = ["name", "org", "addr"]
            local = etree.QName(part).localname
            later = [node.find(f"{{{etree.QName(part).namespace}}}{n}")
                     for n in order[order.index(local) + 1:]]
            anchor = next((n for n in later if n is not None), None)
            if anchor is not None:
                anchor.addprevious(copy.deepcopy(part))
            else:
                node.append(copy.deepcopy(part))
    return tostring(node)


def update(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Errors: 2303, 2201, 2304 updateProhibited, 2306 status not a client one."""
    row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    add, rem, chg = (child(obj, f"contact:{k}") for k in ("add", "rem", "chg"))
    added, removed = _statuses(add), _statuses(rem)
    statuses = row["statuses"].split()
    if "clientUpdateProhibited" in statuses and "clientUpdateProhibited" not in removed:
        raise EppError(2304, f"contact {row['handle']} has status clientUpdateProhibited")
    stored = json.loads(row["data"])
    authinfo = row["authinfo"]
    if chg is not None:
        _verify_int_is_ascii(chg)
        for postal in children(chg, "contact:postalInfo"):
            kind = postal.get("type", "int")
            stored["postal"][kind] = _merge_postal(stored["postal"].get(kind), postal)
        for key in ("voice", "fax", "email", "disclose"):
            node = child(chg, f"contact:{key}")
            if node is not None:
                stored[key] = tostring(node)
        if child(chg, "contact:authInfo") is not None:
            authinfo = text(chg, "contact:authInfo/contact:pw") or ""
            if not authinfo:
                raise EppError(2306, "contact authInfo must not be empty")
    statuses = [s for s in statuses if s not in removed] + [s for s in added
                                                             if s not in statuses]
    ctx.conn.execute("UPDATE contacts SET statuses = ?, status_reasons = ?, data = ?,"
                     " authinfo = ?, upid = ?, updated = ? WHERE id = ?",
                     (" ".join(statuses),
                      statusnotes.changed(row["status_reasons"], add, removed, "contact:status"),
                      json.dumps(stored), authinfo, ctx.clid, ctx.now, row["id"]))
    return Result()


def transfer(ctx: Ctx, obj: Element, verb: Element) -> Result:
    row = _load(ctx, obj)
    return transfers.contact_transfer(ctx, verb.get("op", ""), row,
                                      text(obj, "contact:authInfo/contact:pw"))


HANDLERS: dict[str, Callable[[Ctx, Element, Element], Result]] = {
    "check": check, "info": info, "create": create, "delete": delete, "update": update,
    "transfer": transfer,
}
