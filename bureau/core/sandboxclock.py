"""The demo's clock: the sandbox registry's (its offset, kept in its SQLite file), so that
moving the registry's time (``bureau forward``) moves Bureau's in every demo process."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bureau.sandbox import store
from bureau.sandbox.clock import Clock

SANDBOX_DB = "sandbox.sqlite3"


def sandbox_clock(state_dir: Path, reread_seconds: float = 1.0) -> Callable[[], datetime]:
    """A clock provider reading the sandbox's offset at most once a ``reread_seconds``."""
    path = state_dir / SANDBOX_DB
    read_at, offset = -reread_seconds, 0.0

    def now() -> datetime:
        nonlocal read_at, offset
        if time.monotonic() - read_at >= reread_seconds:
            if path.exists():
                conn = store.connect(path)
                try:
                    offset = Clock(conn).offset()
                finally:
                    conn.close()
            read_at = time.monotonic()
        return datetime.fromtimestamp(time.time() + offset, UTC)

    return now
