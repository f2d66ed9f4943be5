"""Reconciliation: settle orders whose outcome is unknown and registrations the registry held
for review, and find drift between Bureau's domains and the registry's (info on each), fixing
Bureau's copy and recording what changed; a restore the registry took but never got the report
of is finished (the report sent).

Errors: none raised for one domain's trouble (logged and counted); bureau.epp.EPPError when
the registry cannot be reached at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from bureau import epp
from bureau.core import clock
from bureau.epp import EPPError
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import (
    HELD_STATES,
    Domain,
    DomainState,
    Operation,
    Outcome,
    live_domain,
)

from .bundles import record_bundle
from .common import Actor, EppOutcome, record, send
from .delete import refund_grace_periods
from .domainops import apply_info, settle_order
from .errors import OperationError, OutcomePending
from .register import settle_reviewed_create, settle_unknown_create
from .renew import add_years, settle_renew
from .restore import report_restore, settle_restore
from .transfer import settle_transfer_in

logger = logging.getLogger("bureau.registrar.reconcile")
RECONCILER = Actor.system("reconcile")


@dataclass
class Report:
    checked: int = 0
    drifted: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def settle_after() -> timedelta:
    """How old a pending order must be before the reconciliation settles it: longer than any
    operation takes, so that one still running is left alone (``BUREAU_ORDER_SETTLE_AFTER``,
    seconds)."""
    return timedelta(seconds=float(getattr(settings, "BUREAU_ORDER_SETTLE_AFTER", 600)))


def open_orders(now: datetime | None = None, older_than: timedelta | None = None
                ) -> QuerySet[Order]:
    """Orders to settle: unknown ones (the answer was lost), and pending ones older than
    ``older_than`` (whoever placed them stopped before the end: a worker killed, a server
    restarted). Not the registrations the registry holds for review: settle_reviewed_creates
    asks about those."""
    cutoff = (now or clock.now()) - (settle_after() if older_than is None else older_than)
    reviewed = Order.objects.filter(operation=Operation.CREATE,
                                    events__operation=Operation.CREATE,
                                    events__outcome=Outcome.PENDING)
    return (Order.objects.filter(Q(state=OrderState.UNKNOWN)
                                 | Q(state=OrderState.PENDING, created_at__lt=cutoff))
            .exclude(pk__in=reviewed.values("pk")).order_by("created_at", "id"))


def settle_unknown_orders(now: datetime | None = None,
                          older_than: timedelta | None = None) -> Report:
    """Settle every open order (see open_orders) from the registry's answer: an info (or a
    transfer query) says whether the registry did it → completed, or not → failed and
    credited back. Each order is settled under its row lock, so two runs at once settle it
    once; one the registry cannot answer about stays open for the next run: never guessed."""
    report = Report()
    for pk in list(open_orders(now, older_than).values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update(skip_locked=True).filter(
                    pk=pk, state__in=[OrderState.PENDING, OrderState.UNKNOWN]).first()
                if order is None:  # settled meanwhile, or another run holds it
                    continue
                domain = order.domain or live_domain(order.domain_name)
                if domain is None:
                    report.errors.append(order.domain_name)
                    continue
                report.checked += 1
                try:
                    settled = _settle(order, domain)
                except OutcomePending:  # no answer again: the next run asks again
                    settled = False
                except OperationError as exc:  # settled as refused (and credited back)
                    logger.info("order %s settled: %s", order.pk, exc)
                    settled = True
        except EPPError:
            logger.warning("order %s: the registry cannot be reached; next run", pk,
                           exc_info=True)
            report.errors.append(str(pk))
            continue
        if settled:
            report.settled.append(order.domain_name)
    return report




def _settle(order: Order, domain: Domain) -> bool:
    if order.operation == Operation.CREATE:
        if domain.state != DomainState.PENDING_CREATE:
            return False
        settle_unknown_create(domain, order, RECONCILER, EppOutcome())
        return True
    if order.operation == Operation.TRANSFER_IN:
        return _settle_transfer_in(order, domain)
    check = send(domain.registry, epp.DomainInfo(domain.name))
    if check.response is None:
        return False
    data: epp.DomainInfoData = check.response.data
    happened: bool | None = None
    if order.operation == Operation.RENEW:
        happened = settle_renew(data, expected_renewal(order, domain))
    elif order.operation == Operation.RESTORE:
        happened = settle_restore(check.response)
    if happened is None:
        return False
    settle_order(domain, order, RECONCILER, happened, check)
    return True


def expected_renewal(order: Order, domain: Domain) -> dict[str, str]:
    """The expiry dates before and after a renewal: recorded with an unknown outcome, or,
    for an order whose worker stopped before any answer, Bureau's expiry (not moved since)
    and the order's years."""
    event = order.events.filter(outcome=Outcome.UNKNOWN).exclude(detail={}).last()
    expected = (event.detail or {}).get("expected") if event is not None else None
    if expected:
        return dict(expected)
    if domain.expires_at is None:
        return {}
    return {"from": domain.expires_at.date().isoformat(),
            "to": add_years(domain.expires_at, order.period).date().isoformat()}


def _settle_transfer_in(order: Order, domain: Domain) -> bool:
    query = send(domain.registry, epp.DomainTransfer("query", domain.name,
                                                     auth_info=domain.auth_info or None))
    data = query.response.data if query.response is not None else None
    if isinstance(data, epp.TransferData) and data.requested_by == domain.registry.client_id:
        if data.status == "pending":
            if order.state == OrderState.PENDING and order.events.filter(
                    operation=Operation.TRANSFER_REQUEST, outcome=Outcome.PENDING).exists():
                return False  # known to be waiting for the losing registrar
            with transaction.atomic():
                record(domain=domain, name=domain.name, actor=RECONCILER,
                       operation=Operation.TRANSFER_REQUEST, outcome=Outcome.PENDING,
                       epp_outcome=query, order=order,
                       message="the transfer query shows the request pending at the registry",
                       detail={"action_due": data.action_due.isoformat()})
                if order.state != OrderState.PENDING:
                    orders.mark_pending(order)  # now waiting for the poll message
            return True
        settle_transfer_in(domain, RECONCILER, data.status, query, data.expires)
        return True
    if query.response is None and query.failure is None:
        return False
    settle_transfer_in(domain, RECONCILER, "notRequested", query)
    return True


def settle_reviewed_creates() -> Report:
    """Registrations the registry answered with 1001, in case its poll message never came:
    an info decides. Still pendingCreate → wait; ours and created → completed as after any
    create; gone (or someone else's) → refused, credited back. The poll processor may settle
    the same one at the same time: only one of them does (settle_reviewed_create)."""
    report = Report()
    # Only creates the registry answered 1001 to: an order still waiting for its answer
    # (a create in flight) must not be settled from an info that does not show it yet.
    held = Order.objects.filter(
        state=OrderState.PENDING, operation=Operation.CREATE,
        domain__state=DomainState.PENDING_CREATE,
        events__operation=Operation.CREATE, events__outcome=Outcome.PENDING,
    ).select_related("domain__tld__registry").distinct()
    for order in held:
        domain = order.domain
        assert domain is not None
        report.checked += 1
        outcome = send(domain.registry, epp.DomainInfo(domain.name))
        data = outcome.response.data if outcome.response is not None else None
        if isinstance(data, epp.DomainInfoData) and data.sponsor == domain.registry.client_id:
            if "pendingCreate" in data.status_values:
                continue
            settled = settle_reviewed_create(domain, RECONCILER, True, outcome, info=data,
                                             message="info shows the registry created the name")
        elif data is not None:
            settled = settle_reviewed_create(
                domain, RECONCILER, False, outcome,
                message="info shows another registrar holds the name: refused after review")
        elif outcome.failure is not None and outcome.failure.code == 2303:
            settled = settle_reviewed_create(
                domain, RECONCILER, False, outcome,
                message="the registry no longer has the name: refused after review")
        else:
            report.errors.append(domain.name)
            continue
        if settled:
            report.settled.append(domain.name)
    return report


def reconcile_domains(domains: list[Domain] | None = None) -> Report:
    """Compare each held domain with the registry's info; fix and record drift."""
    report = Report()
    todo = domains if domains is not None else list(
        Domain.objects.filter(state__in=HELD_STATES).select_related("tld__registry"))
    for domain in todo:
        report.checked += 1
        outcome = send(domain.registry, epp.DomainInfo(domain.name))
        if outcome.failure is not None and outcome.failure.code == 2303:
            with transaction.atomic():
                domain.state = DomainState.DELETED
                domain.save()
                # A deletion whose answer was lost (a worker killed): what was in a grace
                # period was credited by the registry, and goes back to the member.
                refunded = refund_grace_periods(domain, purged=False, credited=None)
                record(domain=domain, name=domain.name, actor=RECONCILER,
                       operation=Operation.RECONCILE, outcome=Outcome.SUCCESS,
                       epp_outcome=outcome, message="the registry no longer has this name",
                       detail={"refunded_orders": [o.pk for o in refunded]}
                       if refunded else None)
            report.gone.append(domain.name)
            continue
        if outcome.response is None:
            report.errors.append(domain.name)
            continue
        data: epp.DomainInfoData = outcome.response.data
        with transaction.atomic():
            if data.sponsor != domain.registry.client_id:
                domain.state = DomainState.TRANSFERRED_OUT
                changed = ["sponsor"]
            else:
                changed = apply_info(domain, data, outcome.response.extension(epp.RgpStatusData))
                # The bundle as the registry has it (a BDN added or gone, a row named
                # after a variant).
                changed += record_bundle(domain, outcome.response.extension(epp.BundleData))
            refunded = []
            if domain.state == DomainState.ACTIVE and "pendingDelete" in data.status_values:
                domain.state = DomainState.REDEMPTION
                changed.append("state")
                refunded = refund_grace_periods(domain, purged=False, credited=None)
            elif domain.state == DomainState.REDEMPTION and "pendingDelete" not in \
                    data.status_values and data.sponsor == domain.registry.client_id:
                # Restored at the registry, the answer to the report lost (a worker killed).
                domain.state, domain.deleted_at = DomainState.ACTIVE, None
                changed.append("state")
            if changed:
                domain.save()
                record(domain=domain, name=domain.name, actor=RECONCILER,
                       operation=Operation.RECONCILE, outcome=Outcome.SUCCESS,
                       epp_outcome=outcome,
                       detail={"changed": changed,
                               **({"refunded_orders": [o.pk for o in refunded]}
                                  if refunded else {})},
                       message="Bureau's copy differed from the registry's; fixed")
                report.drifted.append(domain.name)
        if domain.state == DomainState.REDEMPTION and "pendingRestore" in domain.statuses:
            finish_restore(domain)
    return report


def finish_restore(domain: Domain) -> None:
    """A restore the registry took (and charged) whose report was never sent or accepted (a
    worker killed in between): send the report now, before the registry's deadline puts the
    name back in redemption with the money spent. A refusal is logged; the next run tries
    again."""
    try:
        report_restore(domain, RECONCILER)
    except OperationError as exc:
        logger.warning("restore report of %s refused: %s", domain.name, exc)
