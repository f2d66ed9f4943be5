"""What was deposited before: the names an incremental deposit must leave out.

An incremental deposit holds every name not in the most recent full deposit nor in any
incremental since (spec 4.1.11). The registrar provides a :class:`NameLookup`; Bureau's Django
side can implement it over its deposit history table (and a :class:`NameRecorder` to record
what was deposited), and :class:`NameIndex` is a ready-made on-disk one of both (SQLite)
that stays small in memory for millions of names.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

_BATCH = 900  # below SQLite's default limit of host parameters


class NameLookup(Protocol):
    def present(self, names: Sequence[str]) -> set[str]:
        """Return those of ``names`` already deposited (called with batches of names)."""
        ...


@runtime_checkable
class NameRecorder(Protocol):
    """Where the writer records the names of a complete deposit (``DepositConfig.record_to``):
    a full deposit replaces the recorded names, an incremental adds to them. Returns the
    number of names recorded. :class:`NameIndex` is one; the Django side has its own."""

    def record(self, kind: str, names: Iterable[str]) -> int: ...


class SetLookup:
    """A NameLookup over an in-memory set (tests, small registrars)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)

    def present(self, names: Sequence[str]) -> set[str]:
        return {n for n in names if n in self.names}


class NameIndex:
    """The names of the latest full deposit plus the incrementals since, in a SQLite file.

    ``record(kind, names)`` is called by the writer once the deposit is complete: a full
    deposit replaces the index (built in a new file, then renamed, so a crash never leaves a
    half index), an incremental adds to it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL" if path == self.path else "PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY) WITHOUT ROWID")
        return db

    def present(self, names: Sequence[str]) -> set[str]:
        if not self.path.exists():
            return set()
        db = self._connect(self.path)
        try:
            found: set[str] = set()
            for i in range(0, len(names), _BATCH):
                chunk = list(names[i : i + _BATCH])
                q = "SELECT name FROM names WHERE name IN ({})".format(",".join("?" * len(chunk)))
                found.update(r[0] for r in db.execute(q, chunk))
            return found
        finally:
            db.close()

    def record(self, kind: str, names: Iterable[str]) -> int:
        if kind not in ("full", "inc"):
            raise ValueError(f"kind must be full or inc, not {kind!r}")
        target = self.path.with_suffix(".new") if kind == "full" else self.path
        if kind == "full" and target.exists():
            target.unlink()
        db = self._connect(target)
        count = 0
        try:
            batch: list[tuple[str]] = []
            for n in names:
                batch.append((n,))
                if len(batch) >= 10_000:
                    db.executemany("INSERT OR IGNORE INTO names VALUES (?)", batch)
                    count += len(batch)
                    batch.clear()
            db.executemany("INSERT OR IGNORE INTO names VALUES (?)", batch)
            count += len(batch)
            db.commit()
        finally:
            db.close()
        if kind == "full":
            for extra in ("-wal", "-shm"):
                Path(str(self.path) + extra).unlink(missing_ok=True)
            os.replace(target, self.path)
        return count
