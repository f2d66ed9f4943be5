"""`bureau payments import FILE...` imports bank statements (camt.053/054, MT940, CSV);
`bureau payments queue` lists what waits for staff. The operator of the machine acts as
staff (the import records no person)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.payments.operations import statements
from bureau.payments.operations.errors import OperationError
from bureau.registrar.billing.ledger import format_cents


class CommandLine:
    """The operator at the machine's shell: staff, nobody in particular."""

    is_authenticated = True
    is_staff = True
    pk = None


class Command(BaseCommand):
    help = "Import bank statements and see the payments waiting for staff."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import statement files (camt.053/054, MT940, CSV)")
        imp.add_argument("files", nargs="+", type=Path)
        sub.add_parser("queue", help="list the credits no payment reference matched")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "queue":
            for line in statements.queue():
                hint = f" (suggested: {line.suggestion})" if line.suggestion else ""
                self.stdout.write(f"{line.pk}\t{line.booked_on}\t{format_cents(line.amount)} "
                                  f"{line.currency}\t{line.name}\t{line.remittance}{hint}")
            return
        failed = False
        for path in options["files"]:
            try:
                with path.open("rb") as source:
                    report = statements.import_statement(source, filename=path.name,
                                                         by=CommandLine())
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
            except OperationError as exc:
                self.stderr.write(f"{path}: {exc.message}")
                failed = True
                continue
            self.stdout.write(f"{path}: {report.summary()}")
        if failed:
            raise CommandError("some statements were not imported (see above)")
