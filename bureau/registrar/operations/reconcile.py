"""Reconciliation: settle orders whose outcome is unknown and registrations the registry held
for review, and find drift between Bureau's domains and the registry's (info on each), fixing
Bureau's copy and recording what changed.

Errors: none raised for one domain's trouble (logged and counted); bureau.epp.EPPError when
the registry cannot be reached at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from bureau import epp
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import HELD_STATES, Domain, DomainState, Operation, Outcome

from .common import Actor, EppOutcome, record, send
from .domainops import apply_info, settle_order
from .errors import OperationError
from .register import settle_reviewed_create, settle_unknown_create
from .renew import settle_renew
from .restore import settle_restore
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


def settle_unknown_orders() -> Report:
    """Orders left unknown: an info (or a transfer query) decides each one. An order the
    registry still cannot answer about stays unknown for the next run: never guessed."""
    report = Report()
    for order in Order.objects.filter(state=OrderState.UNKNOWN).select_related("domain"):
        domain = order.domain
        if domain is None:
            continue
        report.checked += 1
        try:
            settled = _settle(order, domain)
        except OperationError as exc:  # settled as refused (and refunded)
            logger.info("order %s settled: %s", order.pk, exc)
            settled = True
        if settled:
            report.settled.append(order.domain_name)
    return report


def _settle(order: Order, domain: Domain) -> bool:
    if order.operation == Operation.CREATE:
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
        event = order.events.filter(outcome=Outcome.UNKNOWN).last()
        happened = settle_renew(data, (event.detail or {}).get("expected", {}) if event
                                else {})
    elif order.operation == Operation.RESTORE:
        happened = settle_restore(data)
    if happened is None:
        return False
    settle_order(domain, order, RECONCILER, happened, check)
    return True


def _settle_transfer_in(order: Order, domain: Domain) -> bool:
    query = send(domain.registry, epp.DomainTransfer("query", domain.name,
                                                     auth_info=domain.auth_info or None))
    data = query.response.data if query.response is not None else None
    if isinstance(data, epp.TransferData) and data.requested_by == domain.registry.client_id:
        if data.status == "pending":
            orders.mark_pending(order)  # now waiting for the poll message, like any other
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
                record(domain=domain, name=domain.name, actor=RECONCILER,
                       operation=Operation.RECONCILE, outcome=Outcome.SUCCESS,
                       epp_outcome=outcome, message="the registry no longer has this name")
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
                changed = apply_info(domain, data)
                if domain.state == DomainState.ACTIVE and "pendingDelete" in data.status_values:
                    domain.state = DomainState.REDEMPTION
                    changed.append("state")
            if changed:
                domain.save()
                record(domain=domain, name=domain.name, actor=RECONCILER,
                       operation=Operation.RECONCILE, outcome=Outcome.SUCCESS,
                       epp_outcome=outcome, detail={"changed": changed},
                       message="Bureau's copy differed from the registry's; fixed")
                report.drifted.append(domain.name)
    return report
