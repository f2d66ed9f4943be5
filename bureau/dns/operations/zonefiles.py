"""Import a zone file into a hosted zone (replacing its records, or adding to them), and
export a zone as a zone file.

Errors: NotAllowed; RecordsInvalid (every problem with its line number; nothing stored,
nothing sent). SOA, apex NS and DNSSEC records in the file are left out (Bureau and PowerDNS
manage them) and listed in the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from bureau.dns.models import ChangeKind, Zone
from bureau.dns.records import Record as RawRecord
from bureau.dns.validation import ValidationError
from bureau.dns.zonefile import export_zone_file, parse_zone_file
from bureau.registrar.operations.common import Actor

from .common import Outcome, change_records, verify_may_manage
from .errors import RecordsInvalid
from .publishing import soa_content


@dataclass(frozen=True)
class Imported:
    outcome: Outcome
    skipped: tuple[RawRecord, ...]
    apex_ns: tuple[str, ...]


def import_zone_file(*, zone: Zone, actor: Actor, text: str, replace: bool = True) -> Imported:
    verify_may_manage(zone.organisation, actor)
    try:
        parsed = parse_zone_file(str(zone.name), text, nameservers=zone.nameservers)
    except ValidationError as exc:
        raise RecordsInvalid(exc.problems) from exc
    remove = list(zone.records.all()) if replace else []
    outcome = change_records(
        zone, actor, ChangeKind.IMPORT, add=parsed.records, remove=remove,
        summary=f"zone file imported: {len(parsed.records)} records"
                f"{' (replacing the zone)' if replace else ''}")
    return Imported(outcome, tuple(parsed.skipped), tuple(parsed.apex_ns))


def export_zone(zone: Zone) -> str:
    """The zone as a zone file another server accepts (named-checkzone): the SOA Bureau
    publishes (with the zone's serial), apex NS and the records; DNSSEC records are
    PowerDNS's and left out."""
    return export_zone_file(str(zone.name), zone.valid_records(), nameservers=zone.nameservers,
                            soa=soa_content(zone, zone.serial))
