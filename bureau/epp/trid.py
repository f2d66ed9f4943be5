"""Client transaction identifiers: unique per process and sortable by time."""

from __future__ import annotations

import itertools
import os
import time


class TransactionIds:
    """Makes clTRIDs like `BUR-1764072000123-4f2a-000017` (prefix, the ms time the id was made,
    pid, counter).

    The pid keeps two processes started in the same millisecond apart; the counter keeps two
    commands of the same millisecond apart. Thread-safe: `next()` on an itertools.count is one
    C call, which the interpreter lock makes atomic.
    """

    def __init__(self, prefix: str = "BUR") -> None:
        if not 1 <= len(prefix) <= 20 or not prefix.isprintable() or " " in prefix:
            raise ValueError(f"clTRID prefix {prefix!r}: use 1-20 printable characters, no space")
        self.prefix = prefix
        self._head = f"{prefix}-"
        self._counter = itertools.count(1)

    def next(self) -> str:
        n = next(self._counter)
        return f"{self._head}{time.time_ns() // 1_000_000}-{_pid}-{n:06d}"


def _remember_pid() -> None:
    global _pid
    _pid = f"{os.getpid() & 0xFFFF:04x}"


_pid = ""
_remember_pid()
os.register_at_fork(after_in_child=_remember_pid)  # a forked worker gets its own ids

_default = TransactionIds()


def new_cltrid() -> str:
    """A fresh clTRID from the process-wide generator."""
    return _default.next()
