"""Reconciliation: settle orders whose outcome is unknown, and find drift between Bureau's
domains and the registry's (info on each), fixing Bureau's copy and recording what changed.

Errors: none raised for one domain's trouble (logged and counted); bureau.epp.EPPError when
the registry cannot be reached at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from bureau import epp
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import HELD_STATES, Domain, DomainState, Operation, Outcome

from .common import Actor, EppOutcome, record, send
from .domainops import apply_info
from .errors import OperationError
from .register import settle_unknown_create

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
    """Orders left unknown: an info decides each one (creates only need it; others are
    settled by the domain drift check below, then closed)."""
    report = Report()
    for order in Order.objects.filter(state=OrderState.UNKNOWN).select_related("domain"):
        domain = order.domain
        if domain is None:
            continue
        report.checked += 1
        try:
            if order.operation == Operation.CREATE:
                settle_unknown_create(domain, order, RECONCILER, EppOutcome())
            else:
                outcome = send(domain.registry, epp.DomainInfo(domain.name))
                if outcome.response is None:
                    continue
                with transaction.atomic():
                    apply_info(domain, outcome.response.data)
                    domain.save()
                    record(domain=domain, name=domain.name, actor=RECONCILER,
                           operation=Operation.RECONCILE, outcome=Outcome.SUCCESS,
                           epp_outcome=outcome, order=order,
                           message="order outcome was unknown; domain refreshed from info, "
                                   "order left for an operator to close")
                continue
            report.settled.append(order.domain_name)
        except OperationError as exc:
            report.settled.append(order.domain_name)
            logger.info("order %s settled: %s", order.pk, exc)
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
