"""Delete a domain. Most registries keep it in redemption (RGP) where it can be restored.

Errors: NotAllowed; WrongState (not active); StatusProhibits (DELETE_PROHIBITED, e.g. the
delete lock); RegistryRefused; OutcomePending.

Within the add grace period the registry deletes the name at once and credits Bureau; the
member's registration is credited back in the same transaction.

Abandoning a name has consequences (old mail, old links, phishing): the web page asks for
confirmation and tells the holder to warn their partners; this function only acts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_DOMAINS
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Domain, DomainState, Operation

from .common import Actor, EppOutcome
from .domainops import Done, authorise, run_free, verify_no_prohibiting_status, verify_state

DELETE_PROHIBITED = frozenset({"clientDeleteProhibited", "serverDeleteProhibited",
                               "pendingDelete", "pendingTransfer", "pendingRestore"})


def refund_within_add_grace(domain: Domain) -> Order | None:
    """A name deleted within the add grace period is credited back by the registry: Bureau
    credits its registration back to the member, in the same transaction as the deletion."""
    since = clock.now() - timedelta(days=int(domain.tld.add_grace_days))
    order = domain.orders.filter(operation=Operation.CREATE, state=OrderState.COMPLETED,
                                 created_at__gte=since).first()
    if order is None:
        return None
    return orders.refund_completed(order, message="deleted within the add grace period")


def delete(*, domain: Domain, actor: Actor) -> Done:
    authorise(domain, actor, ROLES_THAT_MANAGE_DOMAINS)
    verify_state(domain, [DomainState.ACTIVE])
    verify_no_prohibiting_status(domain, DELETE_PROHIBITED)

    def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
        domain.deleted_at = clock.now()
        if outcome.code == 1001 or outcome.response is None:
            # Pending: in redemption at the registry, restorable.
            domain.state = DomainState.REDEMPTION
            domain.statuses = sorted({*domain.statuses, "pendingDelete"})
        else:
            # 1000: gone at once (deleted within the add grace period).
            domain.state = DomainState.DELETED
            refunded = refund_within_add_grace(domain)
            if refunded is not None:
                return {"state": domain.state, "refunded_order": refunded.pk}
        return {"state": domain.state}

    def settle(domain: Domain, data: epp.DomainInfoData | None) -> bool | None:
        if data is None:
            return True  # the name no longer exists
        return "pendingDelete" in data.status_values or "redemptionPeriod" in data.status_values

    return run_free(domain=domain, actor=actor, operation=Operation.DELETE,
                    what=str(_("deletion")), command=epp.DomainDelete(domain.name),
                    on_success=on_success, settle=settle)
