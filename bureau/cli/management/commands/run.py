"""`bureau run`: the embedded demo, for `make run`.

Migrates the database, gathers the static files, starts the sandbox registry (TLS on
127.0.0.1), points a registry and its TLDs at it, loads demo data, then runs the job worker
and the web server (gunicorn, as in production) until Ctrl-C, and stops everything cleanly.
It supervises both: one that stops is reported and started again, after a pause that doubles
with each quick failure (1 s, 2 s, 4 s... up to a minute). The `bureau` command sets
BUREAU_DEMO=1 and BUREAU_HTTPS=0 for it (see bureau/cli/__init__.py and docs/configuration.md).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bureau.cli.tldzones import publish_tld_zones
from bureau.core.keys import keep_secret, private_file
from bureau.dns.powerdns import PowerDNSClient, PowerDNSError
from bureau.dns.powerdns.instance import PowerDNSInstance
from bureau.env import RUN_SETTINGS, env_int, env_str
from bureau.registrar.demo import load_demo_data
from bureau.registrar.registries import connection
from bureau.registrar.registries.sandbox import configure
from bureau.sandbox.testing import start_sandbox

from ...demo import load_life

logger = logging.getLogger("bureau.run")
BACKOFF_MAX = 60.0  # seconds between two restarts at most
STEADY = 30.0  # a child that ran this long before stopping is restarted at once


class Child:
    """A supervised process: restarted when it stops, with a growing pause if it keeps
    stopping soon after it started."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.quick_failures = 0
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env)
        self.started = time.monotonic()
        self.restart_at = None

    def supervise(self, now: float) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            return
        if self.restart_at is None:
            ran = now - self.started
            self.quick_failures = 0 if ran >= STEADY else self.quick_failures + 1
            delay = 0.0 if not self.quick_failures else min(
                BACKOFF_MAX, 2.0 ** (self.quick_failures - 1))
            logger.error("the %s stopped (exit code %s) after %.0f s; starting it again in "
                         "%.0f s", self.name, self.process.returncode, ran, delay)
            self.restart_at = now + delay
        if now >= self.restart_at:
            self.start()
            logger.warning("the %s started again (pid %s)", self.name, self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _loopback(addr: str) -> bool:
    host = addr.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


TLD_ZONES_EVERY = 30.0
TLD_ANCHORS = "sandbox-tld-anchors.conf"


def publish_sandbox_tlds(sandbox: Any, powerdns: PowerDNSInstance) -> None:
    """The sandbox's TLD zones, signed, on the demo's PowerDNS, and the file of their keys'
    DS for delv (`delv -a FILE +root=test. @127.0.0.1 -p PORT name.test`)."""
    try:
        with PowerDNSClient(powerdns.api_url, powerdns.api_key) as client:
            anchors = publish_tld_zones(client, sandbox.db_path, sandbox.config.tlds)
    except (PowerDNSError, OSError):
        logging.getLogger("bureau.cli").warning("sandbox TLD zones not published",
                                                exc_info=True)
        return
    text = " ".join(f'{tld}. static-ds {t} {a} {d} "{h}";' for tld, records in anchors.items()
                    for t, a, d, h in (ds.split(maxsplit=3) for ds in records))
    (settings.STATE_DIR / TLD_ANCHORS).write_text(f"trust-anchors {{ {text} }};\n")


def write_run_settings(values: dict[str, str]) -> None:
    """Kept for `bureau` commands typed in another shell (`bureau.env.adopt_run_settings`);
    readable by its owner only, as it holds PowerDNS's API key."""
    path = private_file(settings.STATE_DIR / RUN_SETTINGS)
    path.write_text(json.dumps(values, indent=1) + "\n")


class Command(BaseCommand):
    help = "Run Bureau with the sandbox registry, the job worker and the web server."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--addr", default=env_str("BUREAU_ADDR", "127.0.0.1:8000"),
                            help="where the web server listens (default 127.0.0.1:8000)")
        parser.add_argument("--sandbox-port", type=int,
                            default=env_int("BUREAU_SANDBOX_PORT", 7000),
                            help="EPP port of the sandbox registry (default 7000; 0: any)")
        parser.add_argument("--no-sandbox", action="store_true",
                            help="do not start the sandbox (registries are configured already)")
        parser.add_argument("--no-dns", action="store_true",
                            help="do not start a local PowerDNS for DNS hosting")

    def handle(self, *args: Any, addr: str, sandbox_port: int, no_sandbox: bool,
               no_dns: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database ready: " + str(settings.DATABASES["default"]["NAME"]))
        call_command("collectstatic", interactive=False, verbosity=0)
        sandbox = None if no_sandbox else self.start_sandbox(sandbox_port)
        logins = load_demo_data()
        # What this demo's processes are told, and commands typed in another shell too.
        shared = {"BUREAU_PORTAL_URL": str(settings.BUREAU_PORTAL_URL)}
        if sandbox is not None:  # `bureau forward` moves the registry's clock and Bureau's
            shared["BUREAU_CLOCK_FOLLOWS_SANDBOX"] = "1"
        powerdns, dns_line = (None, "off (--no-dns)") if no_dns else self.start_powerdns(shared)
        write_run_settings(shared)
        env = {**os.environ, **shared, "BUREAU_STATE_DIR": str(settings.STATE_DIR),
               "DJANGO_SETTINGS_MODULE": "bureau.settings"}
        try:
            for line in load_life(registry=sandbox is not None, dns=powerdns is not None):
                self.stdout.write("demo: " + line)
        except Exception as exc:  # the demo runs without its examples rather than not at all
            logger.exception("demo data not loaded")
            self.stdout.write(f"demo names, member and ballot not loaded: {exc}")
        bureau = [sys.executable, "-m", "bureau.cli"]
        children = [
            Child("worker", [*bureau, "worker", "--no-startup-delay", "--no-reload"], env),
            Child("web server", [sys.executable, "-m", "gunicorn", "-c", "python:bureau.serve",
                                 "--bind", addr], env),
        ]
        if powerdns is not None:  # members' ACME keys (certificates for their names)
            children.append(Child("DNS update service", [*bureau, "dns_updates"], env))
        # `kill` or a service manager stops Bureau as cleanly as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            for child in children:
                child.start()
            self.wait_listening(addr, children[1])
            self.print_summary(addr, sandbox, logins, dns_line)
            tlds_due = 0.0
            while True:
                now = time.monotonic()
                for child in children:
                    child.supervise(now)
                if sandbox is not None and powerdns is not None and now >= tlds_due:
                    tlds_due = now + TLD_ZONES_EVERY
                    publish_sandbox_tlds(sandbox, powerdns)
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nstopping...")
        finally:
            for child in children:
                child.stop()
            for child in children:
                child.wait()
            connection.close_all()
            if sandbox is not None:
                sandbox.stop()
            if powerdns is not None:
                powerdns.stop()
            self.stdout.write("stopped.")

    def wait_listening(self, addr: str, web: Child, timeout: float = 30.0) -> None:
        """Until the web server accepts connections (or stops: supervision takes over)."""
        host, _, port = addr.rpartition(":")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and web.process and web.process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(
                    (host.strip("[]") or "127.0.0.1", int(port)), timeout=1):
                return
            time.sleep(0.2)

    def start_sandbox(self, port: int) -> Any:
        try:
            sandbox = start_sandbox(settings.STATE_DIR / "sandbox", port=port)
        except OSError as exc:
            raise CommandError(
                f"the sandbox registry cannot listen on 127.0.0.1:{port} ({exc}); pass "
                "--sandbox-port 0 or set BUREAU_SANDBOX_PORT to a free port") from exc
        configure(sandbox)
        return sandbox

    def start_powerdns(self, env: dict[str, str]) -> tuple[Any, str]:
        """A private PowerDNS on loopback for DNS hosting, when pdns_server is there; without it
        Bureau runs with DNS hosting off."""
        state = settings.STATE_DIR
        instance = PowerDNSInstance(state / "powerdns",
                                    api_key=keep_secret(state / "powerdns-api-key", 24))
        try:
            instance.start()
        except Exception as exc:  # missing binary, port taken: run without DNS hosting
            return None, f"off ({exc})"
        values = {"BUREAU_PDNS_API_URL": instance.api_url,
                  "BUREAU_PDNS_API_KEY": instance.api_key,
                  "BUREAU_PDNS_PRIMARY_ADDRESS": f"127.0.0.1:{instance.dns_port}",
                  "BUREAU_DNS_PORT": str(instance.dns_port)}
        env.update(values)
        for name, value in values.items():  # this process too (demo data, CLI calls)
            setattr(settings, name, int(value) if name == "BUREAU_DNS_PORT" else value)
        if not settings.BUREAU_DNS_PARKING_ADDRESSES:  # parked names: this machine's page
            env["BUREAU_DNS_PARKING_ADDRESSES"] = "127.0.0.1"
            settings.BUREAU_DNS_PARKING_ADDRESSES = ["127.0.0.1"]
        return instance, f"PowerDNS on 127.0.0.1:{instance.dns_port}, API {instance.api_url}"

    def print_summary(self, addr: str, sandbox: Any, logins: list[Any], dns_line: str) -> None:
        lines = ["", "Bureau is running (Ctrl-C stops everything):",
                 f"  portal                http://{addr}/  (operators: http://{addr}/admin/)",
                 f"  web server            gunicorn, {env_int('BUREAU_WEB_WORKERS', 2)} "
                 f"processes; static files from {settings.STATIC_ROOT}",
                 f"  health                http://{addr}/health/"]
        if sandbox is not None:
            lines.append(f"  sandbox registry      EPP over TLS on {sandbox.host}:{sandbox.port}"
                         f" (state in {sandbox.state_dir})")
            lines.append("  sandbox TLD zones     signed on the DNS hosting's PowerDNS every "
                         f"{TLD_ZONES_EVERY:.0f} s; delv's trust anchors in "
                         f"{settings.STATE_DIR / TLD_ANCHORS}")
        lines += [f"  DNS hosting           {dns_line}",
                  f"  ACME key updates      RFC 2136 on {settings.BUREAU_DNS_UPDATE_LISTEN} "
                  "(UDP, TCP)",
                  "  job worker            `bureau worker` (periodic: poll, reconcile; "
                  "restarted if it stops)",
                  f"  database              {settings.DATABASES['default']['NAME']}",
                  f"  state folder          {settings.STATE_DIR} (keys, database; "
                  "BUREAU_STATE_DIR)",
                  "  logs                  JSON lines on standard error",
                  "", "Demo settings (docs/configuration.md; production sets them otherwise):",
                  "  BUREAU_DEMO=1         keys generated once in the state folder",
                  "  BUREAU_HTTPS=0        plain http: cookies not marked Secure, no redirect "
                  "to https, no HSTS",
                  "  BUREAU_DEBUG=" + ("1          debug pages on" if settings.DEBUG else
                                       "0          debug pages off; `BUREAU_DEBUG=1 make run` "
                                       "turns them on")]
        if not _loopback(addr):
            lines += ["", f"Careful: {addr} is not a loopback address and the demo speaks plain "
                      "http: passwords would cross the network in clear."]
        lines += ["", "Logins:"]
        lines += [f"  {login.email} (admin: {login.username}) / {login.password}   {login.role}"
                  for login in logins]
        # The `bureau` beside this Python (.venv/bin/bureau after `make run`): it is not on
        # the PATH unless the virtual environment is activated.
        cli = Path(sys.executable).parent / "bureau"
        with contextlib.suppress(ValueError):
            cli = cli.relative_to(Path.cwd())
        lines += ["", "Try, from another shell in this folder (README.md, \"Try it\"):",
                  f"  {cli} domain check libre.test",
                  f"  {cli} domain register libre.test --org demo",
                  f"  {cli} sandbox domains              # what the registry holds",
                  f"  {cli} domain renew libre.test",
                  f"  {cli} sandbox clock --advance 800d # past expiry: auto-renewed",
                  f"  {cli} domain poll                  # Bureau hears of it",
                  f"  {cli} domain delete libre.test",
                  f"  {cli} domain restore libre.test",
                  f"  {cli} domain history libre.test", ""]
        self.stdout.write("\n".join(lines))
