"""Periodic jobs of the registrar (see settings.BUREAU_PERIODIC_JOBS)."""

from __future__ import annotations

import logging

from django_tasks import task

from bureau.epp import EPPError
from bureau.registrar.registries.models import Registry

logger = logging.getLogger("bureau.registrar.tasks")


@task()
def process_poll_queues() -> int:
    """Read and apply every active registry's poll messages; return how many were new."""
    from bureau.registrar.operations.poll import process_poll_queue

    total = 0
    for registry in Registry.objects.filter(is_active=True):
        try:
            total += process_poll_queue(registry)
        except EPPError:
            logger.warning("poll of %s failed; next run tries again", registry, exc_info=True)
    return total


@task()
def reconcile() -> dict[str, int]:
    """Settle unknown orders, then compare every held domain with its registry."""
    from bureau.registrar.operations.reconcile import reconcile_domains, settle_unknown_orders

    orders = settle_unknown_orders()
    domains = reconcile_domains()
    return {"orders_settled": len(orders.settled), "domains_checked": domains.checked,
            "drifted": len(domains.drifted), "gone": len(domains.gone)}
