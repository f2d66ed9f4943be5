"""The state one sandbox server shares between its sessions: store, policy, clock, faults."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from collections import Counter
from pathlib import Path

from bureau.epp.schema import XSD_DIR, schema
from bureau.sandbox import events, store
from bureau.sandbox.clock import Clock
from bureau.sandbox.faults import Fault, Faults
from bureau.sandbox.policy import RegistryConfig
from bureau.sandbox.xmlio import make_parser

log = logging.getLogger(__name__)


class Registry:
    def __init__(self, db_path: Path, config: RegistryConfig, *,
                 validate_responses: bool = False) -> None:
        self.db_path = db_path
        self.config = config
        self.conn: sqlite3.Connection = store.connect(db_path)
        store.initialise(self.conn, config)
        self.clock = Clock(self.conn)
        self.faults = Faults(self.conn)
        self.parser = make_parser()
        # A private compiled schema (a few ms): lxml validators keep their error log on the
        # instance, so sharing the cached one with client code in other threads is unsafe.
        self.schema = schema.__wrapped__(XSD_DIR)
        self.validate_responses = validate_responses
        # Responses that failed validation (each answered 2400 instead): a test harness asks.
        self.invalid_responses: list[str] = []
        self.sessions: Counter[str] = Counter()  # clID -> open sessions
        self._trid = itertools.count(1)
        # Clock offset and fault switches, re-read only when another connection committed
        # (PRAGMA data_version changes then): saves two queries per command.
        self._version: int | None = None
        self._offset = 0.0
        self._faults: list[Fault] = []
        self._next_due: float | None = None  # earliest event; None: unknown, ask SQLite
        # Inside one command (begin_command .. end_command, no await in between) the version
        # is read once, not before each of the fault, clock and close-after look-ups.
        self._fresh = False
        self._trid_prefix = f"SBX-{self.clock.now():x}"

    def svtrid(self) -> str:
        return f"{self._trid_prefix}-{next(self._trid)}"

    def begin_command(self) -> None:
        """Read what other connections committed (once), for the command about to run."""
        self._fresh = False
        self._refresh()
        self._fresh = True

    def end_command(self) -> None:
        """Call before the server awaits anything: others may commit meanwhile."""
        self._fresh = False

    def _refresh(self) -> None:
        if self._fresh and self._version is not None:
            return
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._version = version
            self._next_due = None
            self._offset = self.clock.offset()
            self._faults = self.faults.active()

    def now(self) -> int:
        self._refresh()
        return int(time.time() + self._offset)

    def take_faults(self, command: str, kinds: tuple[str, ...]) -> list[Fault]:
        """The switches of `kinds` matching `command`, each counted as fired once."""
        self._refresh()
        fired = [f for f in self._faults
                 if f.kind in kinds and (f.command is None or f.command == command)]
        for fault in fired:
            self.faults.take_one(fault)
        if fired:
            self._version = None  # our own write: data_version does not show it
        return fired

    def close_after_faults(self) -> list[Fault]:
        self._refresh()
        return [f for f in self._faults if f.kind == "close_after"]

    def fault_fired(self, fault: Fault) -> None:
        self.faults.take_one(fault)
        self._version = None

    def tick(self) -> int:
        """Process the events that fell due; the server calls it before each command."""
        now = self.now()
        if self._next_due is None:
            row = self.conn.execute("SELECT MIN(due) FROM events").fetchone()
            self._next_due = float("inf") if row[0] is None else row[0]
        if now >= self._next_due:
            with store.transaction(self.conn):
                events.process_due(self.conn, self.config, now)
            self._next_due = None
        return now

    def events_changed(self) -> None:
        """A command of ours may have scheduled events: look again before the next one."""
        self._next_due = None

    def close(self) -> None:
        self.conn.close()
