"""What the operations on an existing domain share: the checks on role, state and statuses,
refreshing the domain from an info, and the charged-operation skeleton."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.registrar.accounts.models import Role
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order
from bureau.registrar.domains.models import Domain, DomainState, Outcome
from bureau.registrar.domains.names import to_a_label

from .common import (
    Actor,
    EppOutcome,
    order_at_stake,
    record,
    send,
    send_or_close,
    status_reasons,
    verify_frame,
    verify_role,
)
from .errors import OutcomePending, RegistryRefused, StatusProhibits, WrongState


@dataclass(frozen=True)
class Done:
    """The result of an operation on a domain: the domain as stored, the order if charged."""

    domain: Domain
    order: Order | None = None
    detail: Any = None


def verify_state(domain: Domain, allowed: Iterable[str]) -> None:
    if domain.state not in set(allowed):
        raise WrongState(
            _("%(name)s is %(state)s: this operation is not possible now.")
            % {"name": domain.u_label, "state": domain.get_state_display()}
        )


def verify_no_prohibiting_status(domain: Domain, prohibited: frozenset[str]) -> None:
    """Locks Bureau holds (client*) and the registry's (server*, pending*) as last seen."""
    current = set(domain.statuses) | domain.client_statuses
    blocking = sorted(current & prohibited)
    if blocking:
        raise StatusProhibits(
            _("%(name)s has the status %(statuses)s, which forbids this. Remove the lock first "
              "(or ask the registry if it is theirs).")
            % {"name": domain.u_label, "statuses": ", ".join(blocking)}
        )


def authorise(domain: Domain, actor: Actor, roles: frozenset[Role]) -> None:
    verify_role(domain.organisation, actor, roles)


def info(domain: Domain) -> EppOutcome:
    return send(domain.registry, epp.DomainInfo(domain.name))


def apply_info(domain: Domain, data: epp.DomainInfoData,
               rgp: epp.RgpStatusData | None = None) -> list[str]:
    """Copy the registry's view onto the domain (not saved); return the fields that changed.
    With the info's RGP statuses (RFC 3915), a restore requested is kept among the statuses:
    restoring again then sends only the report (restore.py)."""
    changed = []
    restoring = {"pendingRestore"} if rgp is not None and "pendingRestore" in rgp.statuses \
        else set()
    updates: dict[str, Any] = {
        "roid": data.roid,
        "statuses": sorted(set(data.status_values) | restoring),
        "status_reasons": status_reasons(data),
        "expires_at": data.expires,
        "nameservers": [to_a_label(ns) if isinstance(ns, str) else to_a_label(ns.name)
                        for ns in data.nameservers],
    }
    if data.created is not None:
        updates["registered_at"] = data.created
    for field, value in updates.items():
        old = getattr(domain, field)
        if old != value:
            setattr(domain, field, value)
            # Filling what Bureau never knew (the create answer has no roid) is not drift.
            if old not in ("", None):
                changed.append(field)
    # Locks follow what the registry actually holds.
    for field, status in (("transfer_prohibited", "clientTransferProhibited"),
                          ("update_prohibited", "clientUpdateProhibited"),
                          ("delete_prohibited", "clientDeleteProhibited"),
                          ("renew_prohibited", "clientRenewProhibited")):
        held = status in data.status_values
        if getattr(domain, field) != held:
            setattr(domain, field, held)
            changed.append(field)
    return changed


def refused(domain: Domain, what: str, outcome: EppOutcome, charged: bool) -> RegistryRefused:
    assert outcome.failure is not None
    tail = _(" You were not charged.") if charged else ""
    return RegistryRefused(
        _("The registry refused the %(what)s of %(name)s: %(reason)s.%(tail)s")
        % {"what": what, "name": domain.u_label,
           "reason": outcome.failure.reason or outcome.failure.message, "tail": tail},
        outcome.failure.code,
    )


def pending(domain: Domain) -> OutcomePending:
    return OutcomePending(
        _("The registry did not confirm the operation on %(name)s. Bureau will check and "
          "settle it; you will not be charged twice. Do not order it again.")
        % {"name": domain.u_label})


def run_charged(*, domain: Domain, actor: Actor, operation: str, what: str, price: int,
                currency: str, period: int, command: epp.Command,
                on_success: Callable[[Domain, EppOutcome], dict[str, Any]],
                settle: Callable[[Domain, epp.Response], bool | None],
                expected: dict[str, Any] | None = None) -> Done:
    """The skeleton of a charged operation on an existing domain.

    ``on_success`` updates the domain (not saved) from the response and returns history
    detail. ``settle`` looks at an info answer after a lost answer: True (it happened), False
    (it did not), None (cannot tell). ``expected`` is stored with an unknown outcome so that the
    reconciliation job can settle the order later (see reconcile.py).
    """
    verify_frame(command, what)
    order = orders.place(organisation=domain.organisation, user=actor.user, operation=operation,
                         domain_name=domain.name, amount=price, currency=currency,
                         period=period, domain=domain)
    with order_at_stake(order, domain=domain, name=domain.name, actor=actor,
                        operation=operation):
        return _ask_charged(domain, order, actor, operation, what, command, on_success,
                            settle, expected)
    raise AssertionError("unreachable: order_at_stake never swallows an error")


def _ask_charged(domain: Domain, order: Order, actor: Actor, operation: str, what: str,
                 command: epp.Command,
                 on_success: Callable[[Domain, EppOutcome], dict[str, Any]],
                 settle: Callable[[Domain, epp.Response], bool | None],
                 expected: dict[str, Any] | None) -> Done:
    outcome = send_or_close(domain.registry, command, lambda reason: _failed(
        domain, order, actor, operation, EppOutcome(), message=reason))
    if outcome.response is not None:
        return _succeeded(domain, order, actor, operation, outcome, on_success)
    if outcome.failure is not None:
        _failed(domain, order, actor, operation, outcome)
        raise refused(domain, what, outcome, charged=True)
    check = info(domain)
    if check.response is not None:
        data: epp.DomainInfoData = check.response.data
        happened = settle(domain, check.response)
        if happened is not None:
            record(domain=domain, name=domain.name, actor=actor, operation="reconcile",
                   outcome=Outcome.SUCCESS, epp_outcome=check, order=order,
                   message=f"{operation} outcome was unknown; info shows it "
                           f"{'happened' if happened else 'did not happen'}")
            if happened:
                def from_info(domain: Domain, _outcome: EppOutcome) -> dict[str, Any]:
                    apply_info(domain, data)
                    return {"settled_by": "info"}
                return _succeeded(domain, order, actor, operation, outcome, from_info)
            _failed(domain, order, actor, operation, outcome)
            raise RegistryRefused(
                _("The registry did not carry out the %(what)s of %(name)s. You were not "
                  "charged.") % {"what": what, "name": domain.u_label}, 2400)
    with transaction.atomic():
        record(domain=domain, name=domain.name, actor=actor, operation=operation,
               outcome=Outcome.UNKNOWN, epp_outcome=outcome, order=order,
               detail={"expected": expected or {}})
        orders.mark_unknown(order, message=outcome.message)
    raise pending(domain)


def settle_order(domain: Domain, order: Order, actor: Actor, happened: bool,
                 check: EppOutcome) -> None:
    """Close an order whose outcome was unknown, once an info told what happened."""
    assert check.response is not None
    with transaction.atomic():
        apply_info(domain, check.response.data, check.response.extension(epp.RgpStatusData))
        domain.save()
        record(domain=domain, name=domain.name, actor=actor, operation=order.operation,
               outcome=Outcome.SUCCESS if happened else Outcome.FAILED, epp_outcome=check,
               order=order, message="outcome settled by the reconciliation (info)")
        if happened:
            orders.complete(order, domain=domain)
        else:
            orders.fail(order, message="the registry did not carry it out (info)")


def _succeeded(domain: Domain, order: Order, actor: Actor, operation: str,
               outcome: EppOutcome,
               on_success: Callable[[Domain, EppOutcome], dict[str, Any]]) -> Done:
    with transaction.atomic():
        detail = on_success(domain, outcome)
        domain.save()
        record(domain=domain, name=domain.name, actor=actor, operation=operation,
               outcome=Outcome.SUCCESS, epp_outcome=outcome, order=order, detail=detail)
        order = orders.complete(order, domain=domain)
    return Done(domain, order)


def _failed(domain: Domain, order: Order, actor: Actor, operation: str,
            outcome: EppOutcome, message: str = "") -> None:
    with transaction.atomic():
        record(domain=domain, name=domain.name, actor=actor, operation=operation,
               outcome=Outcome.FAILED, epp_outcome=outcome, order=order, message=message)
        orders.fail(order, message=message or outcome.message)


def run_free(*, domain: Domain, actor: Actor, operation: str, what: str,
             command: epp.Command, on_success: Callable[[Domain, EppOutcome], dict[str, Any]],
             settle: Callable[[Domain, epp.DomainInfoData], bool | None]) -> Done:
    """The same skeleton for operations that cost nothing (update, delete, transfer replies)."""
    outcome = send(domain.registry, command)
    if outcome.failure is not None:
        record(domain=domain, name=domain.name, actor=actor, operation=operation,
               outcome=Outcome.FAILED, epp_outcome=outcome)
        raise refused(domain, what, outcome, charged=False)
    if outcome.response is None:
        check = info(domain)
        happened = None
        data = None
        if check.response is not None:
            data = check.response.data
            happened = settle(domain, data)
        elif check.failure is not None and check.failure.code == 2303:
            happened = settle(domain, None)  # type: ignore[arg-type]
        if happened is None:
            record(domain=domain, name=domain.name, actor=actor, operation=operation,
                   outcome=Outcome.UNKNOWN, epp_outcome=outcome)
            raise pending(domain)
        if not happened:
            record(domain=domain, name=domain.name, actor=actor, operation=operation,
                   outcome=Outcome.FAILED, epp_outcome=outcome,
                   message="outcome was unknown; info shows it did not happen")
            raise RegistryRefused(
                _("The registry did not carry out the %(what)s of %(name)s; try again.")
                % {"what": what, "name": domain.u_label}, 2400)
        settled_data = data

        def from_info(domain: Domain, _outcome: EppOutcome) -> dict[str, Any]:
            detail = on_success(domain, _outcome)
            if settled_data is not None:
                apply_info(domain, settled_data)
            return {**detail, "settled_by": "info"}

        on_success = from_info
    with transaction.atomic():
        detail = on_success(domain, outcome)
        domain.save()
        event_outcome = Outcome.PENDING if outcome.code == 1001 else Outcome.SUCCESS
        record(domain=domain, name=domain.name, actor=actor, operation=operation,
               outcome=event_outcome, epp_outcome=outcome, detail=detail)
    return Done(domain)


def domain_state_after_delete(data: epp.DomainInfoData | None) -> str:
    if data is None:
        return DomainState.DELETED
    return DomainState.REDEMPTION if "pendingDelete" in data.status_values else DomainState.ACTIVE
