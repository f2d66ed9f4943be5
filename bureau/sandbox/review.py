"""Names under review (RFC 5731 sections 3.2.1 and 3.3): a create in a TLD with `review_days`
answers 1001 and leaves the domain in pendingCreate, unusable. The registry decides
`review_days` later (approves), or earlier when its staff say so (operator.py). The sponsor
then gets a poll message with domain:panData naming the create's transaction: approved, the
name is created from that day; refused, it is removed and the create fee credited back.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from bureau.sandbox import billing, domainview, lifecycle, poll
from bureau.sandbox.context import Ctx
from bureau.sandbox.errors import EppError
from bureau.sandbox.lifecycle import DAY, add_years, pan_data
from bureau.sandbox.policy import RegistryConfig

EVENT = "review_end"


def hold(ctx: Ctx, domain_id: int, years: int, review_days: int) -> None:
    """Keep a just-created domain pending until the review ends."""
    ctx.conn.execute("UPDATE domains SET state = ?, add_grace_until = NULL WHERE id = ?",
                     (domainview.UNDER_REVIEW, domain_id))
    ctx.conn.execute("INSERT OR REPLACE INTO reviews (domain_id, years, cltrid, svtrid)"
                     " VALUES (?, ?, ?, ?)", (domain_id, years, ctx.cltrid, ctx.svtrid))
    lifecycle.schedule(ctx.conn, EVENT, domain_id, ctx.now + review_days * DAY)


def decide(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int, when: int,
           approve: bool, reason: str) -> None:
    """Approve or refuse a name under review, and tell its sponsor."""
    row = domainview.by_id(conn, domain_id)
    review = conn.execute("SELECT * FROM reviews WHERE domain_id = ?", (domain_id,)).fetchone()
    if row is None or review is None or row["state"] != domainview.UNDER_REVIEW:
        raise EppError(2304, "this domain is not under review")
    conn.execute("DELETE FROM reviews WHERE domain_id = ?", (domain_id,))
    lifecycle.unschedule(conn, EVENT, domain_id)
    name = row["name"]
    if approve:
        # Created on the day of the decision: its years and add grace period start then.
        exdate = add_years(when, review["years"])
        conn.execute("UPDATE domains SET state = 'active', crdate = ?, exdate = ?,"
                     " add_grace_until = ? WHERE id = ?",
                     (when, exdate, when + config.add_grace_days * DAY, domain_id))
        lifecycle.schedule(conn, "expire", domain_id, exdate)
        message = f"Domain {name} approved after review: created"
    else:
        billing.credit(conn, row["clid"], Decimal(row["add_fee"] or "0"), name,
                       f"create refunded: refused after review ({reason})", when)
        lifecycle.purge(conn, domain_id)
        message = f"Domain {name} refused after review: {reason}"
    poll.enqueue(conn, row["clid"], when, message,
                 pan_data(name, approve, review["svtrid"], when, review["cltrid"]))


def review_end(conn: sqlite3.Connection, config: RegistryConfig, domain_id: int,
               due: int) -> None:
    """Nobody decided in time: the registry approves."""
    row = domainview.by_id(conn, domain_id)
    if row is not None and row["state"] == domainview.UNDER_REVIEW:
        decide(conn, config, domain_id, due, True, "review period ended")
