"""`bureau escrow ...`: deposits to the escrow agent (thin: parse, call one use case, print)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bureau.core import clock
from bureau.core.progress import Progress
from bureau.escrow.crypto import CryptoError
from bureau.escrow.deliver import DeliveryError
from bureau.escrow.pipeline import DepositError
from bureau.escrow.profiles import PROFILES, get_profile
from bureau.escrow.reader import AgentKeys
from bureau.registrar.escrow import conf
from bureau.registrar.escrow.alerts import open_alerts
from bureau.registrar.escrow.delivery import deliver_pending
from bureau.registrar.escrow.deposits import DepositRefused, make_deposit
from bureau.registrar.escrow.lateness import lateness
from bureau.registrar.escrow.models import Deposit
from bureau.registrar.escrow.restore import RestoreError, restore
from bureau.registrar.escrow.rows import count_rows
from bureau.registrar.escrow.threshold import threshold_report
from bureau.registrar.escrow.verification import verify_folder

ERRORS = (conf.EscrowNotConfigured, DepositRefused, DepositError, CryptoError, DeliveryError,
          RestoreError, OSError, ValueError)


class Command(BaseCommand):
    help = "Registrar data escrow: make, deliver, verify deposits; status; restore."
    # Django's system checks load every URL and view (seconds): `bureau check` runs them;
    # a deposit made by cron should not wait for them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dep = sub.add_parser("deposit", help="write a deposit from the database")
        kind = dep.add_mutually_exclusive_group(required=True)
        kind.add_argument("--full", dest="kind", action="store_const", const="full")
        kind.add_argument("--inc", dest="kind", action="store_const", const="inc")
        dep.add_argument("--date", type=dt.date.fromisoformat,
                         help="deposit date in the file names (default: today, UTC)")
        dep.add_argument("--deliver", action="store_true", help="deliver it afterwards")
        sub.add_parser("deliver", help="deliver the written deposits over SFTP, oldest first")
        for name, helptext in (("verify", "check a deposit folder as the escrow agent does"),
                               ("restore", "load a full deposit and later incrementals into "
                                           "an EMPTY database")):
            p = sub.add_parser(name, help=helptext)
            p.add_argument("folders", nargs=1 if name == "verify" else "+", type=Path)
            p.add_argument("--agent-key", required=True, type=Path,
                           help="the escrow agent's OpenPGP SECRET key (to decrypt)")
            p.add_argument("--agent-passphrase-file", type=Path)
            p.add_argument("--registrar-cert", type=Path, action="append",
                           help="registrar public key(s) (default: BUREAU_ESCROW_REGISTRAR_CERT"
                                " or the signing key)")
            if name == "restore":
                p.add_argument("--profile", choices=sorted(PROFILES),
                               help="format of the deposits (default: BUREAU_ESCROW_PROFILE)")
        sub.add_parser("status", help="last deposits, lateness, alerts and threshold")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "do_" + action)(**options)
        except ERRORS as e:
            raise CommandError(str(e)) from e

    def do_deposit(self, kind: str, date: dt.date | None, deliver: bool, **_: Any) -> None:
        conf.iana_id()  # say what is missing before counting
        conf.signing_keys().check()
        total = count_rows()
        self.stderr.write(f"{kind} deposit: {total:,} sponsored names")
        with Progress(total, "rows") as progress:
            deposit = make_deposit(kind, date=date, progress=progress)
        self.stdout.write(f"{deposit.kind} deposit {deposit.date}: {deposit.records:,} rows, "
                          f"{len(deposit.files)} data files in {deposit.folder}")
        for f in deposit.files:
            self.stdout.write(f"  {f['name']}  {f['records']:,} rows  {f['size']:,} bytes")
        if deliver:
            self.do_deliver()

    def do_deliver(self, **_: Any) -> None:
        report = deliver_pending(report=self.stderr.write)
        for d in report.delivered:
            self.stdout.write(f"delivered {d.date} {d.kind} ({d.delivery_attempts} attempts)")
        for d, err in report.failed:
            raise CommandError(f"{d.date} {d.kind} not delivered: {err}")
        if not report.delivered:
            self.stdout.write("nothing to deliver")

    def _keys(self, options: dict[str, Any]) -> AgentKeys:
        passphrase = None
        if options.get("agent_passphrase_file"):
            passphrase = options["agent_passphrase_file"].read_text().rstrip("\r\n")
        certs = options.get("registrar_cert") or [conf.registrar_cert()]
        return AgentKeys.from_files(options["agent_key"], certs, passphrase)

    def do_verify(self, folders: list[Path], **options: Any) -> None:
        report, deposit = verify_folder(folders[0], self._keys(options))
        self.stdout.write(report.text())
        if deposit is not None:
            self.stdout.write(f"deposit record: {deposit.date} {deposit.kind} "
                              f"-> {deposit.state}")
        if not report.ok:
            raise CommandError(f"{folders[0]}: deposit REJECTED")

    def do_restore(self, folders: list[Path], profile: str | None, **options: Any) -> None:
        prof = get_profile(profile) if profile else conf.profile()
        self.stderr.write(f"verifying and restoring {len(folders)} deposit(s)...")
        with Progress(None, "names") as progress:
            result = restore(folders, prof, self._keys(options), progress=progress)
        self.stdout.write(f"restored {result.domains:,} domains, {result.contacts:,} contacts"
                          + (f", {result.tlds_created} TLDs created inactive (configure them)"
                             if result.tlds_created else "")
                          + (f"; {result.partial_contacts_left_out:,} contacts the profile "
                             f"carries only in part left out"
                             if result.partial_contacts_left_out else ""))

    def do_status(self, **_: Any) -> None:
        now = clock.now()
        if conf.iana_id_or_none() is None:
            self.stdout.write("escrow is NOT configured (BUREAU_ESCROW_IANA_ID is not set): "
                              "the periodic jobs do nothing")
        self.stdout.write("last deposits:")
        for d in Deposit.objects.order_by("-started_at", "-id")[:10]:
            extra = f"  error: {d.error.splitlines()[0][:100]}" if d.error else ""
            self.stdout.write(f"  {d.date} {d.kind:4} {d.state:9} {d.records:>10,} rows  "
                              f"attempts {d.delivery_attempts}{extra}")
        if not Deposit.objects.exists():
            self.stdout.write("  none")
        self.stdout.write("lateness:")
        for s in lateness(now):
            self.stdout.write("  " + s.text(now))
        alerts = open_alerts()
        self.stdout.write(f"open alerts: {len(alerts)}")
        for a in alerts:
            self.stdout.write(f"  {a.raised_at:%Y-%m-%d %H:%M} {a.kind}: {a.message}")
        self.stdout.write(threshold_report(now.date()).text())
