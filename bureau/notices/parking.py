"""ERRP interruption: from expiry until renewal (or deletion) the name resolves to Bureau's
parking page, which says that it expired and how to renew it.

Two ways, both served by Bureau's own DNS through the DNS app's parking provider (a dotted
path in ``BUREAU_NOTICES_DNS_PARKING``, an object with ``is_hosted(domain)``,
``park(domain)`` and ``unpark(domain)``): when Bureau hosts the zone and the registry
delegates the name to Bureau, the provider swaps the zone's answers for the parking page's;
otherwise the provider serves a parking zone for the name and the name servers are changed
at the registry to the parking name servers (Bureau's own, by default) through the
registrar's update operation (and its DS records removed, or validating resolvers would
refuse the parking answers), and put back as soon as the name is renewed.
Every change is in the domain's history (the update operation records it, by
"errp-parking").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.module_loading import import_string

from bureau.core import clock
from bureau.registrar.domains.models import Domain, DomainState, Operation, Outcome
from bureau.registrar.operations.common import Actor, record
from bureau.registrar.operations.errors import OperationError
from bureau.registrar.operations.update import DS, update

from . import conf
from .models import Parking
from .terms import domain_timeline, term_of
from .timeline import Phase

logger = logging.getLogger("bureau.notices")
PARKER = Actor.system("errp-parking")
BATCH = 2000


def dns_provider() -> Any | None:
    path = conf.dns_parking_hook()
    return import_string(path) if path else None


def park(domain: Domain, now: datetime) -> Parking:
    provider = dns_provider()
    if provider is not None and provider.is_hosted(domain):
        provider.park(domain)
        parking = Parking.objects.create(domain=domain, method="dns", parked_at=now,
                                         saved_nameservers=list(domain.nameservers))
        record(domain=domain, name=domain.name, actor=PARKER, operation=Operation.UPDATE,
               outcome=Outcome.SUCCESS, message="expired: zone answers point at the parking page",
               detail={"parking": "dns"})
        return parking
    saved = list(domain.nameservers)
    saved_ds = [[d.key_tag, d.algorithm, d.digest_type, d.digest]
                for d in domain.ds_records.all()]
    if provider is not None:
        provider.park(domain)  # Bureau's DNS answers the parking page before the delegation
    try:
        update(domain=domain, actor=PARKER, nameservers=conf.parking_nameservers(),
               ds_records=[] if saved_ds else None)
    except OperationError:
        if provider is not None:
            provider.unpark(domain)
        raise
    return Parking.objects.create(domain=domain, method="nameservers", parked_at=now,
                                  saved_nameservers=saved, saved_ds=saved_ds)


def unpark(parking: Parking, now: datetime) -> None:
    domain = parking.domain
    if parking.method == "dns":
        provider = dns_provider()
        if provider is not None:
            provider.unpark(domain)
        record(domain=domain, name=domain.name, actor=PARKER, operation=Operation.UPDATE,
               outcome=Outcome.SUCCESS, message="renewed: the holder's zone answers again",
               detail={"parking": "dns", "restored": True})
    elif domain.state == DomainState.ACTIVE:
        ds = [DS(int(t), int(a), int(d), str(h)) for t, a, d, h in parking.saved_ds]
        update(domain=domain, actor=PARKER, nameservers=parking.saved_nameservers,
               ds_records=ds if ds else None)
        provider = dns_provider()
        if provider is not None:
            provider.unpark(domain)  # the parking zone (or answers) go once delegated back
    parking.restored_at = now
    parking.save(update_fields=["restored_at"])


def open_parking(domain: Domain) -> Parking | None:
    return Parking.objects.filter(domain=domain, restored_at=None).first()


def is_parked(domain: Domain) -> bool:
    """Whether the name's DNS is parked for the ERRP right now (its name servers and DS at
    the registry are the parking ones on purpose). The DNS app asks this (setting
    ``BUREAU_DNS_PARKED_CHECK``) so that it neither sends the zone's DS back nor reports the
    parking delegation as drift."""
    return Parking.objects.filter(domain=domain, restored_at=None).exists()


@dataclass
class ParkingReport:
    parked: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_parking(now: datetime | None = None) -> ParkingReport:
    """Park the names whose term ended; restore the DNS of those renewed since."""
    now = now or clock.now()
    report = ParkingReport()
    # Streamed (iterator): a million names leave tens of thousands parked at any time.
    for parking in Parking.objects.filter(restored_at=None).select_related(
            "domain__tld", "domain__term").iterator(chunk_size=BATCH):
        term = term_of(parking.domain, now)
        if term is not None and term.paid_until > now:
            try:
                unpark(parking, now)
                report.restored.append(parking.domain.name)
            except OperationError as exc:
                logger.warning("DNS of %s not restored yet: %s", parking.domain, exc)
                report.errors.append(parking.domain.name)
    low = now - timedelta(days=conf.grace_days() + 1)
    ended = Q(term__paid_until__range=(low, now)) | Q(term__isnull=True,
                                                      expires_at__range=(low, now))
    expired = Domain.objects.filter(state=DomainState.ACTIVE).filter(ended) \
        .exclude(pk__in=Parking.objects.filter(restored_at=None).values("domain_id")) \
        .select_related("tld__registry", "organisation", "term").order_by("pk")
    for domain in expired.iterator(chunk_size=BATCH):
        term = term_of(domain, now)
        if term is None or term.paid_until > now or open_parking(domain) is not None:
            continue
        if domain_timeline(domain, term.paid_until).phase(now) != Phase.GRACE:
            continue
        try:
            park(domain, now)
            report.parked.append(domain.name)
        except OperationError as exc:
            logger.warning("%s could not be parked: %s", domain, exc)
            report.errors.append(domain.name)
    return report
