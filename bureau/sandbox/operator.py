"""Registry-side actions (what registry staff do, not registrars): server statuses, decisions
on names under review, listings.

They work on the SQLite file directly, from any process; the changed domain's sponsor gets
an RFC 8590 changePoll message (a domain:panData one for a review's decision).
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from bureau.sandbox import domainview, events, poll, review, statusnotes, store
from bureau.sandbox.clock import Clock, format_time
from bureau.sandbox.errors import EppError
from bureau.sandbox.lifecycle import change_poll
from bureau.sandbox.policy import RegistryConfig

SERVER_STATUSES = frozenset({"serverDeleteProhibited", "serverHold", "serverRenewProhibited",
                             "serverTransferProhibited", "serverUpdateProhibited"})


class Operator:
    def __init__(self, conn: sqlite3.Connection, config: RegistryConfig) -> None:
        self.conn = conn
        self.config = config
        self.clock = Clock(conn)

    def set_rdap_url(self, clid: str, url: str) -> None:
        """Where the registry's RDAP answers send clients for `clid`'s names (`related`)."""
        with store.transaction(self.conn):
            done = self.conn.execute("UPDATE registrars SET rdap_url = ? WHERE id = ?",
                                     (url, clid)).rowcount
        if not done:
            raise ValueError(f"no registrar {clid!r}")

    def set_server_status(self, name: str, add: list[str] | None = None,
                          remove: list[str] | None = None, reason: str = "registry action",
                          who: str = "registry staff") -> None:
        for status in (add or []) + (remove or []):
            if status not in SERVER_STATUSES:
                raise ValueError(f"{status} is not a server status "
                                 f"({', '.join(sorted(SERVER_STATUSES))})")
        now = self.clock.now()
        with store.transaction(self.conn):
            row = domainview.find(self.conn, name)
            if row is None:
                raise EppError(2303, f"domain {name} does not exist")
            statuses = [s for s in row["statuses"].split() if s not in (remove or [])]
            statuses += [s for s in add or [] if s not in statuses]
            reasons = statusnotes.with_reason(row["status_reasons"], add or [], remove or [],
                                              reason)
            self.conn.execute("UPDATE domains SET statuses = ?, status_reasons = ?, updated = ?"
                              " WHERE id = ?", (" ".join(statuses), reasons, now, row["id"]))
            row = domainview.by_id(self.conn, row["id"])
            poll.enqueue(self.conn, row["clid"], now, f"Domain {name} updated by the registry:"
                         f" {reason}", domainview.info_element(self.conn, row, row["name"]),
                         change_poll("update", now, f"SBX-OP-{uuid.uuid4().hex[:16]}", who,
                                     reason))

    def approve_review(self, name: str) -> None:
        """Approve a name under review now (see review.py)."""
        self._decide_review(name, True, "approved by registry staff")

    def reject_review(self, name: str, reason: str = "refused by registry staff") -> None:
        """Refuse a name under review: removed, its create fee credited back."""
        self._decide_review(name, False, reason)

    def _decide_review(self, name: str, approve: bool, reason: str) -> None:
        now = self.clock.now()
        with store.transaction(self.conn):
            events.process_due(self.conn, self.config, now)  # a review may have ended
            row = domainview.find(self.conn, name)
            if row is None:
                raise EppError(2303, f"domain {name} does not exist")
            if row["state"] != domainview.UNDER_REVIEW:
                raise EppError(2304, f"domain {name} is not under review ({row['state']})")
            review.decide(self.conn, self.config, row["id"], now, approve, reason)

    def domains(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM domains ORDER BY name").fetchall()
        result = []
        for row in rows:
            result.append({
                "name": row["name"], "clid": row["clid"], "state": row["state"],
                "expires": format_time(row["exdate"]),
                "bundle": domainview.bundle_names_of(self.conn, row),
                "statuses": domainview.statuses(self.conn, row),
            })
        return result
