"""What the domain page shows about a name's renewal and its holder's data: the timeline
after the paid term, the auto-renew choice, and the banners (unverified or stale contact
data, mail that could not be delivered)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bureau.core import clock
from bureau.registrar.billing import ledger
from bureau.registrar.billing.ledger import format_cents
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.check import list_price

from . import conf
from .choices import abandoned, auto_renew_of
from .models import ContactProfile, DeliveryFailure
from .terms import domain_timeline, term_of
from .timeline import Phase, Timeline


@dataclass
class DomainStatus:
    paid_until: datetime | None
    timeline: Timeline | None
    phase: str
    auto_renew: bool | None
    abandoned: bool
    banners: list[str] = field(default_factory=list)


def contact_banners(domain: Domain, now: datetime) -> list[str]:
    banners: list[str] = []
    holder = domain.registrant
    if holder is None:
        return banners
    profile = ContactProfile.objects.filter(contact=holder).first()
    if profile is None or not profile.email_verified:
        banners.append(_("The holder's email address (%(email)s) is not verified: follow the "
                         "link we sent, or your name may be suspended.") % {"email": holder.email})
    else:
        last = profile.confirmed_at or profile.verified_at
        if last is not None and last + timedelta(days=conf.confirm_every_days()) <= now:
            banners.append(_("The holder's data was last confirmed more than a year ago: "
                             "check that it is still right."))
    addresses = [c.email.lower() for c in (holder, domain.billing_contact) if c is not None]
    if DeliveryFailure.objects.filter(address__in=addresses, resolved_at=None).exists():
        banners.append(_("Mail to this name's contacts could not be delivered: your contact "
                         "data may be wrong."))
    return banners


def balance_banner(domain: Domain, paid_until: datetime, now: datetime) -> list[str]:
    """Auto-renew chosen, its day near, and the balance does not cover it."""
    if auto_renew_of(domain) is not True or abandoned(domain) is not None:
        return []
    if paid_until - now > timedelta(days=max(conf.reminder_days()[0], 0)):
        return []
    price = list_price(domain.tld, "renew", 1)
    balance = ledger.balance(domain.organisation, domain.tld.currency)
    if balance >= price:
        return []
    on = paid_until - timedelta(days=conf.auto_renew_lead_days())
    return [_("Automatic renewal on %(date)s needs %(price)s and your balance is %(balance)s: "
              "top it up, or renew the name now.") % {
        "date": date_format(on, "j F Y"), "price": f"{format_cents(price)} {domain.tld.currency}",
        "balance": f"{format_cents(balance)} {domain.tld.currency}"}]


def domain_status(domain: Domain, now: datetime | None = None) -> DomainStatus:
    now = now or clock.now()
    term = term_of(domain, now)
    line = domain_timeline(domain, term.paid_until) if term is not None else None
    banners = contact_banners(domain, now)
    if term is not None and domain.state == DomainState.ACTIVE:
        banners += balance_banner(domain, term.paid_until, now)
    return DomainStatus(
        paid_until=term.paid_until if term else None, timeline=line,
        phase=str(line.phase(now)) if line else str(Phase.ACTIVE),
        auto_renew=auto_renew_of(domain), abandoned=abandoned(domain) is not None,
        banners=banners)
