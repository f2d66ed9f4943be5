"""Delete a domain. Most registries keep it in redemption (RGP) where it can be restored.

Errors: NotAllowed; WrongState (not active); StatusProhibits (DELETE_PROHIBITED, e.g. the
delete lock); RegistryRefused; OutcomePending.

Within the add grace period the registry deletes the name at once. Whatever is still in a
registry grace period (the registration, renewals, a late renewal's auto-renewal, a transfer
in) the registry credits to Bureau, and Bureau credits each such order back to the member in
the deletion's transaction (``refund_grace_periods``); the reconciliation does the same for
a deletion whose answer was lost.

Abandoning a name has consequences (old mail, old links, phishing): the web page asks for
confirmation and tells the holder to warn their partners; this function only acts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.core.credentials import require_recent_authentication
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_DOMAINS
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Domain, DomainState, Operation
from bureau.registrar.registries.models import Tld

from .common import Actor, EppOutcome
from .domainops import Done, authorise, run_free, verify_no_prohibiting_status, verify_state

DELETE_PROHIBITED = frozenset({"clientDeleteProhibited", "serverDeleteProhibited",
                               "pendingDelete", "pendingTransfer", "pendingRestore"})


def registry_credit(domain: Domain, outcome: EppOutcome) -> bool | None:
    """Did the registry say it credited Bureau for the delete? With the fee extension in use
    the answer carries the credit, and its absence means none; without it, None (unknown)."""
    response = outcome.response
    if response is None or domain.registry.fee_namespace is None:
        return None
    fee = response.extension(epp.FeeTransformData)
    return fee is not None and any(credit.amount for credit in fee.credits)


def grace_ends(order: Order, tld: Tld) -> datetime:
    """When the registry's grace period of a completed order ends (RFC 3915): add grace for
    a registration, renew grace for a renewal (auto-renew grace for a late renewal, which
    keeps the registry's auto-renewal), transfer grace for a transfer in."""
    done = order.finished_at or order.created_at
    if order.operation == Operation.CREATE:
        return done + timedelta(days=int(tld.add_grace_days))
    if order.operation == Operation.TRANSFER_IN:
        return done + timedelta(days=int(tld.transfer_grace_days))
    late = next((event.detail for event in order.events.all()
                 if (event.detail or {}).get("late")), None)
    if late is not None or order.operation == Operation.AUTO_RENEW:
        # The registry's auto-renewal happened at the old expiry date.
        start = datetime.fromisoformat(late["from"]) if late and late.get("from") else done
        return start + timedelta(days=int(tld.auto_renew_grace_days))
    return done + timedelta(days=int(tld.renew_grace_days))


GRACE_OPERATIONS = (Operation.CREATE, Operation.RENEW, Operation.AUTO_RENEW,
                    Operation.TRANSFER_IN)


def refund_grace_periods(domain: Domain, *, purged: bool, credited: bool | None,
                         now: datetime | None = None) -> list[Order]:
    """A name deleted while orders are still in a registry grace period: the registry
    credits Bureau for them, and Bureau credits each one back to the member, in the
    deletion's transaction. ``purged``: the registry removed the name at once, which it does
    only within the add grace period. ``credited``: what the registry's answer said (False:
    it kept everything, so nothing is refunded; None: it did not say, the periods decide)."""
    if credited is False:
        return []
    now = now or clock.now()
    refunded = []
    done = domain.orders.filter(state=OrderState.COMPLETED, operation__in=GRACE_OPERATIONS)
    for order in done.order_by("created_at", "id"):
        in_grace = grace_ends(order, domain.tld) > now or (
            purged and order.operation == Operation.CREATE)
        if in_grace:
            refunded.append(orders.refund_completed(
                # The operation's code, not its label: pages say it in the reader's language.
                order, message=f"deleted within the {order.operation} grace "
                               "period: credited by the registry"))
    return refunded


def delete(*, domain: Domain, actor: Actor) -> Done:
    authorise(domain, actor, ROLES_THAT_MANAGE_DOMAINS)
    verify_state(domain, [DomainState.ACTIVE])
    verify_no_prohibiting_status(domain, DELETE_PROHIBITED)
    require_recent_authentication(actor.credential)

    def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
        domain.deleted_at = clock.now()
        if outcome.code == 1001 or outcome.response is None:
            # Pending: in redemption at the registry, restorable.
            domain.state = DomainState.REDEMPTION
            domain.statuses = sorted({*domain.statuses, "pendingDelete"})
        else:
            # 1000: gone at once (deleted within the add grace period).
            domain.state = DomainState.DELETED
        refunded = refund_grace_periods(domain, purged=domain.state == DomainState.DELETED,
                                        credited=registry_credit(domain, outcome))
        if refunded:
            return {"state": domain.state, "refunded_orders": [order.pk for order in refunded]}
        return {"state": domain.state}

    def settle(domain: Domain, data: epp.DomainInfoData | None) -> bool | None:
        if data is None:
            return True  # the name no longer exists
        return "pendingDelete" in data.status_values or "redemptionPeriod" in data.status_values

    return run_free(domain=domain, actor=actor, operation=Operation.DELETE,
                    what=str(_("deletion")), command=epp.DomainDelete(domain.name),
                    on_success=on_success, settle=settle)
