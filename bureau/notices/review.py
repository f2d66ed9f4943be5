"""The registry's decision on a name it reviewed before registering it (EPP 1001,
pendingCreate): the member ordered it days ago and is told the outcome. The registrar
announces the decision (``register.review_decided``, after its commit); this sends one notice,
keyed by the domain, so a settlement seen twice (poll message and reconciliation) or an
announcement repeated never sends a second one. A notice the mail server did not take then is
sent by the next notices job (``send_missed``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bureau.core import clock
from bureau.registrar.billing.models import Order
from bureau.registrar.domains.models import Domain, DomainEvent, Operation, Outcome

from . import conf
from .mail import Message, deliver, portal_path
from .models import Notice, NoticeKind
from .recipients import domain_recipients, language_of
from .reminders import money


def review_key(domain: Domain) -> str:
    return f"review:{domain.pk}"


def notify_review_decided(sender: Any, *, domain: Domain, order: Order, approved: bool,
                          message: str, **kwargs: Any) -> Notice | None:
    """Approved: the name is registered, until its expiry. Refused: it was not, the
    registry's reason, and the reserved price is back on the balance."""
    domain = Domain.objects.select_related("registrant", "billing_contact",
                                           "organisation").get(pk=domain.pk)
    url = conf.portal_url()
    context = {
        "domain": domain.u_label,
        "organisation": domain.organisation.name,
        "expires_at": domain.expires_at,
        "reason": message,
        "price": money(order.amount, order.currency),
        "domain_url": url + portal_path("web:domain", domain.pk, f"/domains/{domain.pk}/"),
        "balance_url": url + portal_path("web:billing", None, "/balance/"),
    }
    return deliver(Message(
        key=review_key(domain),
        kind=NoticeKind.REVIEW_APPROVED if approved else NoticeKind.REVIEW_REFUSED,
        template="review_approved" if approved else "review_refused",
        recipients=domain_recipients(domain), language=language_of(domain.registrant),
        context=context, domain=domain, contact=domain.registrant), clock.now())


# Decisions older than this are not told late: the member has seen the name's page by then.
CATCH_UP = timedelta(days=7)


def send_missed(now: datetime) -> list[Notice]:
    """Tell the recent decisions whose notice is missing (the mail server was unreachable when
    the decision came). The history's settling create event is the decision."""
    reviewed = DomainEvent.objects.filter(operation=Operation.CREATE, outcome=Outcome.PENDING)
    told = Notice.objects.filter(kind__in=[NoticeKind.REVIEW_APPROVED,
                                           NoticeKind.REVIEW_REFUSED])
    decisions = (DomainEvent.objects
                 .filter(operation=Operation.CREATE,
                         outcome__in=[Outcome.SUCCESS, Outcome.FAILED],
                         at__gte=clock.now() - CATCH_UP, order__isnull=False,
                         domain_id__in=reviewed.values("domain_id"))
                 .exclude(domain_id__in=told.values("domain_id"))
                 .select_related("domain", "order").order_by("at", "id"))
    sent = []
    for event in decisions:
        assert event.domain is not None and event.order is not None
        notice = notify_review_decided(Domain, domain=event.domain, order=event.order,
                                       approved=event.outcome == Outcome.SUCCESS,
                                       message=event.message)
        if notice is not None:
            sent.append(notice)
    return sent
