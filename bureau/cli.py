"""The `bureau` command: operator entry point.

`bureau sandbox ...` runs the sandbox registry (no Django needed); `bureau run` runs Bureau on
its embedded defaults; every other subcommand is one of Django's management commands.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sandbox"]:
        from bureau.sandbox.cli import main as sandbox_main

        sys.exit(sandbox_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bureau", *args])


if __name__ == "__main__":
    main()
