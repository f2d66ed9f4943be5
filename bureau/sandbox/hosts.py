"""RFC 5732 host commands. Glue rule: a host under a domain of this registry (in-bailiwick)
needs IP addresses and a superordinate domain the same registrar sponsors; any other host
must have none."""

from __future__ import annotations

import ipaddress
import json
import sqlite3
from collections.abc import Callable

from bureau.sandbox import domainview, statusnotes
from bureau.sandbox.clock import format_time
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.names import normalise
from bureau.sandbox.responses import Result
from bureau.sandbox.xmlio import Element, child, children, el, sub, text

CLIENT_STATUSES = frozenset({"clientDeleteProhibited", "clientUpdateProhibited"})


def _superordinate(ctx: Ctx, name: str) -> sqlite3.Row | None:
    """The domain of this registry `name` lives under (None for an external host)."""
    labels = name.split(".")
    for i in range(1, len(labels) - 1):
        parent = ".".join(labels[i:])
        if parent.partition(".")[2] in ctx.config.tlds:
            row = domainview.find(ctx.conn, parent)
            if row is None:
                raise EppError(2303, f"host {name} is under {parent}, which does not exist"
                                     " in this registry")
            if row["clid"] != ctx.clid:
                raise EppError(2201, f"{parent} is sponsored by another registrar")
            if row["state"] != "active":
                raise EppError(2304, f"{parent} is {domainview.not_active(row)}")
            return row
    if name.rpartition(".")[2] in ctx.config.tlds or name in ctx.config.tlds:
        raise EppError(2005, f"{name} is not a host name under a domain")
    return None


def _addresses(node: Element | None) -> list[list[str]]:
    if node is None:
        return []
    result = []
    for addr in children(node, "host:addr"):
        version = addr.get("ip", "v4")
        try:
            ip = ipaddress.ip_address((addr.text or "").strip())
        except ValueError:
            raise EppError(2005, f"{addr.text!r} is not an IP address") from None
        if (ip.version == 4) != (version == "v4"):
            raise EppError(2005, f"{ip} is not an IP{version} address")
        if ip.is_unspecified or ip.is_multicast or ip.is_loopback:
            raise EppError(2306, f"{ip} cannot be a name server address")
        result.append([version, ip.compressed])
    return result


def _verify_glue(name: str, superordinate: sqlite3.Row | None, addrs: list[list[str]]) -> None:
    if superordinate is not None and not addrs:
        raise EppError(2003, f"{name} is in-bailiwick: it needs at least one IP address (glue)")
    if superordinate is None and addrs:
        raise EppError(2306, f"{name} is outside this registry: IP addresses are only allowed"
                             " for hosts under a domain of this registry")


def _load(ctx: Ctx, obj: Element) -> sqlite3.Row:
    name = normalise(text(obj, "host:name") or "", "host name")
    row = ctx.conn.execute("SELECT * FROM hosts WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise EppError(2303, f"host {name} does not exist")
    return row


def _linked(ctx: Ctx, host_id: int) -> bool:
    return ctx.conn.execute("SELECT 1 FROM domain_ns WHERE host_id = ? LIMIT 1",
                            (host_id,)).fetchone() is not None


def check(ctx: Ctx, obj: Element, verb: Element) -> Result:
    data = el("host:chkData")
    for node in children(obj, "host:name"):
        name = normalise(node.text or "", "host name")
        taken = ctx.conn.execute("SELECT 1 FROM hosts WHERE name = ?", (name,)).fetchone()
        cd = sub(data, "host:cd")
        sub(cd, "host:name", name, {"avail": "0" if taken else "1"})
        if taken:
            sub(cd, "host:reason", "in use")
    return Result(resdata=[data])


def info(ctx: Ctx, obj: Element, verb: Element) -> Result:
    row = _load(ctx, obj)
    data = el("host:infData")
    sub(data, "host:name", row["name"])
    sub(data, "host:roid", row["roid"])
    statuses = row["statuses"].split()
    if _linked(ctx, row["id"]):
        statuses.append("linked")
    if not [s for s in statuses if s != "linked"]:
        statuses.insert(0, "ok")
    statusnotes.add_statuses(data, "host:status", statuses, row["status_reasons"])
    for version, address in json.loads(row["addrs"]):
        sub(data, "host:addr", address, {"ip": version})
    sub(data, "host:clID", row["clid"])
    sub(data, "host:crID", row["crid"])
    sub(data, "host:crDate", format_time(row["crdate"]))
    if row["upid"]:
        sub(data, "host:upID", row["upid"])
        sub(data, "host:upDate", format_time(row["updated"]))
    if row["trdate"]:
        sub(data, "host:trDate", format_time(row["trdate"]))
    return Result(resdata=[data])


def create(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Errors: 2302 exists, 2303 superordinate missing, 2201 superordinate not yours,
    2003 glue missing, 2306 glue not allowed, 2005 bad name or address."""
    name = normalise(text(obj, "host:name") or "", "host name")
    if ctx.conn.execute("SELECT 1 FROM hosts WHERE name = ?", (name,)).fetchone():
        raise EppError(2302, f"host {name} already exists")
    superordinate = _superordinate(ctx, name)
    addrs = _addresses(obj)
    _verify_glue(name, superordinate, addrs)
    cur = ctx.conn.execute(
        "INSERT INTO hosts (name, roid, clid, crid, crdate, addrs, superordinate)"
        " VALUES (?, '', ?, ?, ?, ?, ?)",
        (name, ctx.clid, ctx.clid, ctx.now, json.dumps(addrs),
         superordinate["id"] if superordinate is not None else None))
    host_id = int(cur.lastrowid or 0)
    ctx.conn.execute("UPDATE hosts SET roid = ? WHERE id = ?",
                     (f"H{host_id}-{ctx.config.roid_suffix}", host_id))
    data = el("host:creData")
    sub(data, "host:name", name)
    sub(data, "host:crDate", format_time(ctx.now))
    return Result(resdata=[data])


def _verify_sponsor(ctx: Ctx, row: sqlite3.Row) -> None:
    if row["clid"] != ctx.clid:
        raise EppError(2201, f"host {row['name']} is sponsored by another registrar")


def delete(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Errors: 2303, 2201, 2304 deleteProhibited, 2305 still used by a domain."""
    row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    if "clientDeleteProhibited" in row["statuses"].split():
        raise EppError(2304, f"host {row['name']} has status clientDeleteProhibited")
    if _linked(ctx, row["id"]):
        users = [r[0] for r in ctx.conn.execute(
            "SELECT d.name FROM domain_ns n JOIN domains d ON d.id = n.domain_id"
            " WHERE n.host_id = ? ORDER BY d.name LIMIT 5", (row["id"],))]
        raise EppError(2305, f"host {row['name']} is a name server of {', '.join(users)}")
    ctx.conn.execute("DELETE FROM hosts WHERE id = ?", (row["id"],))
    return Result()


def _statuses(node: Element | None) -> list[str]:
    values = [s.get("s", "") for s in children(node, "host:status")] if node is not None else []
    for value in values:
        if value not in CLIENT_STATUSES:
            raise EppError(2306, f"status {value} cannot be set by a client")
    return values


def update(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """add/rem addresses and statuses, chg name (rename). Glue rules apply to the result.

    Errors: 2303, 2201, 2304 updateProhibited, 2302 new name taken, 2003/2306 glue."""
    row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    add, rem, chg = (child(obj, f"host:{k}") for k in ("add", "rem", "chg"))
    added, removed = _statuses(add), _statuses(rem)
    statuses = row["statuses"].split()
    if "clientUpdateProhibited" in statuses and "clientUpdateProhibited" not in removed:
        raise EppError(2304, f"host {row['name']} has status clientUpdateProhibited")
    addrs = json.loads(row["addrs"])
    for gone in _addresses(rem):
        addrs = [a for a in addrs if a != gone]
    for new in _addresses(add):
        if new not in addrs:
            addrs.append(new)
    name = row["name"]
    new_name = text(chg, "host:name") if chg is not None else None
    if new_name:
        name = normalise(new_name, "host name")
        if ctx.conn.execute("SELECT 1 FROM hosts WHERE name = ? AND id != ?",
                            (name, row["id"])).fetchone():
            raise EppError(2302, f"host {name} already exists")
    superordinate = _superordinate(ctx, name)
    _verify_glue(name, superordinate, addrs)
    statuses = [s for s in statuses if s not in removed] + [s for s in added
                                                             if s not in statuses]
    ctx.conn.execute("UPDATE hosts SET name = ?, addrs = ?, statuses = ?, status_reasons = ?,"
                     " superordinate = ?, upid = ?, updated = ? WHERE id = ?",
                     (name, json.dumps(addrs), " ".join(statuses),
                      statusnotes.changed(row["status_reasons"], add, removed, "host:status"),
                      superordinate["id"] if superordinate is not None else None,
                      ctx.clid, ctx.now, row["id"]))
    return Result()


HANDLERS: dict[str, Callable[[Ctx, Element, Element], Result]] = {
    "check": check, "info": info, "create": create, "delete": delete, "update": update,
}
