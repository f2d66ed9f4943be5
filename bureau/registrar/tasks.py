"""Jobs of the registrar: the periodic ones (see settings.BUREAU_PERIODIC_JOBS) and the
background forms of the domain operations, which take ids instead of objects."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import User
from django_tasks import task

from bureau.epp import EPPError
from bureau.registrar.accounts.models import Organisation
from bureau.registrar.billing.ledger import verify_balances
from bureau.registrar.contacts.models import Contact
from bureau.registrar.operations import delete, poll, register, restore, transfer
from bureau.registrar.operations import reconcile as reconciliation
from bureau.registrar.operations.common import Actor, domain_and_actor
from bureau.registrar.registries.models import Registry

logger = logging.getLogger("bureau.registrar.tasks")


@task()
def verify_ledger() -> int:
    """Check that every balance equals the sum of its entries; return the number that do not
    (0 when all is well) and log each one, since a drift is a bug to investigate. Hourly, it
    also proves the queue works end to end."""
    wrong = verify_balances()
    for account in wrong:
        logger.error("ledger drift on account %s (id %s)", account, account.pk)
    return len(wrong)


@task()
def process_poll_queues() -> int:
    """Read and apply every active registry's poll messages; return how many were new."""
    total = 0
    for registry in Registry.objects.filter(is_active=True):
        try:
            total += poll.process_poll_queue(registry)
        except EPPError:
            logger.warning("poll of %s failed; next run tries again", registry, exc_info=True)
    return total


@task()
def reconcile() -> dict[str, int]:
    """Settle open orders (unknown, or pending longer than BUREAU_ORDER_SETTLE_AFTER) and names
    under review, then compare every held domain with its registry."""
    orders = reconciliation.settle_unknown_orders()
    reviewed = reconciliation.settle_reviewed_creates()
    domains = reconciliation.reconcile_domains()
    return {"orders_settled": len(orders.settled), "reviews_settled": len(reviewed.settled),
            "domains_checked": domains.checked, "drifted": len(domains.drifted),
            "gone": len(domains.gone)}


@task()
def settle_orders() -> int:
    """Settle open orders (unknown, or pending longer than BUREAU_ORDER_SETTLE_AFTER) from the
    registries' answers; return how many were settled. Often and cheap: only open orders."""
    return len(reconciliation.settle_unknown_orders().settled)


@task()
def register_domain(*, organisation_id: int, user_id: int, name: str,
                    registrant_id: int, period: int = 1, nameservers: list[str] | None = None,
                    accepted_price: int | None = None,
                    dns: str | None = None) -> dict[str, object]:
    """Register a name in the background (bulk orders, benchmarks): the register operation
    with ids instead of objects. Returns the domain, order id and state, and the bundled
    names; a refusal (``OperationError``) fails the job with the operation's message. The
    person's role is checked as if they had ordered from the portal."""
    organisation = Organisation.objects.get(pk=organisation_id)
    actor = Actor(User.objects.get(pk=user_id))
    registration = register.register(
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
    return done_as_dict(transfer.transfer_in(
        organisation=Organisation.objects.get(pk=organisation_id),
        actor=Actor(User.objects.get(pk=user_id)), name=name, auth_info=auth_info,
        accepted_price=accepted_price))


@task()
def delete_domain(*, domain_id: int, user_id: int) -> dict[str, object]:
    """Delete a name in the background: the delete operation."""
    domain, actor = domain_and_actor(domain_id, user_id)
    return done_as_dict(delete.delete(domain=domain, actor=actor))


@task()
def restore_domain(*, domain_id: int, user_id: int,
                   accepted_price: int | None = None) -> dict[str, object]:
    """Restore a name from redemption in the background: the restore operation (request,
    then report)."""
    domain, actor = domain_and_actor(domain_id, user_id)
    return done_as_dict(restore.restore(domain=domain, actor=actor,
                                        accepted_price=accepted_price))
