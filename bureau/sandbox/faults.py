"""Fault injection switches, stored in the SQLite file so another process can set them.

Kinds:
- `drop_before`: close the connection before executing the command (no effect, no answer);
- `drop_after`: execute the command, then close without answering (effect, no answer);
- `delay`: wait `value` milliseconds before sending the answer;
- `fail`: answer 2400 (command failed) without executing;
- `close_after`: close the connection after its `value`-th command has been answered.

Each switch targets one command name (`domain:create`, `login`, `poll`, `hello`...; None for
all) and fires `times` times (None: until cleared).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

KINDS = ("drop_before", "drop_after", "delay", "fail", "close_after")


@dataclass(frozen=True)
class Fault:
    id: int
    kind: str
    command: str | None
    remaining: int | None
    value: int


class Faults:
    """Set, list and clear switches (the server reads them through Registry.take_faults)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, kind: str, command: str | None = None, times: int | None = 1,
            value: int = 0) -> int:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for always)")
        if kind in ("delay", "close_after") and value < 1:
            raise ValueError(f"{kind} needs a positive value (milliseconds or commands)")
        cur = self.conn.execute(
            "INSERT INTO faults (kind, command, remaining, value) VALUES (?, ?, ?, ?)",
            (kind, command, times, value),
        )
        return int(cur.lastrowid or 0)

    # Shortcuts that read like the test they are used in.
    def drop_before(self, command: str | None = None, times: int | None = 1) -> int:
        return self.add("drop_before", command, times)

    def drop_after(self, command: str | None = None, times: int | None = 1) -> int:
        return self.add("drop_after", command, times)

    def delay(self, ms: int, command: str | None = None, times: int | None = 1) -> int:
        return self.add("delay", command, times, ms)

    def fail(self, command: str | None = None, times: int | None = 1) -> int:
        return self.add("fail", command, times)

    def close_after(self, commands: int, times: int | None = 1) -> int:
        return self.add("close_after", None, times, commands)

    def clear(self) -> None:
        self.conn.execute("DELETE FROM faults")

    def active(self) -> list[Fault]:
        rows = self.conn.execute(
            "SELECT id, kind, command, remaining, value FROM faults"
            " WHERE remaining IS NULL OR remaining > 0 ORDER BY id"
        ).fetchall()
        return [Fault(*row) for row in rows]

    def take_one(self, fault: Fault) -> None:
        if fault.remaining is not None:
            self.conn.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?",
                              (fault.id,))
