"""Run a sandbox registry in a background thread: the API for tests, benchmarks and the demo.

    from bureau.sandbox.testing import start_sandbox

    with start_sandbox(tmp_path) as sandbox:            # 127.0.0.1, a free port, TLS
        sandbox.host, sandbox.port                       # where to connect
        sandbox.ca_file                                  # CA that signed the server cert
        account = sandbox.registrars["bureau"]           # also "rival" (default config)
        account.clid, account.password                   # login credentials
        account.cert_file, account.key_file              # client certificate (CN = clID)
        sandbox.client_context("bureau")                 # ready ssl.SSLContext for a client
        sandbox.clock.advance(days=400)                  # time-driven events run lazily
        sandbox.faults.drop_after("domain:create")       # fault switches (see faults.py)
        sandbox.faults.clear()
        sandbox.operator.set_server_status("x.test", add=["serverHold"])  # registry-side
        sandbox.operator.approve_review("x.review")      # or reject_review(name, reason)
        sandbox.balance("bureau")                        # Decimal
        sandbox.domains()                                # list of dicts (name, clid, ...)
        sandbox.rdap.base_url, sandbox.rdap.bootstrap_url  # the registry's RDAP (HTTP)
        sandbox.operator.set_rdap_url("bureau", url)     # the registrar's RDAP (`related`)
    # stop() on exit; the SQLite file (state_dir/sandbox.sqlite3) keeps everything

`start_sandbox(state_dir, config=None, *, config_file=None, host="127.0.0.1", port=0,
validate_responses=True, db_path=None)`: certificates go to `state_dir/certs` (reused when
present). With `validate_responses` every response is checked against the EPP schemas before
it is sent and replaced by a 2400 naming the problem if invalid (turn off for benchmarks);
leaving the `with` block then raises AssertionError, so no test passes on such an answer.
Default TLDs: test, example (premium names), ngo+ong (bundled), xn--0zwm56d (测试,
traditional/simplified Chinese variants bundled), review (creates answer 1001 and wait 2 days
for the registry's review); registrars bureau/bureau-secret and
rival/rival-secret.
"""

from __future__ import annotations

import asyncio
import sqlite3
import ssl
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from bureau.sandbox import billing, events, store
from bureau.sandbox.certs import ensure_certificates
from bureau.sandbox.clock import Clock
from bureau.sandbox.faults import Faults
from bureau.sandbox.operator import Operator
from bureau.sandbox.policy import RegistryConfig, load_config
from bureau.sandbox.rdap import RdapServer
from bureau.sandbox.registry import Registry
from bureau.sandbox.server import EppServer, tls_context


class SandboxClock(Clock):
    """The sandbox clock; `advance` also runs the events that fell due, so that what a test
    reads straight from the file (balances, listings) is already up to date."""

    def __init__(self, conn: sqlite3.Connection, config: RegistryConfig) -> None:
        super().__init__(conn)
        self.config = config

    def advance(self, days: float = 0, hours: float = 0, seconds: float = 0) -> int:
        now = super().advance(days, hours, seconds)
        with store.transaction(self.conn):
            events.process_due(self.conn, self.config, now)
        return now


@dataclass(frozen=True)
class RegistrarCredentials:
    clid: str
    password: str
    cert_file: Path
    key_file: Path


class Sandbox:
    """A running sandbox; see the module docstring. Also a context manager."""

    def __init__(self, state_dir: Path, db_path: Path, config: RegistryConfig,
                 host: str, port: int, validate_responses: bool) -> None:
        self.state_dir = state_dir
        self.db_path = db_path
        self.config = config
        certs = ensure_certificates(state_dir / "certs", [r.id for r in config.registrars])
        self.ca_file = certs.ca_file
        self.registrars = {
            r.id: RegistrarCredentials(r.id, r.password, *certs.clients[r.id])
            for r in config.registrars
        }
        self._certs = certs
        self.host = host
        self.port = port
        self._validate = validate_responses
        self._conn = store.connect(db_path)
        store.initialise(self._conn, config)
        self.clock = SandboxClock(self._conn, config)
        self.faults = Faults(self._conn)
        self.operator = Operator(self._conn, config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: EppServer | None = None
        self._thread: threading.Thread | None = None
        self.registry: Registry | None = None
        self.rdap = RdapServer(db_path, config, host)

    def start(self) -> Sandbox:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            registry = Registry(self.db_path, self.config,
                                validate_responses=self._validate)
            self.registry = registry
            context = tls_context(self.ca_file, self._certs.server_cert,
                                  self._certs.server_key)
            self._server = EppServer(registry, context, self.host, self.port)
            try:
                loop.run_until_complete(self._server.start())
                self.port = self._server.port
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._server.stop())
                registry.close()
                loop.close()

        self._thread = threading.Thread(target=run, name="epp-sandbox", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        self.rdap.start()
        self.rdap.write_bootstrap(self.state_dir / "rdap" / "dns.json")
        return self

    def stop(self) -> None:
        self.rdap.stop()
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None
        self._conn.close()

    def client_context(self, clid: str) -> ssl.SSLContext:
        """A TLS client context trusting the sandbox CA and presenting `clid`'s certificate."""
        account = self.registrars[clid]
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.load_cert_chain(account.cert_file, account.key_file)
        return context

    def domains(self) -> list[dict[str, Any]]:
        """Every domain: name, clid, state, expires, bundle, statuses."""
        return self.operator.domains()

    def balance(self, clid: str) -> Decimal:
        return billing.balance(self._conn, clid)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        invalid = self.registry.invalid_responses if self.registry is not None else []
        if invalid and exc_type is None:
            # Each was answered 2400, which a test expecting an error could take for the
            # right answer: every frame the sandbox sends in a test must be schema-valid.
            raise AssertionError(f"the sandbox sent {len(invalid)} response(s) that do not "
                                 f"validate against the EPP schemas; the first: {invalid[0]}")


def start_sandbox(state_dir: Path, config: RegistryConfig | None = None, *,
                  config_file: Path | None = None, host: str = "127.0.0.1", port: int = 0,
                  validate_responses: bool = True, db_path: Path | None = None) -> Sandbox:
    """Start a sandbox on `host:port` (0: a free port) keeping its state in `state_dir`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    cfg = config or load_config(config_file)
    sandbox = Sandbox(state_dir, db_path or state_dir / "sandbox.sqlite3", cfg, host, port,
                      validate_responses)
    return sandbox.start()
