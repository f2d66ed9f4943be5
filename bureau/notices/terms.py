"""The holder's paid term of each name (see models.Term) and the timeline that follows it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bureau.core import clock
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Domain, Operation

from . import conf
from .loaded import loaded
from .models import Term
from .timeline import Timeline, effective_grace_days, timeline

PAID_OPERATIONS = (Operation.RENEW, Operation.CREATE, Operation.TRANSFER_IN,
                   Operation.TRANSFER_REQUEST, Operation.RESTORE)


def term_of(domain: Domain, now: datetime | None = None) -> Term | None:
    """The domain's term, brought up to date with Bureau's copy of the expiry."""
    if domain.expires_at is None:
        return None
    now = now or clock.now()
    term = loaded_term(domain) or Term.objects.filter(domain=domain).first()
    if term is None:
        # First sight: what Bureau holds was paid (registration, transfer, import).
        return Term.objects.create(domain=domain, paid_until=domain.expires_at,
                                   seen_expiry=domain.expires_at, checked_at=now,
                                   last_order_id=last_order_id(domain))
    if term.seen_expiry != domain.expires_at:
        latest = last_order_id(domain)
        paid = latest > term.last_order_id
        if paid or domain.expires_at < term.paid_until:
            term.paid_until = domain.expires_at
        term.seen_expiry = domain.expires_at
        term.checked_at = now
        term.last_order_id = latest
        term.save()
    return term


def loaded_term(domain: Domain) -> Term | None:
    """The term fetched with the domain (``select_related("term")``), if any: jobs that
    walk many names load it with them instead of one query per name."""
    term: Term | None = loaded(domain, "term")[1]
    return term


def last_order_id(domain: Domain) -> int:
    latest = Order.objects.filter(domain=domain, state=OrderState.COMPLETED,
                                  operation__in=PAID_OPERATIONS).order_by("-pk").first()
    return int(latest.pk) if latest is not None else 0


def adopt_paid_expiry(domain: Domain, now: datetime | None = None) -> Term:
    """After a paid operation: the registry's expiry is the holder's term."""
    assert domain.expires_at is not None
    now = now or clock.now()
    term, _created = Term.objects.update_or_create(
        domain=domain, defaults={"paid_until": domain.expires_at,
                                 "seen_expiry": domain.expires_at, "checked_at": now,
                                 "last_order_id": last_order_id(domain)})
    return term


def sync_terms(domains: Iterable[Domain], now: datetime | None = None) -> dict[int, Term]:
    now = now or clock.now()
    terms = {}
    for domain in domains:
        term = term_of(domain, now)
        if term is not None:
            terms[domain.pk] = term
    return terms


def domain_timeline(domain: Domain, paid_until: datetime) -> Timeline:
    tld = domain.tld
    return timeline(paid_until,
                    grace_days=effective_grace_days(conf.grace_days(), tld.auto_renew_grace_days),
                    redemption_days=tld.redemption_days,
                    pending_delete_days=tld.pending_delete_days,
                    deleted_at=domain.deleted_at)
