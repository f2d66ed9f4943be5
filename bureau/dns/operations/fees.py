"""DNS hosting of a name registered elsewhere is a service the members price: the service
"dns-hosting" of an adopted price list, per year, charged from the date it takes effect like
a domain price. A zone is charged a year when it is created (refused, nothing stored, when
the balance does not cover it), then a year each time the last year paid ends (the job; a
balance too short is recorded as a failed order, the people who pay are told once by mail,
it is tried again at each run and the zone keeps being served). A zone of a
name registered with Bureau is part of the name's price; no adopted price: free.

Errors: billing.ledger.InsufficientFunds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPException
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bureau.core import clock
from bureau.dns.models import PublishState, Zone
from bureau.registrar.accounts.mail import mail_people
from bureau.registrar.accounts.models import ROLES_THAT_ORDER
from bureau.registrar.billing import orders
from bureau.registrar.billing.ledger import InsufficientFunds, format_cents
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
            if not told_since(zone, until or zone.created_at):
                tell_short(zone, exc)
        else:
            run.charged += 1
    return run


def told_since(zone: Zone, since: datetime) -> bool:
    return Order.objects.filter(organisation=zone.organisation, operation=Operation.DNS_HOSTING,
                                domain_name=str(zone.name).rstrip("."),
                                state=OrderState.FAILED, finished_at__gte=since).exists()


def tell_short(zone: Zone, short: InsufficientFunds) -> None:
    """Record the refused year (a failed order, nothing charged) and mail the people who pay
    once; a mail server that refuses is logged, the next run does not mail again."""
    orders.record_refused(organisation=zone.organisation, operation=Operation.DNS_HOSTING,
                          domain_name=str(zone.name).rstrip("."), amount=short.needed,
                          currency=short.currency, message=str(short))
    people = [m.user for m in zone.organisation.memberships.filter(
        role__in=ROLES_THAT_ORDER).select_related("user") if m.user.email]
    if not people:
        return

    def compose() -> tuple[str, str]:  # in each person's language
        return (_("Top up your balance: the DNS hosting of %(zone)s is due") % {
            "zone": zone.u_label},
            _("The yearly DNS hosting of %(zone)s (%(price)s, the price the members adopted) "
              "is due, and your balance (%(balance)s) does not cover it. The zone is still "
              "served; top up your balance and it is taken at the next run.") % {
                "zone": zone.u_label, "price": f"{format_cents(short.needed)} {short.currency}",
                "balance": f"{format_cents(short.balance)} {short.currency}"})
    try:
        mail_people(people, compose)
    except (OSError, SMTPException) as exc:
        logger.warning("could not tell %s that the hosting of %s is due: %s", people,
                       zone.name, exc)
