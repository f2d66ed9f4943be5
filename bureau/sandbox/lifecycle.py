"""A name's life in time: scheduling events, auto-renew at expiry, redemption ->
pendingDelete -> purge, restore timeouts, and the poll messages they leave.

`events.process_due` runs the events when they fall due.
"""

from __future__ import annotations

import calendar
import logging
import sqlite3
from datetime import UTC, datetime

from lxml import etree

from bureau.epp import namespaces as ns
from bureau.sandbox import billing, domainview, poll
from bureau.sandbox.clock import format_time
from bureau.sandbox.fees import price
from bureau.sandbox.names import split
from bureau.sandbox.policy import RegistryConfig
from bureau.sandbox.xmlio import Element, el, sub

log = logging.getLogger(__name__)
DAY = 86400


def add_years(epoch: int, years: int) -> int:
    moment = datetime.fromtimestamp(epoch, UTC)
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])  # 29 Feb -> 28 Feb
    return int(moment.replace(year=year, day=day).timestamp())


def schedule(conn: sqlite3.Connection, kind: str, object_id: int, due: int) -> None:
    """(Re)place the one event of `kind` for this object."""
    unschedule(conn, kind, object_id)
    conn.execute("INSERT INTO events (due, kind, object_id) VALUES (?, ?, ?)",
                 (due, kind, object_id))


def unschedule(conn: sqlite3.Connection, kind: str, object_id: int) -> None:
    conn.execute("DELETE FROM events WHERE kind = ? AND object_id = ?", (kind, object_id))


def change_poll(operation: str, when: int, svtrid: str, who: str, reason: str | None = None,
                state: str = "after") -> Element:
    """RFC 8590 changePoll:changeData for a change the registrar did not ask for."""
    data = el("changePoll:changeData", attrs={"state": state})
    sub(data, "changePoll:operation", operation)
    sub(data, "changePoll:date", format_time(when))
    sub(data, "changePoll:svTRID", svtrid)
    sub(data, "changePoll:who", who)
    if reason:
        sub(data, "changePoll:reason", reason)
    return data


def pan_data(name: str, success: bool, svtrid: str, when: int,
             cltrid: str | None = None) -> Element:
    """domain:panData: the outcome of an action the registry had answered with 1001."""
    pan = el("domain:panData")
    sub(pan, "domain:name", name, {"paResult": "1" if success else "0"})
    trid = sub(pan, "domain:paTRID")
    if cltrid:
        etree.SubElement(trid, f"{{{ns.EPP}}}clTRID").text = cltrid
    etree.SubElement(trid, f"{{{ns.EPP}}}svTRID").text = svtrid
    sub(pan, "domain:paDate", format_time(when))
    return pan


def _auto_renew(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int,
                due: int) -> None:
    row = domainview.by_id(conn, domain_id)
    if row is None or row["state"] != "active" or row["exdate"] > due:
        return
    policy = config.tlds[split(row["name"])[1]]
    amount = price(policy, row["name"], "renew", 1)
    exdate = add_years(row["exdate"], 1)
    billing.charge(conn, row["clid"], amount, row["name"], "auto-renew 1 year", due, force=True)
    conn.execute("UPDATE domains SET exdate = ?, autorenew_grace_until = ?, autorenew_fee = ?"
                 " WHERE id = ?", (exdate, due + config.autorenew_grace_days * DAY,
                                   str(amount), domain_id))
    schedule(conn, "expire", domain_id, exdate)
    row = domainview.by_id(conn, domain_id)
    poll.enqueue(conn, row["clid"], due, f"Domain {row['name']} auto-renewed until "
                 f"{format_time(exdate)[:10]} for {amount} {policy.currency}",
                 domainview.info_element(conn, row, row["name"]),
                 change_poll("autoRenew", due, f"SBX-AR-{domain_id}-{due}", "sandbox registry",
                             "expiry date reached"))


def _redemption_end(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int,
                    due: int) -> None:
    row = domainview.by_id(conn, domain_id)
    if row is None or row["state"] != "redemption":
        return
    until = due + config.pending_delete_days * DAY
    conn.execute("UPDATE domains SET state = 'pendingDelete', state_until = ? WHERE id = ?",
                 (until, domain_id))
    schedule(conn, "purge", domain_id, until)


def _restore_timeout(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int,
                     due: int) -> None:
    """No restore report in time: back to redemption (RFC 3915 section 3.2)."""
    row = domainview.by_id(conn, domain_id)
    if row is None or row["state"] != "pendingRestore":
        return
    conn.execute("UPDATE domains SET state = 'redemption' WHERE id = ?", (domain_id,))
    schedule(conn, "redemption_end", domain_id, max(row["state_until"], due))
    row = domainview.by_id(conn, domain_id)
    poll.enqueue(conn, row["clid"], due, f"Domain {row['name']}: no restore report received,"
                 " back in redemption period", domainview.info_element(conn, row, row["name"]),
                 change_poll("custom", due, f"SBX-RT-{domain_id}-{due}", "sandbox registry",
                             "restore report missing"))


def purge(conn: sqlite3.Connection, domain_id: int) -> None:
    """Remove a domain and everything that hangs on it (not its hosts: none may remain)."""
    for table, column in (("bundle_members", "domain_id"), ("domain_ns", "domain_id"),
                          ("domain_contacts", "domain_id"), ("domains", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (domain_id,))
    conn.execute("DELETE FROM events WHERE object_id = ? AND kind IN"
                 " ('expire', 'redemption_end', 'purge', 'restore_timeout', 'transfer_auto',"
                 " 'review_end')", (domain_id,))
    conn.execute("DELETE FROM reviews WHERE domain_id = ?", (domain_id,))
    conn.execute("DELETE FROM transfers WHERE object_type = 'domain' AND object_id = ?",
                 (domain_id,))


def _purge(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int, due: int) -> None:
    row = domainview.by_id(conn, domain_id)
    if row is None or row["state"] != "pendingDelete":
        return
    pan = pan_data(row["name"], True, f"SBX-PURGE-{domain_id}", due)
    purge(conn, domain_id)
    poll.enqueue(conn, row["clid"], due, f"Domain {row['name']} purged: deletion completed", pan)


# What each event of a name's life does when it falls due (events.py runs them).
HANDLERS = {
    "expire": _auto_renew,
    "redemption_end": _redemption_end,
    "restore_timeout": _restore_timeout,
    "purge": _purge,
}
