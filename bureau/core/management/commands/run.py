"""`bureau run`: Bureau on its embedded defaults, for `make run`.

Migrates the database, starts the sandbox registry (TLS on 127.0.0.1), points a registry
and its TLDs at it, loads demo data, then runs the job worker and the web server until
Ctrl-C, and stops everything cleanly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run Bureau with the sandbox registry, the job worker and the web server."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("BUREAU_ADDR", "127.0.0.1:8000"),
                            help="where the web server listens (default 127.0.0.1:8000)")
        parser.add_argument("--sandbox-port", type=int,
                            default=int(os.environ.get("BUREAU_SANDBOX_PORT", "7000")),
                            help="EPP port of the sandbox registry (default 7000; 0: any)")
        parser.add_argument("--no-sandbox", action="store_true",
                            help="do not start the sandbox (registries are configured already)")
        parser.add_argument("--no-dns", action="store_true",
                            help="do not start a local PowerDNS for DNS hosting")

    def handle(self, *args: Any, addr: str, sandbox_port: int, no_sandbox: bool,
               no_dns: bool, **options: Any) -> None:
        from bureau.registrar.demo import load_demo_data
        from bureau.registrar.registries import connection

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database ready: " + str(settings.DATABASES["default"]["NAME"]))
        sandbox = None if no_sandbox else self.start_sandbox(sandbox_port)
        logins = load_demo_data()
        env = {**os.environ, "BUREAU_VAR_DIR": str(settings.VAR_DIR),
               "DJANGO_SETTINGS_MODULE": "bureau.settings"}
        powerdns, dns_line = (None, "off (--no-dns)") if no_dns else self.start_powerdns(env)
        bureau = [sys.executable, "-m", "bureau.cli"]
        children = {
            "worker": subprocess.Popen([*bureau, "worker", "--no-startup-delay", "--no-reload"],
                                       env=env),
            "web": subprocess.Popen([*bureau, "runserver", addr, "--noreload"], env=env),
        }
        self.print_summary(addr, sandbox, logins, dns_line)
        # `kill` or a service manager stops Bureau as cleanly as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(f"the {name} stopped (exit code {child.returncode})")
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nstopping...")
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
            connection.close_all()
            if sandbox is not None:
                sandbox.stop()
            if powerdns is not None:
                powerdns.stop()
            self.stdout.write("stopped.")

    def start_sandbox(self, port: int) -> Any:
        from bureau.registrar.registries.sandbox import configure
        from bureau.sandbox.testing import start_sandbox

        try:
            sandbox = start_sandbox(settings.VAR_DIR / "sandbox", port=port)
        except OSError as exc:
            raise CommandError(
                f"the sandbox registry cannot listen on 127.0.0.1:{port} ({exc}); pass "
                "--sandbox-port 0 or set BUREAU_SANDBOX_PORT to a free port") from exc
        configure(sandbox)
        return sandbox

    def start_powerdns(self, env: dict[str, str]) -> tuple[Any, str]:
        """A private PowerDNS on loopback for DNS hosting, when bureau.dns and pdns_server are
        there; without them Bureau runs with DNS hosting off."""
        try:
            from bureau.dns.powerdns.instance import PowerDNSInstance
        except ImportError:
            return None, "off (bureau.dns not installed)"
        from bureau.core.keys import keep_secret

        instance = PowerDNSInstance(settings.VAR_DIR / "powerdns",
                                    api_key=keep_secret(settings.VAR_DIR / "powerdns-api-key", 24))
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
        return instance, f"PowerDNS on 127.0.0.1:{instance.dns_port}, API {instance.api_url}"

    def print_summary(self, addr: str, sandbox: Any, logins: list[Any], dns_line: str) -> None:
        lines = ["", "Bureau is running (Ctrl-C stops everything):",
                 f"  portal                http://{addr}/  (operators: http://{addr}/admin/)"]
        if sandbox is not None:
            lines.append(f"  sandbox registry      EPP over TLS on {sandbox.host}:{sandbox.port}"
                         f" (state in {sandbox.state_dir})")
        lines += [f"  DNS hosting           {dns_line}",
                  "  job worker            `bureau worker` (periodic: poll, reconcile)",
                  f"  database              {settings.DATABASES['default']['NAME']}",
                  "", "Logins:"]
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
