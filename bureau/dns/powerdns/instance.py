"""Run a private PowerDNS Authoritative server on loopback (tests, `make run`, benchmarks).

Each instance has its own folder (config, sqlite database, control socket, log), free ports for
DNS and for the HTTP API, and a generated API key. It never touches /etc/powerdns.

    with PowerDNSInstance(tmp_path) as pdns:
        client = PowerDNSClient(pdns.api_url, pdns.api_key)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

import httpx

from bureau.dns.powerdns.errors import PowerDNSStartError

PDNS_SERVER = "pdns_server"
SCHEMA_DIRS = (
    Path("/usr/share/pdns-backend-sqlite3/schema"),
    Path("/usr/share/doc/pdns-backend-sqlite3"),
    Path("/usr/share/pdns-backend-pgsql/schema"),
    Path("/usr/share/doc/pdns-backend-pgsql"),
)
# ns1.@ keeps the SOA valid for any zone; Bureau sets its real NS names when it creates zones.
DEFAULT_SOA_CONTENT = "ns1.@ hostmaster.@ 0 10800 3600 604800 3600"
Backend = Literal["sqlite3", "gpgsql"]


@dataclass(frozen=True)
class PostgresDatabase:
    """Where the gpgsql backend keeps its data (the database must exist)."""

    dbname: str
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""

    def conninfo(self) -> str:
        parts = [f"host={self.host}", f"port={self.port}", f"dbname={self.dbname}"]
        parts.append(f"user={self.user}")
        if self.password:
            parts.append(f"password={self.password}")
        return " ".join(parts)


def find_schema(filename: str) -> Path:
    """The schema Debian ships with the backend package (its location moved between releases)."""
    for folder in SCHEMA_DIRS:
        candidate = folder / filename
        if candidate.exists():
            return candidate
    raise PowerDNSStartError(
        f"{filename} not found in {', '.join(map(str, SCHEMA_DIRS))}: "
        "install pdns-backend-sqlite3 / pdns-backend-pgsql (scripts/system-deps)"
    )


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (DNS needs both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port: int = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise PowerDNSStartError("no free port on 127.0.0.1")


class PowerDNSInstance:
    """A `pdns_server` subprocess with its own config, database and ports; a context manager."""

    def __init__(
        self,
        workdir: Path | str,
        *,
        backend: Backend = "sqlite3",
        postgres: PostgresDatabase | None = None,
        primary: bool = True,
        secondary: bool = False,
        api_key: str | None = None,
        dns_port: int | None = None,
        api_port: int | None = None,
        also_notify: Sequence[str] = (),
        default_soa_content: str = DEFAULT_SOA_CONTENT,
        settings: Mapping[str, str] | None = None,
        startup_timeout: float = 20.0,
    ) -> None:
        if backend == "gpgsql" and postgres is None:
            raise ValueError("backend='gpgsql' needs postgres=PostgresDatabase(...)")
        self.workdir = Path(workdir)
        self.backend: Backend = backend
        self.postgres = postgres
        self.primary = primary
        self.secondary = secondary
        # A workdir that already has a config keeps its key, so `make run` restarts cleanly.
        self.api_key = api_key or self._previous_api_key() or secrets.token_urlsafe(24)
        self.dns_port = dns_port or free_port()
        self.api_port = api_port or free_port()
        self.also_notify = list(also_notify)
        self.default_soa_content = default_soa_content
        self.extra_settings = dict(settings or {})
        self.startup_timeout = startup_timeout
        self.address = "127.0.0.1"
        self._process: subprocess.Popen[bytes] | None = None

    def _previous_api_key(self) -> str | None:
        try:
            lines = (self.workdir / "pdns.conf").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            key, _, value = line.partition("=")
            if key.strip() == "api-key" and value.strip():
                return value.strip()
        return None

    @property
    def api_url(self) -> str:
        return f"http://{self.address}:{self.api_port}"

    @property
    def config_path(self) -> Path:
        return self.workdir / "pdns.conf"

    @property
    def log_path(self) -> Path:
        return self.workdir / "pdns.log"

    @property
    def sqlite_path(self) -> Path:
        return self.workdir / "pdns.sqlite3"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def settings(self) -> dict[str, str]:
        """Every pdns.conf setting this instance runs with."""
        conf = {
            "daemon": "no",
            "guardian": "no",
            "write-pid": "no",
            "disable-syslog": "yes",
            "log-timestamp": "no",
            "loglevel": "4",
            "socket-dir": str(self.workdir),
            "local-address": self.address,
            "local-port": str(self.dns_port),
            "api": "yes",
            "api-key": self.api_key,
            "webserver": "yes",
            "webserver-address": self.address,
            "webserver-port": str(self.api_port),
            "webserver-allow-from": "127.0.0.0/8,::1",
            "webserver-loglevel": "none",
            # A 10,000-record import is one PATCH of a few MB.
            "webserver-max-bodysize": "64",
            "primary": "yes" if self.primary else "no",
            "secondary": "yes" if self.secondary else "no",
            # Transfers only with the transfer key (TSIG), set per zone by Bureau.
            "allow-axfr-ips": "",
            "allow-notify-from": "127.0.0.0/8,::1",
            "default-soa-content": self.default_soa_content,
            "default-api-rectify": "yes",
            # Serial moves on every API change (YYYYMMDDnn), so secondaries see each change.
            "default-soa-edit": "INCEPTION-INCREMENT",
            "version-string": "anonymous",
            # No security-status lookups over the Internet: the instance stays on loopback.
            "security-poll-suffix": "",
            # RFC 2136 updates from Bureau only: a zone takes them from the addresses and
            # key its metadata names (bureau.dns.publish.allow_updates), none from anywhere
            # else. Members' ACME keys go to Bureau's own door (bureau.dns.updates).
            "dnsupdate": "yes",
            "allow-dnsupdate-from": "",
        }
        if self.also_notify:
            conf["also-notify"] = ",".join(self.also_notify)
        if self.secondary:
            # Retry failed transfers soon; NOTIFY does the real work.
            conf["xfr-cycle-interval"] = "5"
        if self.backend == "sqlite3":
            conf.update(
                {
                    "launch": "gsqlite3",
                    "gsqlite3-database": str(self.sqlite_path),
                    "gsqlite3-dnssec": "yes",
                    "gsqlite3-pragma-journal-mode": "WAL",
                }
            )
        else:
            assert self.postgres is not None
            pg = self.postgres
            conf.update(
                {
                    "launch": "gpgsql",
                    "gpgsql-host": pg.host,
                    "gpgsql-port": str(pg.port),
                    "gpgsql-dbname": pg.dbname,
                    "gpgsql-user": pg.user,
                    "gpgsql-password": pg.password,
                    "gpgsql-dnssec": "yes",
                }
            )
        conf.update(self.extra_settings)
        return conf

    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        lines = [f"{key}={value}" for key, value in self.settings().items()]
        self.config_path.write_text("\n".join(lines) + "\n")
        self.config_path.chmod(0o600)  # it holds the API key

    def init_database(self) -> None:
        """Create the backend's tables if they are not there yet (idempotent)."""
        if self.backend == "sqlite3":
            with contextlib.closing(sqlite3.connect(self.sqlite_path)) as db:
                exists = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='domains'"
                ).fetchone()
                if not exists:
                    db.executescript(find_schema("schema.sqlite3.sql").read_text())
                    db.commit()
            return
        import psycopg  # only the PostgreSQL backend needs it

        assert self.postgres is not None
        with psycopg.connect(self.postgres.conninfo(), autocommit=True) as conn:
            row = conn.execute("SELECT to_regclass('public.domains')").fetchone()
            if row is None or row[0] is None:
                conn.execute(find_schema("schema.pgsql.sql").read_text())

    def start(self) -> None:
        if self.running:
            return
        if shutil.which(PDNS_SERVER) is None and not Path("/usr/sbin/pdns_server").exists():
            raise PowerDNSStartError(
                "pdns_server not found: install pdns-server (scripts/system-deps)"
            )
        binary = shutil.which(PDNS_SERVER) or "/usr/sbin/pdns_server"
        self.write_config()
        self.init_database()
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                [binary, f"--config-dir={self.workdir}"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                start_new_session=True,  # a Ctrl-C in the terminal is for us, not for it
            )
        finally:
            log.close()
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.api_url}/api/v1/servers/localhost"
        with httpx.Client(headers={"X-API-Key": self.api_key}, timeout=1.0) as http:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise PowerDNSStartError(
                        f"pdns_server exited with status {self._process.returncode}:\n"
                        + self.log_tail()
                    )
                try:
                    if http.get(url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.stop()
        raise PowerDNSStartError(
            f"pdns_server API did not answer on {url} within {self.startup_timeout} s:\n"
            + self.log_tail()
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def __enter__(self) -> PowerDNSInstance:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (
            f"PowerDNSInstance(dns=127.0.0.1:{self.dns_port}, api={self.api_url}, "
            f"backend={self.backend})"
        )
