"""Transfers of domains and contacts: request, query, approve, reject, cancel, auto-approve.

A request stays pending `transfer_pending_days` (5), then the registry approves it. Both
registrars get a poll message at every step. The gaining registrar pays at request time and
is refunded when the transfer is rejected or cancelled.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from bureau.epp import namespaces as ns
from bureau.sandbox import billing, domainview, fees, lifecycle, poll
from bureau.sandbox.clock import format_time
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.lifecycle import DAY, add_years
from bureau.sandbox.policy import RegistryConfig
from bureau.sandbox.responses import Result
from bureau.sandbox.xmlio import Element, el, sub

BLOCKERS = ("clientTransferProhibited", "serverTransferProhibited")
_WORDS = {"pending": "requested", "clientApproved": "approved", "clientRejected": "rejected",
          "clientCancelled": "cancelled", "serverApproved": "approved by the registry",
          "serverCancelled": "cancelled by the registry"}


def _transfer_row(conn: sqlite3.Connection, kind: str, object_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM transfers WHERE object_type = ? AND object_id = ?",
        (kind, object_id)).fetchone()


def _element(conn: sqlite3.Connection, kind: str, object_id: int,
             transfer: sqlite3.Row) -> Element:
    if kind == "domain":
        row = domainview.by_id(conn, object_id)
        exdate = row["exdate"]
        if transfer["status"] == "pending":
            exdate = add_years(exdate, transfer["years"] or 1)
        return domainview.transfer_element(conn, row, row["name"], transfer, exdate)
    row = conn.execute("SELECT handle FROM contacts WHERE id = ?", (object_id,)).fetchone()
    data = el("contact:trnData")
    sub(data, "contact:id", row[0])
    sub(data, "contact:trStatus", transfer["status"])
    sub(data, "contact:reID", transfer["reid"])
    sub(data, "contact:reDate", format_time(transfer["redate"]))
    sub(data, "contact:acID", transfer["acid"])
    sub(data, "contact:acDate", format_time(transfer["acdate"]))
    return data


def notify_both(conn: sqlite3.Connection, kind: str, object_id: int, when: int) -> None:
    """Queue the transfer's current state for the gaining and the losing registrar."""
    transfer = _transfer_row(conn, kind, object_id)
    assert transfer is not None
    data = _element(conn, kind, object_id, transfer)
    label = data[0].text
    msg = f"Transfer of {kind} {label} {_WORDS.get(transfer['status'], transfer['status'])}"
    for clid in dict.fromkeys((transfer["acid"], transfer["reid"])):
        poll.enqueue(conn, clid, when, msg, data)


def _start(ctx: Ctx, kind: str, object_id: int, losing: str, years: int | None,
           fee: Decimal | None) -> sqlite3.Row:
    acdate = ctx.now + ctx.config.transfer_pending_days * DAY
    ctx.conn.execute(
        "INSERT OR REPLACE INTO transfers (object_type, object_id, status, reid, redate, acid,"
        " acdate, years, fee) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
        (kind, object_id, ctx.clid, ctx.now, losing, acdate, years,
         str(fee) if fee is not None else None))
    event = "transfer_auto" if kind == "domain" else "contact_transfer_auto"
    lifecycle.schedule(ctx.conn, event, object_id, acdate)
    notify_both(ctx.conn, kind, object_id, ctx.now)
    row = _transfer_row(ctx.conn, kind, object_id)
    assert row is not None
    return row


def _finish(ctx: Ctx, kind: str, object_id: int, status: str) -> None:
    """Reject or cancel: refund the gaining registrar, tell both."""
    transfer = _transfer_row(ctx.conn, kind, object_id)
    assert transfer is not None
    if transfer["fee"]:
        billing.credit(ctx.conn, transfer["reid"], Decimal(transfer["fee"]), str(object_id),
                       f"transfer {status}: refunded", ctx.now)
    ctx.conn.execute("UPDATE transfers SET status = ?, acdate = ? WHERE object_type = ?"
                     " AND object_id = ?", (status, ctx.now, kind, object_id))
    lifecycle.unschedule(ctx.conn, "transfer_auto" if kind == "domain"
                         else "contact_transfer_auto", object_id)
    notify_both(ctx.conn, kind, object_id, ctx.now)


def _verify_authinfo(expected: str, given: str | None, label: str) -> None:
    if given is None:
        raise EppError(2003, f"a transfer request for {label} needs its authInfo")
    if given != expected:
        raise EppError(2202, f"wrong authInfo for {label}")


def _operate(ctx: Ctx, kind: str, op: str, object_id: int, label: str, sponsor: str,
             authinfo: str, pw: str | None) -> str:
    """Checks shared by domains and contacts for query/approve/reject/cancel; returns op."""
    transfer = _transfer_row(ctx.conn, kind, object_id)
    if op == "query":
        if ctx.clid not in (sponsor, transfer["reid"] if transfer else None) and pw != authinfo:
            raise EppError(2201, f"only the registrars involved may query the transfer of "
                                 f"{label}")
        if transfer is None:
            raise EppError(2301, f"{label} has never been transferred")
        return op
    if transfer is None or transfer["status"] != "pending":
        raise EppError(2301, f"{label} has no pending transfer")
    if op in ("approve", "reject") and ctx.clid != transfer["acid"]:
        raise EppError(2201, f"only the losing registrar may {op} the transfer of {label}")
    if op == "cancel" and ctx.clid != transfer["reid"]:
        raise EppError(2201, f"only the requesting registrar may cancel the transfer of {label}")
    return op


def domain_transfer(ctx: Ctx, op: str, name: str, row: sqlite3.Row, years: int,
                    pw: str | None) -> Result:
    """Errors: 2106 already sponsor, 2202/2003 authInfo, 2304 status, 2300 already pending,
    2301 not pending, 2201 wrong side, 2004 beyond 10 years or fee too low, 2104 balance."""
    result = Result()
    policy = ctx.config.tlds[row["tld"]]
    if op == "request":
        if row["clid"] == ctx.clid:
            raise EppError(2106, f"you already sponsor {name}")
        _verify_authinfo(row["authinfo"], pw, name)
        present = [s for s in row["statuses"].split() if s in BLOCKERS]
        if present:
            raise EppError(2304, f"{name} has status {present[0]}: cannot transfer")
        since = max(row["crdate"], row["trdate"] or 0)
        if ctx.now < since + ctx.config.transfer_lock_days * DAY:
            raise EppError(2106, f"{name} was registered or transferred less than "
                                 f"{ctx.config.transfer_lock_days} days ago")
        if row["state"] != "active":
            raise EppError(2304, f"{name} is {domainview.not_active(row)}: cannot transfer")
        if domainview.pending_transfer(ctx.conn, row["id"]) is not None:
            raise EppError(2300, f"{name} already has a pending transfer")
        if add_years(row["exdate"], years) > add_years(ctx.now, ctx.config.max_years) + 366 * DAY:
            raise EppError(2004, f"a {years}-year transfer would take {name} beyond "
                                 f"{ctx.config.max_years} years")
        amount = fees.price(policy, row["name"], "transfer", years)
        fees.verify_client_fee(ctx, policy, row["name"], "transfer", amount)
        billing.charge(ctx.conn, ctx.clid, amount, row["name"], f"transfer {years} year(s)",
                       ctx.now)
        _start(ctx, "domain", row["id"], row["clid"], years, amount)
        result.code = 1001
        if ctx.wants(ns.FEE):
            result.extension.append(fees.result_element(ctx, "trnData", policy, amount, years))
    else:
        op = _operate(ctx, "domain", op, row["id"], name, row["clid"], row["authinfo"], pw)
        if op == "approve":
            complete_transfer(ctx.conn, ctx.config, row["id"], ctx.now,
                                        "clientApproved")
        elif op == "reject":
            _finish(ctx, "domain", row["id"], "clientRejected")
        elif op == "cancel":
            _finish(ctx, "domain", row["id"], "clientCancelled")
    transfer = _transfer_row(ctx.conn, "domain", row["id"])
    assert transfer is not None
    result.resdata.append(_element(ctx.conn, "domain", row["id"], transfer))
    result.resdata[0][0].text = name
    return result


def contact_transfer(ctx: Ctx, op: str, row: sqlite3.Row, pw: str | None) -> Result:
    result = Result()
    handle = row["handle"]
    if op == "request":
        if row["clid"] == ctx.clid:
            raise EppError(2106, f"you already sponsor contact {handle}")
        _verify_authinfo(row["authinfo"], pw, f"contact {handle}")
        present = [s for s in row["statuses"].split() if s in BLOCKERS]
        if present:
            raise EppError(2304, f"contact {handle} has status {present[0]}")
        transfer = _transfer_row(ctx.conn, "contact", row["id"])
        if transfer is not None and transfer["status"] == "pending":
            raise EppError(2300, f"contact {handle} already has a pending transfer")
        _start(ctx, "contact", row["id"], row["clid"], None, None)
        result.code = 1001
    else:
        op = _operate(ctx, "contact", op, row["id"], f"contact {handle}", row["clid"],
                      row["authinfo"], pw)
        if op == "approve":
            complete_contact_transfer(ctx.conn, row["id"], ctx.now, "clientApproved")
        elif op in ("reject", "cancel"):
            _finish(ctx, "contact", row["id"],
                    "clientRejected" if op == "reject" else "clientCancelled")
    transfer = _transfer_row(ctx.conn, "contact", row["id"])
    assert transfer is not None
    result.resdata.append(_element(ctx.conn, "contact", row["id"], transfer))
    return result


def complete_contact_transfer(conn: sqlite3.Connection, contact_id: int, when: int,
                              status: str) -> None:
    transfer = _transfer_row(conn, "contact", contact_id)
    if transfer is None or transfer["status"] != "pending":
        return
    conn.execute("UPDATE contacts SET clid = ?, trdate = ?, upid = ?, updated = ? WHERE id = ?",
                 (transfer["reid"], when, transfer["reid"], when, contact_id))
    conn.execute("UPDATE transfers SET status = ?, acdate = ? WHERE object_type = 'contact'"
                 " AND object_id = ?", (status, when, contact_id))
    lifecycle.unschedule(conn, "contact_transfer_auto", contact_id)
    notify_both(conn, "contact", contact_id, when)


def complete_transfer(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int,
                      when: int, status: str) -> None:
    """Hand a domain to the gaining registrar; `status` is clientApproved or serverApproved."""
    row = domainview.by_id(conn, domain_id)
    transfer = domainview.pending_transfer(conn, domain_id)
    if row is None or transfer is None:
        return
    exdate = row["exdate"]
    if row["autorenew_grace_until"] and when < row["autorenew_grace_until"]:
        # The transfer year replaces the auto-renewal, which the losing registrar gets back.
        billing.credit(conn, row["clid"], Decimal(row["autorenew_fee"] or "0"), row["name"],
                       "auto-renew cancelled by transfer", when)
        exdate = add_years(exdate, -1)
    exdate = min(add_years(exdate, transfer["years"] or 1), add_years(when, config.max_years))
    conn.execute(
        "UPDATE domains SET clid = ?, trdate = ?, exdate = ?, autorenew_grace_until = NULL,"
        " renew_grace_until = NULL, add_grace_until = NULL, transfer_grace_until = ?,"
        " upid = ?, updated = ? WHERE id = ?",
        (transfer["reid"], when, exdate, when + config.transfer_grace_days * DAY,
         transfer["reid"], when, domain_id))
    conn.execute("UPDATE hosts SET clid = ?, trdate = ? WHERE superordinate = ?",
                 (transfer["reid"], when, domain_id))
    conn.execute("UPDATE transfers SET status = ?, acdate = ? WHERE object_type = 'domain'"
                 " AND object_id = ?", (status, when, domain_id))
    lifecycle.schedule(conn, "expire", domain_id, exdate)
    lifecycle.unschedule(conn, "transfer_auto", domain_id)
    notify_both(conn, "domain", domain_id, when)


def transfer_auto(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int,
                   due: int) -> None:
    complete_transfer(conn, config, domain_id, due, "serverApproved")


def contact_transfer_auto(conn: sqlite3.Connection, config: RegistryConfig, contact_id: int,
                           due: int) -> None:
    complete_contact_transfer(conn, contact_id, due, "serverApproved")
