"""Time-driven events: a name's life (lifecycle), transfers approved by the registry when
nobody answers, and the end of a name's review.

Events live in one table ordered by due time. `process_due(now)` runs, in order, every event
due at or before `now`, each at its own due time, so the outcome does not depend on when (or
how often) the server looks: jumping 400 days gives the same state as living through them.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from bureau.sandbox import lifecycle, review, transfers
from bureau.sandbox.policy import RegistryConfig

log = logging.getLogger(__name__)

Handler = Callable[[sqlite3.Connection, RegistryConfig, int, int], None]
HANDLERS: dict[str, Handler] = {
    **lifecycle.HANDLERS,
    "transfer_auto": transfers.transfer_auto,
    "contact_transfer_auto": transfers.contact_transfer_auto,
    "review_end": review.review_end,
}


def process_due(conn: sqlite3.Connection, config: RegistryConfig, now: int) -> int:
    """Run every event due by `now`, oldest first; returns how many ran."""
    done = 0
    while True:
        row = conn.execute("SELECT id, due, kind, object_id FROM events WHERE due <= ?"
                           " ORDER BY due, id LIMIT 1", (now,)).fetchone()
        if row is None:
            return done
        conn.execute("DELETE FROM events WHERE id = ?", (row["id"],))
        handler = HANDLERS.get(row["kind"])
        if handler is None:
            log.warning("unknown event kind %s dropped", row["kind"])
        else:
            handler(conn, config, row["object_id"], row["due"])
        done += 1
