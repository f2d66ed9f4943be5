"""`bureau payments import FILE...` imports bank statements (camt.053/054, MT940, CSV);
`bureau payments queue` lists what waits for staff; `bureau payments books --from D --to D
[--csv]` writes the ledger of the period as a FEC (or a CSV) on standard output. The
operator of the machine acts as staff (the import records no person)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.core.progress import Progress
from bureau.payments.operations import books, statements
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
        books = sub.add_parser("books", help="the ledger for the accountant: FEC or CSV")
        books.add_argument("--from", dest="start", type=date.fromisoformat, required=True,
                           help="first day, YYYY-MM-DD")
        books.add_argument("--to", dest="end", type=date.fromisoformat, required=True,
                           help="last day, YYYY-MM-DD")
        books.add_argument("--csv", action="store_true", help="a CSV instead of the FEC")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "books":
            try:
                for text in books.export(options["start"], options["end"], by=CommandLine(),
                                         kind="csv" if options["csv"] else "fec"):
                    self.stdout.write(text, ending="")
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            return
        if options["action"] == "queue":
            for line in statements.queue():
                hint = f" (suggested: {line.suggestion})" if line.suggestion else ""
                self.stdout.write(f"{line.pk}\t{line.booked_on}\t{format_cents(line.amount)} "
                                  f"{line.currency}\t{line.name}\t{line.remittance}{hint}")
            return
        failed = False
        for path in options["files"]:
            try:
                # The progress line is closed before the result or the refusal is printed.
                with path.open("rb") as source, Progress(None, "lines read",
                                                          label=str(path)) as progress:
                    report = statements.import_statement(source, filename=path.name,
                                                         by=CommandLine(), progress=progress)
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
            except OperationError as exc:
                self.stderr.write(f"{path}: {exc.message}")
                failed = True
                continue
            self.stdout.write(f"{path}: {report.summary()}")
        if failed:
            raise CommandError("some statements were not imported (see above)")
