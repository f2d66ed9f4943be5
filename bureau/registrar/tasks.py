"""Periodic jobs of the registrar (see settings.BUREAU_PERIODIC_JOBS)."""

from __future__ import annotations

import logging
from typing import Any

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
    """Settle open orders (unknown, or pending longer than BUREAU_ORDER_SETTLE_AFTER) and names
    under review, then compare every held domain with its registry."""
    from bureau.registrar.operations.reconcile import (
        reconcile_domains,
        settle_reviewed_creates,
        settle_unknown_orders,
    )

    orders = settle_unknown_orders()
    reviewed = settle_reviewed_creates()
    domains = reconcile_domains()
    return {"orders_settled": len(orders.settled), "reviews_settled": len(reviewed.settled),
            "domains_checked": domains.checked, "drifted": len(domains.drifted),
            "gone": len(domains.gone)}


@task()
def settle_orders() -> int:
    """Settle open orders (unknown, or pending longer than BUREAU_ORDER_SETTLE_AFTER) from the
    registries' answers; return how many were settled. Often and cheap: only open orders."""
    from bureau.registrar.operations.reconcile import settle_unknown_orders

    return len(settle_unknown_orders().settled)


@task()
def register_domain(*, organisation_id: int, user_id: int, name: str,
                    registrant_id: int, period: int = 1, nameservers: list[str] | None = None,
                    accepted_price: int | None = None,
                    dns: str | None = None) -> dict[str, object]:
    """Register a name in the background (bulk orders, benchmarks): the register operation
    with ids instead of objects. Returns the domain, order id and state, and the bundled
    names; a refusal (``OperationError``) fails the job with the operation's message. The
    person's role is checked as if they had ordered from the portal."""
    from django.contrib.auth.models import User

    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.contacts.models import Contact
    from bureau.registrar.operations.common import Actor
    from bureau.registrar.operations.register import register

    organisation = Organisation.objects.get(pk=organisation_id)
    actor = Actor(User.objects.get(pk=user_id))
    registration = register(
        organisation=organisation, actor=actor, name=name,
        registrant=Contact.objects.get(pk=registrant_id), period=period,
        nameservers=nameservers or (), accepted_price=accepted_price, dns=dns)
    return {"domain": registration.domain.name, "order": registration.order.pk,
            "state": registration.order.state, "bundled": list(registration.bundled)}


def done_as_dict(done: Any) -> dict[str, object]:
    """What a job on a domain returns: the domain, its state, the order and its state."""
    return {"domain": done.domain.name, "state": done.domain.state,
            "order": done.order.pk if done.order is not None else None,
            "order_state": done.order.state if done.order is not None else None}


@task()
def transfer_domain(*, organisation_id: int, user_id: int, name: str, auth_info: str,
                    accepted_price: int | None = None) -> dict[str, object]:
    """Ask for a name's transfer to Bureau in the background: the transfer_in operation."""
    from django.contrib.auth.models import User

    from bureau.registrar.accounts.models import Organisation
    from bureau.registrar.operations.common import Actor
    from bureau.registrar.operations.transfer import transfer_in

    return done_as_dict(transfer_in(organisation=Organisation.objects.get(pk=organisation_id),
                             actor=Actor(User.objects.get(pk=user_id)), name=name,
                             auth_info=auth_info, accepted_price=accepted_price))


@task()
def delete_domain(*, domain_id: int, user_id: int) -> dict[str, object]:
    """Delete a name in the background: the delete operation."""
    from bureau.registrar.operations.common import domain_and_actor
    from bureau.registrar.operations.delete import delete

    domain, actor = domain_and_actor(domain_id, user_id)
    return done_as_dict(delete(domain=domain, actor=actor))
