"""One writer at a time per zone (or per server), across threads and processes on one host.

Field notes: the sqlite3 backend answers "database is locked" to concurrent writers (the whole
database is one file, so two zones collide too) and PostgreSQL deadlocks with several writers on
one zone. Writes therefore go through a lock: a thread lock for the threads of this process,
plus an optional `flock` on a file for other processes of the same host (web and job workers).
Writers on several hosts need a database lock (the Django side holds one, per zone).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

Scope = Literal["zone", "server"]


class WriteLocks:
    """Hands out the lock for a zone: `with locks.hold("example.org."): ...`.

    scope="server" serialises every write to the server (right for sqlite3, where different
    zones share one database file); scope="zone" lets different zones proceed in parallel
    (right for PostgreSQL).
    """

    def __init__(self, *, scope: Scope = "zone", lock_dir: Path | str | None = None) -> None:
        self.scope: Scope = scope
        self.lock_dir = Path(lock_dir) if lock_dir is not None else None
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def key(self, zone: str) -> str:
        return "*" if self.scope == "server" else zone.lower().rstrip(".") + "."

    def _thread_lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @contextlib.contextmanager
    def hold(self, zone: str) -> Iterator[None]:
        key = self.key(zone)
        with self._thread_lock(key):
            if self.lock_dir is None:
                yield
                return
            self.lock_dir.mkdir(parents=True, exist_ok=True)
            # Hashed file name: zone names may hold characters a file name should not.
            digest = hashlib.sha256(key.encode()).hexdigest()[:32]
            with open(self.lock_dir / f"{digest}.lock", "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
