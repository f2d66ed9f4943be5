"""ACME DNS-01 credentials from the console: create (the secret is printed once), list, revoke,
and revoke the expired ones (the job's work, at hand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.dns.models import AcmeCredential, Zone
from bureau.dns.operations import credentials
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError

CONSOLE = Actor.system("cli")


class Command(BaseCommand):
    help = "ACME credentials (TSIG keys for _acme-challenge TXT records) of hosted zones"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a key for NAME and *.NAME in ZONE")
        create.add_argument("zone")
        create.add_argument("name", help='"www", "@" for the zone itself')
        create.add_argument("--expires", type=datetime.fromisoformat,
                            help="ISO date-time with offset, e.g. 2027-01-01T00:00+00:00")
        listing = sub.add_parser("list", help="the zone's active keys")
        listing.add_argument("zone")
        revoke = sub.add_parser("revoke", help="delete a key: it is refused from now on")
        revoke.add_argument("key_name")
        sub.add_parser("revoke-expired", help="revoke every key past its expiry")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._run(options)
        except OperationError as exc:
            raise CommandError(exc.message) from exc

    def _run(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "revoke-expired":
            self.stdout.write(f"{credentials.revoke_expired()} revoked")
        elif action == "revoke":
            credential = self._credential(options["key_name"])
            credentials.revoke_credential(credential=credential, actor=CONSOLE)
            self.stdout.write(f"revoked {credential.key_name}")
        elif action == "list":
            for credential in credentials.credentials_of(self._zone(options["zone"])):
                expiry = credential.expires_at.isoformat() if credential.expires_at else "-"
                self.stdout.write(f"{credential.key_name}\t_acme-challenge.{credential.name}"
                                  f"\texpires {expiry}")
        else:
            issued = credentials.create_credential(
                zone=self._zone(options["zone"]), actor=CONSOLE, name=options["name"],
                expires_at=options["expires"])
            self.stdout.write("# certbot --authenticator dns-rfc2136 "
                              "--dns-rfc2136-credentials <this file>\n" + issued.certbot_ini)
            self.stdout.write("# lego --dns rfc2136 (environment)\n" + issued.lego_env)

    @staticmethod
    def _zone(name: str) -> Zone:
        zone = Zone.objects.filter(name=name.rstrip(".").lower() + ".").first()
        if zone is None:
            raise CommandError(f"{name}: no zone of that name is hosted by Bureau")
        return zone

    @staticmethod
    def _credential(key_name: str) -> AcmeCredential:
        found = AcmeCredential.objects.filter(key_name=key_name.rstrip(".") + ".",
                                              revoked_at=None).first()
        if found is None:
            raise CommandError(f"{key_name}: no active ACME credential of that name")
        return found
