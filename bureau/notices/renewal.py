"""Renewing on the holder's behalf: automatic renewal before expiry, and late renewal in the
grace period after it.

Late renewal: at expiry gTLD registries renew the name themselves (auto-renew) and charge
Bureau, who may delete it within the auto-renew grace period for a refund. A holder who
renews during Bureau's grace therefore needs no EPP command: the year the registry added is
charged to them with an order through the ledger, and their term moves. Where the registry
did not auto-renew, the registrar's renew operation runs as usual.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.registrar.accounts.models import ROLES_THAT_ORDER, Organisation
from bureau.registrar.billing import orders
from bureau.registrar.billing.ledger import InsufficientFunds
from bureau.registrar.domains.models import Domain, DomainState, Operation, Outcome
from bureau.registrar.operations.check import list_price
from bureau.registrar.operations.common import Actor, record
from bureau.registrar.operations.domainops import Done, apply_info, authorise, info, verify_state
from bureau.registrar.operations.errors import (
    OperationError,
    PeriodNotAllowed,
    PriceChanged,
    WrongState,
)
from bureau.registrar.operations.renew import add_years
from bureau.registrar.operations.renew import renew as registrar_renew
from bureau.registrar.operations.restore import restore as registrar_restore

from . import conf
from .choices import auto_renew_of
from .events import notify_event
from .mail import Message, deliver
from .models import Goodbye, NoticeKind
from .parking import open_parking, unpark
from .recipients import domain_recipients, language_of
from .reminders import domain_context
from .terms import adopt_paid_expiry, domain_timeline, term_of
from .timeline import Phase

logger = logging.getLogger("bureau.notices")
AUTO_RENEWER = Actor.system("auto-renew")


def renew_for_holder(domain: Domain, actor: Actor, now: datetime | None = None, *,
                     period: int = 1, accepted_price: int | None = None) -> Done:
    """Renew from the holder's paid term, before or after expiry (see above). The one renew
    use case of the portal, the API and the auto-renew job: after expiry the registrar's plain
    renew would be refused (2004) once the registry auto-renewed, or would add a year too many
    once the poll moved the expiry.

    Errors: those of the registrar's renew; WrongState (expiry unknown, or past the grace:
    restore instead); PeriodNotAllowed (field "period": after expiry, one year at a time);
    PriceChanged (``accepted_price`` is not the late-renewal price)."""
    now = now or clock.now()
    term = term_of(domain, now)
    if term is None:
        raise WrongState(_("The expiry date of %(name)s is unknown: Bureau is checking it with "
                           "the registry.") % {"name": domain.u_label})
    if term.paid_until > now:
        done = registrar_renew(domain=domain, actor=actor, period=period,
                               accepted_price=accepted_price)
        adopt_paid_expiry(done.domain, now)
        return done
    done = renew_late(domain, actor, now, period=period, accepted_price=accepted_price)
    works_again(done.domain, now)
    return done


def restore_for_holder(domain: Domain, actor: Actor, now: datetime | None = None, *,
                       accepted_price: int | None = None) -> Done:
    """Restore from redemption (the registrar's restore), then the name works again at once
    and the holder is told. The one restore use case of the portal and the API."""
    done = registrar_restore(domain=domain, actor=actor, accepted_price=accepted_price)
    now = now or clock.now()
    if done.domain.state == DomainState.ACTIVE:
        # Paid: the registry's expiry is the holder's term now, or works_again would still
        # see the lapsed term and leave the name parked until a job noticed.
        adopt_paid_expiry(done.domain, now)
        works_again(done.domain, now)
        notify_event(done.domain, "restored", now)
    return done


def works_again(domain: Domain, now: datetime) -> None:
    """The holder's DNS back now, not at the next parking run; a registry that does not
    answer leaves it to that run."""
    parking = open_parking(domain)
    term = term_of(domain, now)
    if parking is None or term is None or term.paid_until <= now:
        return
    try:
        unpark(parking, now)
    except OperationError as exc:
        logger.warning("DNS of %s not restored yet, the next run tries again: %s", domain, exc)


def verify_one_year_after_expiry(domain: Domain, period: int) -> None:
    if period != 1:
        raise PeriodNotAllowed(_("%(name)s has expired: renew it for one year now; you can "
                                 "renew it for more years afterwards.")
                               % {"name": domain.u_label})


def renew_late(domain: Domain, actor: Actor, now: datetime, *, period: int = 1,
               accepted_price: int | None = None) -> Done:
    authorise(domain, actor, ROLES_THAT_ORDER)
    verify_state(domain, [DomainState.ACTIVE])
    verify_one_year_after_expiry(domain, period)
    term = term_of(domain, now)
    assert term is not None
    if domain_timeline(domain, term.paid_until).phase(now) != Phase.GRACE:
        raise WrongState(_("%(name)s can no longer be renewed: it can only be restored, "
                           "with the restore fee.") % {"name": domain.u_label})
    check = info(domain)
    if check.response is not None:
        apply_info(domain, check.response.data)
        domain.save()
    assert domain.expires_at is not None
    if domain.expires_at <= term.paid_until:
        # The registry did not auto-renew: an ordinary renewal.
        done = registrar_renew(domain=domain, actor=actor, period=1,
                               accepted_price=accepted_price)
        adopt_paid_expiry(done.domain, now)
        return done
    tld = domain.tld
    price = list_price(tld, "renew", 1)
    if accepted_price is not None and accepted_price != price:
        raise PriceChanged(accepted_price, price, tld.currency)
    new_term = add_years(term.paid_until, 1)
    # No registry to ask: charged and done in one transaction, so no crash leaves it open.
    with transaction.atomic():
        order = orders.place(organisation=domain.organisation, user=actor.user,
                             operation=Operation.RENEW, domain_name=domain.name, amount=price,
                             currency=tld.currency, period=1, domain=domain)
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.RENEW,
               outcome=Outcome.SUCCESS, order=order, epp_outcome=check,
               message="late renewal: the registry's auto-renewal is kept for the holder",
               detail={"period": 1, "from": term.paid_until.isoformat(),
                       "to": new_term.isoformat(), "late": True})
        order = orders.complete(order, domain=domain)
        term.paid_until = new_term
        term.seen_expiry = domain.expires_at
        term.checked_at = now
        term.last_order_id = int(order.pk)
        term.save()
    return Done(domain, order)


@dataclass
class AutoRenewReport:
    renewed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def run_auto_renewals(now: datetime | None = None, *,
                      organisation: Organisation | None = None) -> AutoRenewReport:
    """Renew the names whose holders chose auto-renew, ``auto_renew_lead_days`` before
    expiry (or late, if the worker was down). A failure is an urgent notice, sent once per
    term; the job tries again at every run until the term ends, and as soon as a payment
    reaches the ``organisation``'s balance (bureau.payments)."""
    now = now or clock.now()
    report = AutoRenewReport()
    horizon = now + timedelta(days=conf.auto_renew_lead_days())
    candidates = auto_renew_candidates(now, horizon)
    if organisation is not None:
        candidates = candidates.filter(organisation=organisation)
    for domain in candidates:
        term = term_of(domain, now)
        if term is None or term.paid_until > horizon or auto_renew_of(domain) is not True:
            continue
        if domain_timeline(domain, term.paid_until).phase(now) not in (Phase.ACTIVE,
                                                                     Phase.GRACE):
            continue
        paid_until = term.paid_until
        try:
            renew_for_holder(domain, AUTO_RENEWER, now)
        except (OperationError, InsufficientFunds) as exc:
            report.failed.append(domain.name)
            notify_auto_renew_failed(domain, paid_until, str(exc), now)
        else:
            report.renewed.append(domain.name)
            notify_event(domain, "auto-renewed", now)
    return report


def auto_renew_candidates(now: datetime, horizon: datetime) -> QuerySet[Domain]:
    """Names with auto-renew chosen (for them or their organisation) whose term ends before
    ``horizon`` and is not long past; not given up."""
    chosen = Q(renewal_choice__auto_renew=True) | Q(
        renewal_choice__isnull=True, organisation__renewal_choice__auto_renew=True)
    low = now - timedelta(days=conf.grace_days() + 1)
    due = Q(term__paid_until__range=(low, horizon)) | Q(
        term__isnull=True, expires_at__range=(low, horizon))
    return (Domain.objects.filter(state=DomainState.ACTIVE).filter(chosen).filter(due)
            .exclude(pk__in=Goodbye.objects.filter(withdrawn_at=None).values("domain_id"))
            .select_related("tld__registry", "organisation", "registrant", "billing_contact")
            .order_by("pk"))


def notify_auto_renew_failed(domain: Domain, paid_until: datetime, reason: str,
                             now: datetime) -> None:
    context = domain_context(domain, paid_until, now)
    context["reason"] = reason
    deliver(Message(
        key=f"auto-renew-failed:{domain.pk}:{paid_until.date().isoformat()}",
        kind=NoticeKind.AUTO_RENEW_FAILED, template="auto_renew_failed",
        recipients=domain_recipients(domain), language=language_of(domain.registrant),
        context=context, domain=domain, contact=domain.registrant), now)
