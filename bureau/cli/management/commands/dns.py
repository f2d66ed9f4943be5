"""`bureau dns ...`: DNS hosting from the console (thin: each subcommand calls one function of
``bureau.dns.operations``, as the portal's zone pages and the DNS API do)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from bureau.dns.models import PublishState, Zone
from bureau.dns.operations import rrsets, zonefiles, zones
from bureau.dns.operations.common import Outcome
from bureau.dns.operations.errors import RecordsInvalid
from bureau.dns.records import DEFAULT_TTL, SUPPORTED_TYPES
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.errors import OperationError

from ...base import OperationsCommand

# Types whose content has several fields (MX: preference and host): one word alone is never one.
SEVERAL_FIELDS = SUPPORTED_TYPES - {"A", "AAAA", "CNAME", "NS", "PTR", "TXT"}


class Command(OperationsCommand):
    help = ("List, create and stop hosted zones, set or remove their records (by name and "
            "type), export a zone file.")

    def add_actions(self, sub: Any) -> None:
        listing = sub.add_parser("list", help="hosted zones")
        listing.add_argument("--org", default=None, help="organisation short name (slug)")
        create = sub.add_parser("create", help="host a zone (signed with DNSSEC unless "
                                               "--no-dnssec)")
        create.add_argument("zone")
        create.add_argument("--org", required=True, help="organisation short name (slug)")
        create.add_argument("--no-dnssec", action="store_true", help="an unsigned zone")
        stop = sub.add_parser("stop", help="stop hosting a zone (its history is kept)")
        stop.add_argument("zone")
        put = sub.add_parser("set", help="replace the records of one name and type")
        put.add_argument("zone")
        put.add_argument("name", help="owner: @, www, or an absolute name")
        put.add_argument("type", help="A, AAAA, CNAME, MX, TXT...")
        put.add_argument("contents", nargs="+", metavar="CONTENT",
                         help="one per record, as in a zone file")
        put.add_argument("--ttl", type=int, default=DEFAULT_TTL,
                         help=f"seconds (default {DEFAULT_TTL})")
        unset = sub.add_parser("unset", help="remove the records of one name and type")
        unset.add_argument("zone")
        unset.add_argument("name", help="owner: @, www, or an absolute name")
        unset.add_argument("type")
        export = sub.add_parser("export", help="print the zone file")
        export.add_argument("zone")

    @staticmethod
    def zone(name: str) -> Zone:
        try:
            wanted = zones.parse_zone_name(name)
        except OperationError as exc:
            raise CommandError(f"{name}: {exc.message}") from exc
        found = Zone.objects.select_related("organisation").filter(name=wanted).exclude(
            publish_state=PublishState.WITHDRAWN).first()
        if found is None:
            raise CommandError(f"{name}: Bureau hosts no such zone (see `bureau dns list`)")
        return found

    def published(self, outcome: Outcome) -> None:
        where = "published" if outcome.published \
            else "stored; the reconciliation will send it to PowerDNS"
        self.stdout.write(f"  {where}, serial {outcome.serial}")

    def do_list(self, actor: Actor, org: str | None, **options: Any) -> None:
        found = Zone.objects.select_related("organisation").exclude(
            publish_state=PublishState.WITHDRAWN).order_by("name")
        if org:
            found = found.filter(organisation=self.organisation(org))
        for zone in found:
            self.stdout.write(f"{zone.name!s:40} {zone.organisation.slug:16} "
                              f"{'signed' if zone.dnssec else 'unsigned':8} "
                              f"{zone.publish_state}")

    def do_create(self, actor: Actor, zone: str, org: str, no_dnssec: bool,
                  **options: Any) -> None:
        made = zones.create_zone(organisation=self.organisation(org), actor=actor, name=zone,
                                 dnssec=not no_dnssec)
        self.stdout.write(f"zone {made.name} hosted for {org} ({made.publish_state}); "
                          f"name servers: {' '.join(made.nameservers)}")

    def do_stop(self, actor: Actor, zone: str, **options: Any) -> None:
        found = self.zone(zone)
        zones.stop_hosting(zone=found, actor=actor)
        self.stdout.write(f"zone {found.name} no longer hosted (its history is kept)")

    def do_set(self, actor: Actor, zone: str, name: str, type: str, contents: list[str],
               ttl: int, **options: Any) -> None:
        found = self.zone(zone)
        try:
            outcome = rrsets.set_rrsets(zone=found, actor=actor, rrsets=[
                rrsets.RRSet(name, type, ttl, contents)])
        except RecordsInvalid as exc:
            if type.upper() in SEVERAL_FIELDS and len(contents) > 1 and \
                    not any(" " in content.strip() for content in contents):
                # `set z @ MX 10 mail.z.` is two records, "10" and "mail.z.": say how to
                # give the one that was meant.
                raise CommandError(
                    f"{exc.message}\nEach CONTENT is one record: for one {type.upper()} record, "
                    f"quote it: bureau dns set {zone} {name} {type} '{' '.join(contents)}'"
                ) from exc
            raise
        self.stdout.write(f"{name} {type.upper()} in {found.name}: {len(contents)} record(s)")
        self.published(outcome)

    def do_unset(self, actor: Actor, zone: str, name: str, type: str, **options: Any) -> None:
        found = self.zone(zone)
        outcome = rrsets.set_rrsets(zone=found, actor=actor, rrsets=[
            rrsets.RRSet(name, type, DEFAULT_TTL, ())])
        self.stdout.write(f"{name} {type.upper()} in {found.name}: removed")
        self.published(outcome)

    def do_export(self, actor: Actor, zone: str, **options: Any) -> None:
        self.stdout.write(zonefiles.export_zone(self.zone(zone)), ending="")
