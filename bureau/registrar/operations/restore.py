"""Restore a deleted domain from redemption (RFC 3915: a request, then a report).

Errors: NotAllowed; WrongState (not in redemption); PriceChanged; InsufficientFunds;
RegistryRefused (credited back when the request was refused); OutcomePending.

The request is charged; the report follows at once. If the report fails the domain stays
pending restore at the registry, and calling restore again sends only the report (no second
charge); the reconciliation sends it too (reconcile.finish_restore).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.accounts.models import ROLES_THAT_ORDER
from bureau.registrar.domains.models import Domain, DomainState, Operation, Outcome

from .check import fee_offer, quote
from .common import Actor, EppOutcome, record, send
from .domainops import Done, apply_info, authorise, info, refused, run_charged, verify_state
from .register import verify_price_accepted

RESTORE_REASON = "The holder asked for the name back through Bureau."


def restore(*, domain: Domain, actor: Actor, accepted_price: int | None = None) -> Done:
    authorise(domain, actor, ROLES_THAT_ORDER)
    verify_state(domain, [DomainState.REDEMPTION])
    done: Done | None = None
    if "pendingRestore" not in domain.statuses:
        q = quote(domain.name, operation="restore")
        verify_price_accepted(q, accepted_price)

        def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
            domain.statuses = sorted((set(domain.statuses) - {"pendingDelete",
                                                              "redemptionPeriod"})
                                     | {"pendingRestore"})
            return {"step": "request"}

        done = run_charged(
            domain=domain, actor=actor, operation=Operation.RESTORE, what=str(_("restore")),
            price=q.price, currency=q.currency, period=1,
            command=epp.DomainRestore(domain.name, fee=fee_offer(q)),
            on_success=on_success, settle=lambda domain, answer: settle_restore(answer))
        domain = done.domain
    report_restore(domain, actor)
    return Done(domain, done.order if done else None)


def settle_restore(answer: epp.Response) -> bool | None:
    """Did a restore request whose answer was lost happen? From an info answer (also used by
    reconcile.py): the RGP status (RFC 3915) says pendingRestore → yes, redemptionPeriod →
    no; a name no longer pendingDelete was restored. None when the registry does not say."""
    data: epp.DomainInfoData = answer.data
    rgp = answer.extension(epp.RgpStatusData)
    if "pendingDelete" not in data.status_values:
        return True
    if rgp is None:
        return None
    if "pendingRestore" in rgp.statuses:
        return True
    return False if rgp.in_redemption else None


def report_restore(domain: Domain, actor: Actor) -> None:
    """Send the restore report; the domain is active again when the registry accepts it."""
    deleted = domain.deleted_at or clock.now()
    report = epp.RestoreReport(
        pre_data=f"{domain.name} held by Bureau for {domain.organisation}",
        post_data=f"{domain.name} held by Bureau for {domain.organisation}",
        deleted=deleted, restored=clock.now(), reason=RESTORE_REASON)
    outcome = send(domain.registry, epp.DomainRestore(domain.name, report=report))
    if outcome.failure is not None:
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.RESTORE,
               outcome=Outcome.FAILED, epp_outcome=outcome, detail={"step": "report"})
        raise refused(domain, str(_("restore report")), outcome, charged=False)
    check = info(domain)
    with transaction.atomic():
        if check.response is not None:
            apply_info(domain, check.response.data)
        if outcome.response is not None or (
                check.response is not None and "pendingRestore" not in domain.statuses
                and "pendingDelete" not in domain.statuses):
            domain.state = DomainState.ACTIVE
            domain.deleted_at = None
            result = Outcome.SUCCESS
        else:
            result = Outcome.UNKNOWN
        domain.save()
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.RESTORE,
               outcome=result, epp_outcome=outcome, detail={"step": "report"})
