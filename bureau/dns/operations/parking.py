"""Bureau's own DNS serves parked names (ERRP, issue 21): the notices app parks an expired
name through this provider (``BUREAU_NOTICES_DNS_PARKING``) and unparks it on renewal or
restore, at once.

- A zone Bureau hosts for the name: PowerDNS serves only the parking records (the apex and
  every name under it point at the parking page, ``BUREAU_DNS_PARKING_ADDRESSES``); the
  member's records stay in the database and come back, all of them, when it is unparked.
  Signed zones stay signed: the DS at the registry keeps validating the parking answers.
  Edits while parked are stored and published at unparking.
- A name without a zone at Bureau: PowerDNS gets a parking-only zone (unsigned), and the
  notices app delegates the name to the parking name servers, which are Bureau's own
  (``BUREAU_NOTICES_PARKING_NAMESERVERS`` defaults to ``BUREAU_DNS_NAMESERVERS``); the zone
  is deleted when the name is unparked.
"""

from __future__ import annotations

import contextlib

from bureau.dns import conf
from bureau.dns.models import ChangeKind, Zone
from bureau.dns.powerdns import PowerDNSNotFound
from bureau.dns.publish import create_hosted_zone
from bureau.dns.sync import sync_zone
from bureau.registrar.domains.models import Domain

from .common import DNS_ACTOR, record_change, uses_bureau_nameservers
from .publishing import push_zone
from .served import parking_records, served_records, zone_of


class Provider:
    """The notices app's DNS parking provider (``is_hosted``, ``park``, ``unpark``)."""

    def is_hosted(self, domain: Domain) -> bool:
        """Parking needs no change at the registry: Bureau's DNS answers for the name and
        hosts its zone."""
        return zone_of(domain) is not None and uses_bureau_nameservers(domain)

    def park(self, domain: Domain) -> None:
        zone = zone_of(domain)
        name = domain.name.rstrip(".") + "."
        client = conf.client()
        if zone is None:
            # Delegated to the parking name servers (Bureau's) by the notices app: answer.
            with contextlib.suppress(PowerDNSNotFound):
                client.delete_zone(name)
            create_hosted_zone(client, name, nameservers=conf.nameservers(), dnssec=False,
                               records=parking_records(name),
                               secondaries=[s.target() for s in conf.secondaries()],
                               primary_address=conf.primary_address())
            return
        Zone.objects.filter(pk=zone.pk).update(parked=True)
        zone.parked = True
        sync_zone(client, name, served_records(zone), nameservers=zone.nameservers,
                  notify=bool(conf.secondaries()))
        record_change(zone, DNS_ACTOR, ChangeKind.RECONCILE, published=True,
                      summary="expired: the zone answers the parking page only")

    def unpark(self, domain: Domain) -> None:
        zone = zone_of(domain)
        name = domain.name.rstrip(".") + "."
        if zone is None:
            with contextlib.suppress(PowerDNSNotFound):
                conf.client().delete_zone(name)
            return
        Zone.objects.filter(pk=zone.pk).update(parked=False)
        zone.parked = False
        push_zone(zone)  # every record of the member, and what was edited meanwhile
        record_change(zone, DNS_ACTOR, ChangeKind.RECONCILE, published=True,
                      summary="renewed: the zone answers its own records again")


provider = Provider()

__all__ = ["Provider", "parking_records", "provider", "served_records"]
