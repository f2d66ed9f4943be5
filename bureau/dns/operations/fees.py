"""DNS hosting of a name registered elsewhere is a service the members price: the service
"dns-hosting" of an adopted price list, per year, charged from the date it takes effect like
a domain price. A zone is charged a year when it is created (refused, nothing stored, when
the balance does not cover it), then a year each time the last year paid ends (the job; a
balance too short is tried again at each run and the zone keeps being served). A zone of a
name registered with Bureau is part of the name's price; no adopted price: free.

Errors: billing.ledger.InsufficientFunds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from bureau.core import clock
from bureau.dns.models import PublishState, Zone
from bureau.registrar.billing import orders
from bureau.registrar.billing.ledger import InsufficientFunds
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Operation
from bureau.registrar.operations.check import service_price

logger = logging.getLogger(__name__)

YEAR = timedelta(days=365)


def is_charged(zone: Zone) -> bool:
    return zone.domain_id is None


def price() -> Any:
    """The adopted yearly price of DNS hosting in force (``amount``, ``currency``), or None."""
    return service_price(Operation.DNS_HOSTING)


def charge_year(zone: Zone, user: Any = None) -> Order | None:
    """Charge one year of hosting, if the zone pays and a price is in force."""
    adopted = price()
    if adopted is None or not is_charged(zone):
        return None
    with transaction.atomic():
        order = orders.place(organisation=zone.organisation, user=user,
                             operation=Operation.DNS_HOSTING,
                             domain_name=str(zone.name).rstrip("."), amount=adopted.amount,
                             currency=adopted.currency)
        return orders.complete(order)


def last_year_paid(zone: Zone) -> Order | None:
    return (Order.objects.filter(organisation=zone.organisation,
                                 operation=Operation.DNS_HOSTING,
                                 domain_name=str(zone.name).rstrip("."),
                                 state=OrderState.COMPLETED)
            .order_by("-finished_at").first())


def paid_until(zone: Zone) -> datetime | None:
    last = last_year_paid(zone)
    return last.finished_at + YEAR if last is not None and last.finished_at else None


@dataclass
class Run:
    charged: int = 0
    short: int = 0


def charge_due() -> Run:
    """Charge each served zone whose paid year has ended (or that never paid, from the day a
    price is in force)."""
    run = Run()
    if price() is None:
        return run
    now = clock.now()
    for zone in Zone.objects.filter(domain=None).exclude(
            publish_state=PublishState.WITHDRAWN).select_related("organisation"):
        until = paid_until(zone)
        if until is not None and until > now:
            continue
        try:
            charge_year(zone)
        except InsufficientFunds as exc:
            run.short += 1
            logger.warning("DNS hosting of %s not paid: %s", zone.name, exc)
        else:
            run.charged += 1
    return run
