"""The `bureau` command: operator entry point.

`bureau sandbox ...` runs the sandbox registry (no Django needed); `bureau run` runs the
embedded demo; every other subcommand is one of Django's management commands. A setting that
is missing or wrong, or a database that cannot be reached, is said in one line, not a
traceback.
"""

from __future__ import annotations

import os
import sys

from bureau.env import SettingError, adopt_run_settings, env_str, state_dir


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        state = state_dir()
    except SettingError as exc:
        sys.exit(f"bureau: {exc}")
    if args[:1] == ["sandbox"]:
        from bureau.sandbox.cli import main as sandbox_main

        sys.exit(sandbox_main(args[1:], state / "sandbox"))  # where `bureau run` keeps it
    if args[:1] == ["run"]:
        # The demo: keys generated once in the state folder, plain http on loopback.
        os.environ.setdefault("BUREAU_DEMO", "1")
        os.environ.setdefault("BUREAU_HTTPS", "0")
        # Links in the demo's emails lead to where its portal listens.
        os.environ.setdefault("BUREAU_PORTAL_URL", f"http://{demo_address(args[1:])}")
    elif args[:1] not in (["worker"], ["dns_updates"]):
        # A command typed beside a running demo works on that demo (its PowerDNS, its
        # portal's address in emails, its clock). Services get their settings from whoever
        # starts them (`bureau run`, systemd, a test).
        try:
            adopt_run_settings(state)
        except SettingError as exc:
            sys.exit(f"bureau: {exc}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["bureau", *args])
    except SettingError as exc:
        sys.exit(f"bureau: {exc}")
    except DatabaseError:
        reason = unreachable_database()
        if reason is None:
            raise  # the database answers: a real error, with its traceback
        sys.exit(f"bureau: the database cannot be reached ({reason})")


def demo_address(args: list[str]) -> str:
    """Where `bureau run` serves the portal: --addr, else BUREAU_ADDR, else 127.0.0.1:8000."""
    for i, arg in enumerate(args):
        if arg == "--addr" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--addr="):
            return arg.split("=", 1)[1]
    return env_str("BUREAU_ADDR", "127.0.0.1:8000")


def unreachable_database() -> str | None:
    """Why the default database cannot be reached, or None when it can."""
    from django.db import DatabaseError, connection

    try:
        connection.close()
        connection.ensure_connection()
    except DatabaseError as exc:
        return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return None


if __name__ == "__main__":
    main()
