"""Reading a domain from the store and drawing it as EPP elements (info, transfer data)."""

from __future__ import annotations

import json
import sqlite3

from bureau.sandbox import statusnotes
from bureau.sandbox.bundles import members
from bureau.sandbox.clock import format_time
from bureau.sandbox.xmlio import Element, el, sub

# Domain life states (besides 'active'); all of them show the EPP status pendingDelete.
DELETING_STATES = ("redemption", "pendingRestore", "pendingDelete")
# A create the registry holds until it has reviewed the name (RFC 5731 pendingCreate).
UNDER_REVIEW = "pendingCreate"


def find(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """The domain row holding `name` as its RDN or one of its bundled names."""
    return conn.execute(
        "SELECT d.* FROM bundle_members b JOIN domains d ON d.id = b.domain_id"
        " WHERE b.name = ?", (name,)).fetchone()


def by_id(conn: sqlite3.Connection, domain_id: int) -> sqlite3.Row:
    return conn.execute("SELECT * FROM domains WHERE id = ?",
                        (domain_id,)).fetchone()


def pending_transfer(conn: sqlite3.Connection, domain_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM transfers WHERE object_type = 'domain' AND object_id = ?"
        " AND status = 'pending'", (domain_id,)).fetchone()


def ns_names(conn: sqlite3.Connection, domain_id: int) -> list[str]:
    rows = conn.execute("SELECT h.name FROM domain_ns n JOIN hosts h ON h.id = n.host_id"
                        " WHERE n.domain_id = ? ORDER BY h.name", (domain_id,)).fetchall()
    return [r[0] for r in rows]


def statuses(conn: sqlite3.Connection, row: sqlite3.Row) -> list[str]:
    """EPP status values: the stored client/server ones plus those the state implies."""
    values = row["statuses"].split()
    if row["state"] in DELETING_STATES:
        values.append("pendingDelete")
    elif row["state"] == UNDER_REVIEW:
        values.append("pendingCreate")
    if pending_transfer(conn, row["id"]) is not None:
        values.append("pendingTransfer")
    if not ns_names(conn, row["id"]):
        values.append("inactive")
    return values


def not_active(row: sqlite3.Row) -> str:
    """Why a domain that is not active cannot change, for error messages."""
    if row["state"] == UNDER_REVIEW:
        return "under review by the registry (pendingCreate)"
    return f"pending deletion ({row['state']})"


def rgp_statuses(row: sqlite3.Row, now: int) -> list[str]:
    """RGP states (RFC 3915); a deletion ends the grace periods, so a deleted name shows its
    deletion state only."""
    state = row["state"]
    if state in DELETING_STATES:
        return ["redemptionPeriod" if state == "redemption" else state]
    if state != "active":
        return []
    return [name for name, column in (("addPeriod", "add_grace_until"),
                                      ("renewPeriod", "renew_grace_until"),
                                      ("autoRenewPeriod", "autorenew_grace_until"),
                                      ("transferPeriod", "transfer_grace_until"))
            if row[column] and now < row[column]]


def secdns(row: sqlite3.Row) -> dict[str, object]:
    return json.loads(row["secdns"]) if row["secdns"] else {}


def info_element(conn: sqlite3.Connection, row: sqlite3.Row, name: str, *, full: bool = True,
                 hosts: str = "all", sponsor: bool = True) -> Element:
    """domain:infData for `name` (a member of the bundle `row`); limited unless `full`. The
    authInfo goes to the sponsor only (RFC 5731 3.1.2), even when another gave it."""
    info = el("domain:infData")
    sub(info, "domain:name", name)
    sub(info, "domain:roid", row["roid"])
    statusnotes.add_statuses(info, "domain:status", statuses(conn, row), row["status_reasons"])
    if full:
        if row["registrant"]:
            handle = conn.execute("SELECT handle FROM contacts WHERE id = ?",
                                  (row["registrant"],)).fetchone()
            if handle:
                sub(info, "domain:registrant", handle[0])
        for ctype, handle in conn.execute(
                "SELECT dc.type, c.handle FROM domain_contacts dc JOIN contacts c"
                " ON c.id = dc.contact_id WHERE dc.domain_id = ? ORDER BY dc.type, c.handle",
                (row["id"],)):
            sub(info, "domain:contact", handle, {"type": ctype})
        nameservers = ns_names(conn, row["id"])
        if nameservers and hosts in ("all", "del"):
            ns_el = sub(info, "domain:ns")
            for host in nameservers:
                sub(ns_el, "domain:hostObj", host)
        if hosts in ("all", "sub"):
            for (host,) in conn.execute("SELECT name FROM hosts WHERE superordinate = ?"
                                        " ORDER BY name", (row["id"],)):
                sub(info, "domain:host", host)
    sub(info, "domain:clID", row["clid"])
    sub(info, "domain:crID", row["crid"])
    sub(info, "domain:crDate", format_time(row["crdate"]))
    if full and row["upid"]:
        sub(info, "domain:upID", row["upid"])
    if row["updated"]:
        sub(info, "domain:upDate", format_time(row["updated"]))
    sub(info, "domain:exDate", format_time(row["exdate"]))
    if row["trdate"]:
        sub(info, "domain:trDate", format_time(row["trdate"]))
    if full and sponsor:
        sub(sub(info, "domain:authInfo"), "domain:pw", row["authinfo"])
    return info


def transfer_element(conn: sqlite3.Connection, row: sqlite3.Row, name: str,
                     transfer: sqlite3.Row, exdate: int | None = None) -> Element:
    data = el("domain:trnData")
    sub(data, "domain:name", name)
    sub(data, "domain:trStatus", transfer["status"])
    sub(data, "domain:reID", transfer["reid"])
    sub(data, "domain:reDate", format_time(transfer["redate"]))
    sub(data, "domain:acID", transfer["acid"])
    sub(data, "domain:acDate", format_time(transfer["acdate"]))
    if exdate is not None:
        sub(data, "domain:exDate", format_time(exdate))
    return data


def bundle_names_of(conn: sqlite3.Connection, row: sqlite3.Row) -> list[str]:
    return members(conn, row["id"])
