"""The state one sandbox server shares between its sessions: store, policy, clock, faults."""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections import Counter
from pathlib import Path

from bureau.epp.schema import schema
from bureau.sandbox import lifecycle, store
from bureau.sandbox.clock import Clock
from bureau.sandbox.faults import Faults
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
        self.schema = schema()  # compiled once per process (cached)
        self.validate_responses = validate_responses
        self.sessions: Counter[str] = Counter()  # clID -> open sessions
        self._trid = itertools.count(1)
        self._trid_prefix = f"SBX-{self.clock.now():x}"

    def svtrid(self) -> str:
        return f"{self._trid_prefix}-{next(self._trid)}"

    def tick(self) -> int:
        """Process the events that fell due; the server calls it before each command."""
        now = self.clock.now()
        if lifecycle.has_due(self.conn, now):
            with store.transaction(self.conn):
                lifecycle.process_due(self.conn, self.config, now)
        return now

    def close(self) -> None:
        self.conn.close()
