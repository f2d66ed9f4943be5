"""RFC 5731 domain commands, with secDNS, RGP, fee and b-dn (bundles) extensions.

Errors each command can raise are listed in its docstring; every check is a small `_verify_*`
function named after the rule. A bundle (RFC 9095) is one row in `domains` with its names in
`bundle_members`: every command on any member acts on the whole bundle.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from bureau.epp import namespaces as ns
from bureau.sandbox import (
    billing,
    domainview,
    fees,
    lifecycle,
    review,
    secdns,
    statusnotes,
    transfers,
)
from bureau.sandbox.bundles import PRODUCED_REASON, bundle_extension, bundle_names
from bureau.sandbox.clock import format_time
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.lifecycle import DAY, add_years
from bureau.sandbox.names import normalise, split, ulabel
from bureau.sandbox.policy import TldPolicy
from bureau.sandbox.responses import Result
from bureau.sandbox.restore import restore
from bureau.sandbox.xmlio import Element, child, children, el, sub, text

CLIENT_STATUSES = frozenset({"clientDeleteProhibited", "clientHold", "clientRenewProhibited",
                             "clientTransferProhibited", "clientUpdateProhibited"})
SERVER_STATUSES = frozenset({"serverDeleteProhibited", "serverHold", "serverRenewProhibited",
                             "serverTransferProhibited", "serverUpdateProhibited"})
DELETE_BLOCKERS = ("clientDeleteProhibited", "serverDeleteProhibited")
RENEW_BLOCKERS = ("clientRenewProhibited", "serverRenewProhibited")
UPDATE_BLOCKERS = ("clientUpdateProhibited", "serverUpdateProhibited")


# -- shared checks ---------------------------------------------------------------------------
def _load(ctx: Ctx, obj: Element) -> tuple[str, sqlite3.Row]:
    name = normalise(text(obj, "domain:name") or "")
    row = domainview.find(ctx.conn, name)
    if row is None:
        raise EppError(2303, f"domain {name} does not exist")
    return name, row


def _verify_sponsor(ctx: Ctx, row: sqlite3.Row) -> None:
    if row["clid"] != ctx.clid:
        raise EppError(2201, f"{row['name']} is sponsored by another registrar")


def _verify_not_blocked(row: sqlite3.Row, blockers: tuple[str, ...], action: str) -> None:
    present = [s for s in row["statuses"].split() if s in blockers]
    if present:
        raise EppError(2304, f"{row['name']} has status {present[0]}: cannot {action}")


def _verify_active(row: sqlite3.Row, action: str) -> None:
    if row["state"] != "active":
        raise EppError(2304, f"{row['name']} is {domainview.not_active(row)}: cannot {action}")


def _verify_no_pending_transfer(ctx: Ctx, row: sqlite3.Row) -> None:
    if domainview.pending_transfer(ctx.conn, row["id"]) is not None:
        raise EppError(2300, f"{row['name']} has a pending transfer")


def _period(ctx: Ctx, obj: Element, policy: TldPolicy, default: int = 1) -> int:
    node = child(obj, "domain:period")
    if node is None:
        return default
    return ctx.years(int(node.text or "0"), node.get("unit", "y"), policy)


def _contact_id(ctx: Ctx, handle: str, policy: TldPolicy | None) -> int:
    """A contact this registrar may link to a domain of `policy`'s TLD (None: to unlink)."""
    row = ctx.conn.execute("SELECT id, clid FROM contacts WHERE handle = ?",
                           (handle,)).fetchone()
    if row is None:
        raise EppError(2303, f"contact {handle} does not exist")
    if policy is not None and policy.contact_use == "sponsor" and row["clid"] != ctx.clid:
        raise EppError(2201, f"contact {handle} is sponsored by another registrar: create your"
                             " own, or transfer it with its authInfo")
    return int(row["id"])


def _host_id(ctx: Ctx, name: str) -> int:
    row = ctx.conn.execute("SELECT id FROM hosts WHERE name = ?",
                           (normalise(name, "host name"),)).fetchone()
    if row is None:
        raise EppError(2303, f"host {name} does not exist: create it first")
    return int(row[0])


def _ns_hosts(ctx: Ctx, ns_el: Element | None) -> list[int]:
    if ns_el is None:
        return []
    if children(ns_el, "domain:hostAttr"):
        raise EppError(2102, "hostAttr is not offered: this registry uses host objects")
    return [_host_id(ctx, h.text or "") for h in children(ns_el, "domain:hostObj")]


# -- check -----------------------------------------------------------------------------------
def _availability(ctx: Ctx, name: str) -> tuple[bool, str | None]:
    policy = ctx.config.tlds.get(split(name)[1])
    if policy is None:
        return False, "TLD not served here"
    if split(name)[0] in policy.reserved:
        return False, "reserved name"
    for member in bundle_names(name, policy):
        held = ctx.conn.execute("SELECT 1 FROM bundle_members WHERE name = ?",
                                (member,)).fetchone()
        if held:
            return False, ("in use" if member == name else "in use by its bundle")
    return True, None


def check(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Availability of names; bundle members are listed with the names asked for (RFC 9095).

    Errors: 2005 bad name syntax."""
    asked = [normalise(n.text or "") for n in children(obj, "domain:name")]
    data = el("domain:chkData")
    shown: list[str] = []
    for name in asked:
        policy = ctx.config.tlds.get(split(name)[1])
        members = bundle_names(name, policy) if policy else [name]
        for member in members:
            if member in shown:
                continue
            shown.append(member)
            avail, reason = _availability(ctx, member)
            cd = sub(data, "domain:cd")
            sub(cd, "domain:name", member, {"avail": "1" if avail else "0"})
            if member not in asked:
                sub(cd, "domain:reason", PRODUCED_REASON)
            elif reason:
                sub(cd, "domain:reason", reason)
    result = Result(resdata=[data])
    fee_check = ctx.ext(ns.FEE)
    if fee_check is not None and ctx.wants(ns.FEE):
        result.extension.append(fees.check_element(ctx, fee_check, shown))
    return result


# -- info ------------------------------------------------------------------------------------
def info(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Full data to the sponsor or with the right authInfo, the public part otherwise.

    Errors: 2303 unknown name, 2202 wrong authInfo."""
    name_el = child(obj, "domain:name")
    hosts = name_el.get("hosts", "all") if name_el is not None else "all"
    name, row = _load(ctx, obj)
    full = row["clid"] == ctx.clid
    pw = text(obj, "domain:authInfo/domain:pw") if child(obj, "domain:authInfo") is not None \
        else None
    if pw is not None and not full:
        if pw != row["authinfo"]:
            raise EppError(2202, f"wrong authInfo for {name}")
        full = True
    result = Result(resdata=[domainview.info_element(ctx.conn, row, name, full=full,
                                                     hosts=hosts,
                                                     sponsor=row["clid"] == ctx.clid)])
    if full and ctx.wants(ns.SECDNS):
        sec = secdns.info_element(domainview.secdns(row))
        if sec is not None:
            result.extension.append(sec)
    rgp = domainview.rgp_statuses(row, ctx.now)
    if rgp and ctx.wants(ns.RGP):
        rgp_el = el("rgp:infData")
        for status in rgp:
            sub(rgp_el, "rgp:rgpStatus", attrs={"s": status})
        result.extension.append(rgp_el)
    result.extension += bundle_extension(ctx, "infData", domainview.bundle_names_of(ctx.conn, row))
    return result


# -- create ----------------------------------------------------------------------------------
def create(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Register a name (and its whole bundle) for 1-10 years; in a TLD whose names are
    reviewed, 1001 and pendingCreate until the registry decides (see review.py).

    Errors: 2302 taken (or a bundle member taken), 2306 TLD not served / reserved / premium
    without fee extension / bundled name without b-dn:create, 2004 period or fee too low,
    2303 unknown contact or host, 2102 hostAttr, 2104 balance too low."""
    name = normalise(text(obj, "domain:name") or "")
    policy = ctx.tld_of(name)
    if split(name)[0] in policy.reserved:
        raise EppError(2306, f"{name} is reserved by the registry")
    names = bundle_names(name, policy)
    avail, reason = _availability(ctx, name)
    if not avail:
        raise EppError(2302, f"{name} is not available: {reason} "
                             f"(bundle: {', '.join(names)})" if len(names) > 1 else
                       f"{name} is not available: {reason}")
    if len(names) > 1 and ctx.ext(ns.BDN) is None:
        raise EppError(2306, f"{name} is bundled with {', '.join(names[1:])} (RFC 9095): "
                             "send the b-dn:create extension")
    bdn_ext = ctx.ext(ns.BDN)
    rdn = text(bdn_ext, "b-dn:rdn") if bdn_ext is not None else None
    if rdn and rdn.lower() != name:
        raise EppError(2306, f"b-dn:rdn {rdn} must be the name being created ({name})")
    years = _period(ctx, obj, policy)
    amount = fees.price(policy, name, "create", years)
    fees.verify_client_fee(ctx, policy, name, "create", amount)
    registrant = text(obj, "domain:registrant")
    registrant_id = _contact_id(ctx, registrant, policy) if registrant else None
    contacts = [(c.get("type", ""), _contact_id(ctx, c.text or "", policy))
                for c in children(obj, "domain:contact")]
    host_ids = _ns_hosts(ctx, child(obj, "domain:ns"))
    sec = ctx.ext(ns.SECDNS)
    sec_state = secdns.from_create(sec) if sec is not None else None
    pw = text(obj, "domain:authInfo/domain:pw")
    if child(obj, "domain:authInfo/domain:ext") is not None:
        raise EppError(2102, "authInfo <ext> is not offered: use <pw>")
    if child(obj, "domain:authInfo") is not None and not pw:
        raise EppError(2306, "authInfo must not be empty")
    billing.charge(ctx.conn, ctx.clid, amount, name, f"create {years} year(s)", ctx.now)
    exdate = add_years(ctx.now, years)
    cur = ctx.conn.execute(
        "INSERT INTO domains (name, roid, tld, clid, crid, crdate, exdate, authinfo,"
        " registrant, add_grace_until, add_fee, secdns) VALUES (?, '', ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?)",
        (name, policy.name, ctx.clid, ctx.clid, ctx.now, exdate, pw or "", registrant_id,
         ctx.now + ctx.config.add_grace_days * DAY, str(amount),
         json.dumps(sec_state) if sec_state else None))
    domain_id = int(cur.lastrowid or 0)
    ctx.conn.execute("UPDATE domains SET roid = ? WHERE id = ?",
                     (f"D{domain_id}-{ctx.config.roid_suffix}", domain_id))
    ctx.conn.executemany("INSERT INTO bundle_members (name, domain_id, ulabel) VALUES (?, ?, ?)",
                         [(n, domain_id, ulabel(n)) for n in names])
    ctx.conn.executemany("INSERT OR IGNORE INTO domain_contacts VALUES (?, ?, ?)",
                         [(domain_id, t, c) for t, c in contacts])
    ctx.conn.executemany("INSERT OR IGNORE INTO domain_ns VALUES (?, ?)",
                         [(domain_id, h) for h in host_ids])
    data = el("domain:creData")
    sub(data, "domain:name", name)
    sub(data, "domain:crDate", format_time(ctx.now))
    if policy.review_days:
        # Its expiry is set when the registry approves; the poll message will name this
        # transaction, so the answer carries the svTRID stored with the review.
        review.hold(ctx, domain_id, years, policy.review_days)
        result = Result(1001, resdata=[data], svtrid=ctx.svtrid)
    else:
        lifecycle.schedule(ctx.conn, "expire", domain_id, exdate)
        sub(data, "domain:exDate", format_time(exdate))
        result = Result(resdata=[data])
    if ctx.wants(ns.FEE):
        result.extension.append(fees.result_element(ctx, "creData", policy, amount, years))
    result.extension += bundle_extension(ctx, "creData", names)
    return result


# -- delete ----------------------------------------------------------------------------------
def delete(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Within the add grace period: gone at once (1000); otherwise redemption (30 days),
    pendingDelete (5 days), purge (1001). The whole bundle goes. Either way, what is still in
    a grace period is credited (RFC 3915): the create, the renewals, the auto-renewal, the
    transfer.

    Errors: 2303, 2201 not sponsor, 2304 status prohibits / already deleting, 2300 pending
    transfer, 2305 subordinate hosts exist."""
    name, row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    _verify_not_blocked(row, DELETE_BLOCKERS, "delete")
    _verify_active(row, "delete")
    _verify_no_pending_transfer(ctx, row)
    subordinates = [r[0] for r in ctx.conn.execute(
        "SELECT name FROM hosts WHERE superordinate = ? ORDER BY name", (row["id"],))]
    if subordinates:
        raise EppError(2305, f"{name} has subordinate hosts ({', '.join(subordinates)}):"
                             " delete or rename them first")
    policy = ctx.config.tlds[row["tld"]]
    names = domainview.bundle_names_of(ctx.conn, row)
    refund = Decimal(0)
    for grace_col, fee_col, what in (("add_grace_until", "add_fee", "create"),
                                 ("renew_grace_until", "renew_fee", "renew"),
                                 ("autorenew_grace_until", "autorenew_fee", "auto-renew")):
        if row[grace_col] and ctx.now < row[grace_col] and row[fee_col]:
            amount = Decimal(row[fee_col])
            billing.credit(ctx.conn, ctx.clid, amount, row["name"],
                           f"{what} refunded: deleted within grace period", ctx.now)
            refund += amount
    if row["transfer_grace_until"] and ctx.now < row["transfer_grace_until"]:
        # RFC 3915: deleted by the gaining registrar within the transfer grace period.
        transfer = ctx.conn.execute(
            "SELECT fee FROM transfers WHERE object_type = 'domain' AND object_id = ? AND reid = ?"
            " AND status IN ('clientApproved', 'serverApproved')", (row["id"], ctx.clid)
        ).fetchone()
        if transfer is not None and transfer["fee"]:
            amount = Decimal(transfer["fee"])
            billing.credit(ctx.conn, ctx.clid, amount, row["name"],
                           "transfer refunded: deleted within grace period", ctx.now)
            refund += amount
    in_add_grace = bool(row["add_grace_until"] and ctx.now < row["add_grace_until"])
    if in_add_grace:
        lifecycle.purge(ctx.conn, row["id"])
        code = 1000
    else:
        until = ctx.now + ctx.config.redemption_days * DAY
        ctx.conn.execute(
            "UPDATE domains SET state = 'redemption', state_until = ?, upid = ?, updated = ?,"
            " renew_grace_until = NULL, autorenew_grace_until = NULL,"
            " transfer_grace_until = NULL WHERE id = ?",
            (until, ctx.clid, ctx.now, row["id"]))
        lifecycle.unschedule(ctx.conn, "expire", row["id"])
        lifecycle.schedule(ctx.conn, "redemption_end", row["id"], until)
        code = 1001
    result = Result(code)
    if ctx.wants(ns.FEE) and refund:
        result.extension.append(fees.result_element(ctx, "delData", policy, None, credit=refund))
    result.extension += bundle_extension(ctx, "delData", names)
    return result


# -- renew -----------------------------------------------------------------------------------
def renew(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """Add years; curExpDate must name the current expiry date (idempotence, RFC 5731).

    Errors: 2303, 2201, 2304 status or deleting, 2004 wrong curExpDate / beyond 10 years /
    fee too low, 2306 premium without fee, 2104 balance."""
    name, row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    _verify_not_blocked(row, RENEW_BLOCKERS, "renew")
    _verify_active(row, "renew")
    current = text(obj, "domain:curExpDate") or ""
    actual = datetime.fromtimestamp(row["exdate"], UTC).date().isoformat()
    if current != actual:
        raise EppError(2004, f"curExpDate {current} is not the expiry date of {name} ({actual})")
    policy = ctx.config.tlds[row["tld"]]
    years = _period(ctx, obj, policy)
    exdate = add_years(row["exdate"], years)
    if exdate > add_years(ctx.now, ctx.config.max_years):
        raise EppError(2004, f"renewing {name} for {years} years would take it beyond "
                             f"{ctx.config.max_years} years from now")
    amount = fees.price(policy, row["name"], "renew", years)
    fees.verify_client_fee(ctx, policy, row["name"], "renew", amount)
    billing.charge(ctx.conn, ctx.clid, amount, row["name"], f"renew {years} year(s)", ctx.now)
    previous = Decimal(row["renew_fee"]) if row["renew_grace_until"] and \
        ctx.now < row["renew_grace_until"] and row["renew_fee"] else Decimal(0)
    ctx.conn.execute("UPDATE domains SET exdate = ?, renew_grace_until = ?, renew_fee = ?,"
                     " upid = ?, updated = ? WHERE id = ?",
                     (exdate, ctx.now + ctx.config.renew_grace_days * DAY,
                      str(previous + amount), ctx.clid, ctx.now, row["id"]))
    lifecycle.schedule(ctx.conn, "expire", row["id"], exdate)
    data = el("domain:renData")
    sub(data, "domain:name", name)
    sub(data, "domain:exDate", format_time(exdate))
    result = Result(resdata=[data])
    if ctx.wants(ns.FEE):
        result.extension.append(fees.result_element(ctx, "renData", policy, amount, years))
    result.extension += bundle_extension(ctx, "renData", domainview.bundle_names_of(ctx.conn, row))
    return result


# -- transfer --------------------------------------------------------------------------------
def transfer(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """op=request|query|approve|reject|cancel; see `transfers.domain_transfer`."""
    name, row = _load(ctx, obj)
    op = verb.get("op", "")
    years = _period(ctx, obj, ctx.config.tlds[row["tld"]]) if op == "request" else 1
    pw = text(obj, "domain:authInfo/domain:pw")
    result = transfers.domain_transfer(ctx, op, name, row, years, pw)
    names = domainview.bundle_names_of(ctx.conn, row)
    result.extension += bundle_extension(ctx, "trnData", names)
    return result


# -- update ----------------------------------------------------------------------------------
def _status_values(container: Element | None) -> list[str]:
    if container is None:
        return []
    values = [s.get("s", "") for s in children(container, "domain:status")]
    for value in values:
        if value in SERVER_STATUSES:
            raise EppError(2306, f"{value} is set by the registry, not by registrars")
        if value not in CLIENT_STATUSES:
            raise EppError(2306, f"status {value} cannot be set by a client")
    return values


def update(ctx: Ctx, obj: Element, verb: Element) -> Result:
    """add/rem name servers, contacts, client statuses; chg registrant, authInfo; secDNS;
    rgp:restore (request -> pendingRestore, report -> restored).

    Errors: 2303, 2201, 2304 status prohibits / deleting, 2300 pending transfer, 2306 server
    status or restore with other changes, 2102 hostAttr or urgent secDNS."""
    _name, row = _load(ctx, obj)
    _verify_sponsor(ctx, row)
    policy = ctx.config.tlds[row["tld"]]
    rgp = ctx.ext(ns.RGP)
    if rgp is not None:
        return restore(ctx, obj, row, rgp)
    _verify_active(row, "update")
    _verify_no_pending_transfer(ctx, row)
    add, rem, chg = (child(obj, f"domain:{k}") for k in ("add", "rem", "chg"))
    added, removed = _status_values(add), _status_values(rem)
    statuses = row["statuses"].split()
    only_unlocking = not added and removed == ["clientUpdateProhibited"] and chg is None \
        and ctx.ext(ns.SECDNS) is None and rem is not None and len(rem) == 1
    if not only_unlocking:
        _verify_not_blocked(row, UPDATE_BLOCKERS if "clientUpdateProhibited" not in removed
                            else ("serverUpdateProhibited",), "update")
    for part, op in ((rem, "rem"), (add, "add")):
        if part is None:
            continue
        for host_id in _ns_hosts(ctx, child(part, "domain:ns")):
            if op == "add":
                ctx.conn.execute("INSERT OR IGNORE INTO domain_ns VALUES (?, ?)",
                                 (row["id"], host_id))
            else:
                ctx.conn.execute("DELETE FROM domain_ns WHERE domain_id = ? AND host_id = ?",
                                 (row["id"], host_id))
        for contact in children(part, "domain:contact"):
            cid = _contact_id(ctx, contact.text or "", policy if op == "add" else None)
            args = (row["id"], contact.get("type", ""), cid)
            if op == "add":
                ctx.conn.execute("INSERT OR IGNORE INTO domain_contacts VALUES (?, ?, ?)", args)
            else:
                ctx.conn.execute("DELETE FROM domain_contacts WHERE domain_id = ? AND type = ?"
                                 " AND contact_id = ?", args)
    statuses = [s for s in statuses if s not in removed] + [s for s in added
                                                             if s not in statuses]
    registrant, authinfo = row["registrant"], row["authinfo"]
    if chg is not None:
        new_registrant = text(chg, "domain:registrant")
        if new_registrant:
            registrant = _contact_id(ctx, new_registrant, policy)
        if child(chg, "domain:authInfo") is not None:
            authinfo = text(chg, "domain:authInfo/domain:pw") or ""
            if not authinfo:
                raise EppError(2306, "authInfo must not be empty")
    sec_state = domainview.secdns(row)
    sec = ctx.ext(ns.SECDNS)
    if sec is not None:
        sec_state = secdns.apply_update(sec_state, sec)
    reasons = statusnotes.changed(row["status_reasons"], add, removed, "domain:status")
    ctx.conn.execute("UPDATE domains SET statuses = ?, status_reasons = ?, registrant = ?,"
                     " authinfo = ?, secdns = ?, upid = ?, updated = ? WHERE id = ?",
                     (" ".join(statuses), reasons, registrant, authinfo, json.dumps(sec_state),
                      ctx.clid, ctx.now, row["id"]))
    result = Result()
    result.extension += bundle_extension(ctx, "upData", domainview.bundle_names_of(ctx.conn, row))
    return result


HANDLERS: dict[str, Callable[[Ctx, Element, Element], Result]] = {
    "check": check, "info": info, "create": create, "delete": delete, "renew": renew,
    "transfer": transfer, "update": update,
}
