"""The sandbox clock: real time plus an offset stored in the SQLite file.

Any process holding the file can move the clock (tests, `bureau sandbox clock --advance 400d`);
the server reads the offset before each command, then processes what fell due.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhms]?)\s*$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1, "": 86400}


def parse_duration(text: str) -> float:
    """'400d', '12h', '30m', '90s' or a bare number of days -> seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 400d, 12h, 30m, 90s)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def format_time(epoch: int) -> str:
    """xs:dateTime in UTC, as EPP frames carry it."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.0Z")


class Clock:
    """Reads and moves the offset of one sandbox file; `now()` is integer epoch seconds."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def offset(self) -> float:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'clock_offset'").fetchone()
        return float(row[0]) if row else 0.0

    def now(self) -> int:
        return int(time.time() + self.offset())

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def set_offset(self, seconds: float) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('clock_offset', ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (repr(float(seconds)),),
        )

    def advance(self, days: float = 0, hours: float = 0, seconds: float = 0) -> int:
        """Move the clock forward (never backward: events already done stay done)."""
        delta = days * 86400 + hours * 3600 + seconds
        if delta < 0:
            raise ValueError("the sandbox clock only moves forward")
        self.set_offset(self.offset() + delta)
        return self.now()
