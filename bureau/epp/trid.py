"""Client transaction identifiers: unique per process and sortable by time."""

from __future__ import annotations

import itertools
import os
import threading
import time


class TransactionIds:
    """Makes clTRIDs like `BUR-1764072000123-4f2a-000017` (prefix, ms time, pid, counter).

    The pid keeps two processes started in the same millisecond apart; the counter keeps two
    commands of the same millisecond apart. Thread-safe.
    """

    def __init__(self, prefix: str = "BUR") -> None:
        if not 1 <= len(prefix) <= 20 or not prefix.isprintable() or " " in prefix:
            raise ValueError(f"clTRID prefix {prefix!r}: use 1-20 printable characters, no space")
        self.prefix = prefix
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            n = next(self._counter)
        return f"{self.prefix}-{int(time.time() * 1000)}-{os.getpid() & 0xFFFF:04x}-{n:06d}"


_default = TransactionIds()


def new_cltrid() -> str:
    """A fresh clTRID from the process-wide generator."""
    return _default.next()
