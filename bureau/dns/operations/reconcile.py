"""Make PowerDNS match the source of truth after an unknown outcome, and periodically:
read the zone back and send only the differences (``publishing.push_zone``), then settle the
DS at the registry with a domain info."""

from __future__ import annotations

from bureau.dns.models import DsState, Zone

from .dnssec import after_signing, reconcile_ds
from .publishing import push_zone


def reconcile_zone(zone: Zone) -> None:
    push_zone(zone)
    if zone.dnssec and zone.ds_state in (DsState.PENDING, DsState.UNKNOWN, DsState.SENT):
        if zone.ds_state == DsState.PENDING:
            after_signing(zone)
        else:
            reconcile_ds(zone)
