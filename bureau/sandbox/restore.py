"""RFC 3915 restore of a domain in its redemption period, carried by a domain:update.

request: redemption -> pendingRestore, restore fee charged (pendingRestore lasts 7 days; without
a report the domain falls back to redemption). report: pendingRestore -> active again, its
expiry moved past today if it lapsed meanwhile.
"""

from __future__ import annotations

import sqlite3

from bureau.epp import namespaces as ns
from bureau.sandbox import billing, domainview, fees, lifecycle
from bureau.sandbox.bundles import bundle_extension
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.lifecycle import DAY, add_years
from bureau.sandbox.responses import Result
from bureau.sandbox.xmlio import Element, child, el, sub


def restore(ctx: Ctx, obj: Element, row: sqlite3.Row, rgp: Element) -> Result:
    """RFC 3915: request (redemption -> pendingRestore, fee charged), report (-> active)."""
    chg = child(obj, "domain:chg")
    if any(child(obj, f"domain:{k}") is not None for k in ("add", "rem")) or (
            chg is not None and len(chg) > 0):
        raise EppError(2306, "a restore must not carry other changes")
    restore = child(rgp, "rgp:restore")
    op = restore.get("op") if restore is not None else None
    policy = ctx.config.tlds[row["tld"]]
    result = Result()
    if op == "request":
        if row["state"] != "redemption":
            raise EppError(2304, f"{row['name']} is not in its redemption period")
        amount = fees.price(policy, row["name"], "restore")
        fees.verify_client_fee(ctx, policy, row["name"], "restore", amount)
        billing.charge(ctx.conn, ctx.clid, amount, row["name"], "restore", ctx.now)
        ctx.conn.execute("UPDATE domains SET state = 'pendingRestore', upid = ?, updated = ?"
                         " WHERE id = ?", (ctx.clid, ctx.now, row["id"]))
        lifecycle.unschedule(ctx.conn, "redemption_end", row["id"])
        lifecycle.schedule(ctx.conn, "restore_timeout", row["id"],
                           ctx.now + ctx.config.pending_restore_days * DAY)
        status = "pendingRestore"
        if ctx.wants(ns.FEE):
            result.extension.append(fees.result_element(ctx, "updData", policy, amount))
    elif op == "report":
        if row["state"] != "pendingRestore":
            raise EppError(2304, f"{row['name']} has no pending restore to report on")
        if restore is None or child(restore, "rgp:report") is None:
            raise EppError(2003, "restore op=report needs rgp:report")
        exdate = row["exdate"]
        while exdate <= ctx.now:  # an expired name comes back renewed past today
            exdate = add_years(exdate, 1)
        ctx.conn.execute("UPDATE domains SET state = 'active', state_until = NULL, exdate = ?,"
                         " upid = ?, updated = ? WHERE id = ?",
                         (exdate, ctx.clid, ctx.now, row["id"]))
        lifecycle.unschedule(ctx.conn, "restore_timeout", row["id"])
        lifecycle.schedule(ctx.conn, "expire", row["id"], exdate)
        status = None
    else:
        raise EppError(2005, f"restore op must be request or report, not {op!r}")
    if ctx.wants(ns.RGP) and status:
        up = el("rgp:upData")
        sub(up, "rgp:rgpStatus", attrs={"s": status})
        result.extension.insert(0, up)
    result.extension += bundle_extension(ctx, "upData", domainview.bundle_names_of(ctx.conn, row))
    return result
