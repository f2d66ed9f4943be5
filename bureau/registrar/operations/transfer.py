"""Transfers: in (with the holder's transfer code) and out (approve, reject, reveal the code).

transfer_in errors: NotAllowed; InvalidName, TldNotSold, NotAvailable (already at Bureau);
CommandInvalid (field "auth_info": a code that cannot be sent, such as one with a control
character; nothing charged); PriceChanged; InsufficientFunds; RegistryRefused (credited back:
wrong code, locked name); OutcomePending. A transfer in stays pending (order charged, domain
pending-transfer-in) until the registry's poll message says approved (order completed) or
rejected (credited back); see poll.py.

approve_transfer_out / reject_transfer_out errors: NotAllowed; WrongState (no transfer
pending); RegistryRefused; OutcomePending.

reveal_auth_info errors: NotAllowed; WrongState. Every reveal is recorded in the history and
the security log.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.core.credentials import require_recent_authentication
from bureau.registrar.accounts.models import (
    ROLES_THAT_MANAGE_MEMBERS,
    ROLES_THAT_ORDER,
    Organisation,
)
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import Domain, DomainState, Operation, Outcome

from .adopt import adopt
from .bundles import record_bundle
from .check import fee_offer, quote
from .common import (
    Actor,
    EppOutcome,
    order_at_stake,
    parse_new_name,
    record,
    send,
    send_or_close,
    verify_frame,
    verify_printable,
    verify_role,
    verify_tld_sold,
)
from .domainops import Done, authorise, pending, refused, run_free, verify_state
from .errors import NotAvailable, RegistryRefused
from .register import verify_contacts_belong, verify_not_held, verify_price_accepted


def transfer_in(*, organisation: Organisation, actor: Actor, name: str, auth_info: str,
                accepted_price: int | None = None, holder: Contact | None = None) -> Done:
    """``holder``: the organisation's contact for the holder, standing in for the holder and
    contacts the losing registrar withholds (adopt.py); the registry's data wins otherwise."""
    a_label = parse_new_name(name)
    verify_printable(auth_info, _("transfer code"), field="auth_info")
    tld = verify_tld_sold(a_label)
    verify_role(organisation, actor, ROLES_THAT_ORDER)
    verify_contacts_belong(organisation, [holder])
    verify_not_held(a_label)
    q = quote(a_label, operation="transfer")
    verify_price_accepted(q, accepted_price)
    command = epp.DomainTransfer("request", a_label, auth_info=auth_info, fee=fee_offer(q))
    verify_frame(command, _("transfer code"), field="auth_info")
    try:
        with transaction.atomic():
            domain = Domain.objects.create(name=a_label, tld=tld, organisation=organisation,
                                           state=DomainState.PENDING_TRANSFER_IN,
                                           auth_info=auth_info, registrant=holder)
            order = orders.place(organisation=organisation, user=actor.user,
                                 operation=Operation.TRANSFER_IN, domain_name=a_label,
                                 amount=q.price, currency=q.currency, domain=domain)
    except IntegrityError as exc:
        raise NotAvailable(_("%(name)s is already being transferred.") % {"name": a_label}
                           ) from exc
    with order_at_stake(order, domain=domain, name=a_label, actor=actor,
                        operation=Operation.TRANSFER_REQUEST):
        return _request(domain, order, actor, command)
    raise AssertionError("unreachable: order_at_stake never swallows an error")


def _request(domain: Domain, order: Order, actor: Actor, command: epp.DomainTransfer) -> Done:
    registry, a_label, auth_info = domain.registry, domain.name, command.auth_info
    outcome = send_or_close(registry, command, lambda reason: _transfer_failed(
        domain, order, actor, EppOutcome(), message=reason))
    if outcome.failure is not None:
        _transfer_failed(domain, order, actor, outcome)
        raise refused(domain, str(_("transfer")), outcome, charged=True)
    if outcome.response is None:
        # Lost answer: a transfer query (with the code) tells whether it was requested.
        query = send(registry, epp.DomainTransfer("query", a_label, auth_info=auth_info))
        data = query.response.data if query.response is not None else None
        if isinstance(data, epp.TransferData) and data.requested_by == registry.client_id:
            outcome = EppOutcome(response=query.response)
        elif query.response is not None or query.failure is not None:
            _transfer_failed(domain, order, actor, outcome)
            raise RegistryRefused(
                _("The registry did not record the transfer of %(name)s. You were not "
                  "charged; try again.") % {"name": domain.u_label}, 2301)
        else:
            with transaction.atomic():
                record(domain=domain, name=a_label, actor=actor,
                       operation=Operation.TRANSFER_REQUEST, outcome=Outcome.UNKNOWN,
                       epp_outcome=outcome, order=order)
                orders.mark_unknown(order, message=outcome.message)
            raise pending(domain)
    data = outcome.response.data if outcome.response is not None else None
    with transaction.atomic():
        # Asked for by a variant: the registry's answer names the bundle, and the row is
        # named after its RDN from now on, as the registry's messages are.
        if outcome.response is not None:
            record_bundle(domain, outcome.response.extension(epp.BundleData))
        if isinstance(data, epp.TransferData) and data.status in ("clientApproved",
                                                                   "serverApproved"):
            return _transfer_completed(domain, order, actor, outcome, data)
        record(domain=domain, name=a_label, actor=actor, operation=Operation.TRANSFER_REQUEST,
               outcome=Outcome.PENDING, epp_outcome=outcome, order=order,
               detail={"action_due": data.action_due.isoformat()
                       if isinstance(data, epp.TransferData) else None})
    return Done(domain, order)


def _transfer_failed(domain: Domain, order: Order, actor: Actor, outcome: EppOutcome,
                     message: str = "") -> None:
    with transaction.atomic():
        domain.state = DomainState.DELETED
        domain.deleted_at = clock.now()
        domain.save()
        record(domain=domain, name=domain.name, actor=actor,
               operation=Operation.TRANSFER_REQUEST, outcome=Outcome.FAILED,
               epp_outcome=outcome, order=order, message=message)
        orders.fail(order, message=message or outcome.message)


def _transfer_completed(domain: Domain, order: Order, actor: Actor, outcome: EppOutcome,
                        data: epp.TransferData) -> Done:
    with transaction.atomic():
        domain.state = DomainState.ACTIVE
        if data.expires is not None:
            domain.expires_at = data.expires
        domain.save()
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.TRANSFER_IN,
               outcome=Outcome.SUCCESS, epp_outcome=outcome, order=order,
               detail={"status": data.status})
        order = orders.complete(order, domain=domain)
    adopt(domain, actor)
    return Done(domain, order)


def settle_transfer_in(domain: Domain, actor: Actor, status: str,
                       epp_outcome: EppOutcome | None = None,
                       expires: Any = None) -> None:
    """Close a pending transfer in from a poll message or a query: approved or not."""
    order = domain.orders.filter(operation=Operation.TRANSFER_IN,
                                 state__in=["pending", "unknown"]).first()
    with transaction.atomic():
        if status in ("clientApproved", "serverApproved"):
            domain.state = DomainState.ACTIVE
            if expires is not None:
                domain.expires_at = expires
            domain.save()
            record(domain=domain, name=domain.name, actor=actor,
                   operation=Operation.TRANSFER_IN, outcome=Outcome.SUCCESS,
                   epp_outcome=epp_outcome, order=order, detail={"status": status})
            if order is not None:
                orders.complete(order, domain=domain)
        else:
            domain.state = DomainState.DELETED
            domain.deleted_at = clock.now()
            domain.save()
            record(domain=domain, name=domain.name, actor=actor,
                   operation=Operation.TRANSFER_IN, outcome=Outcome.FAILED,
                   epp_outcome=epp_outcome, order=order, detail={"status": status})
            if order is not None:
                orders.fail(order, message=f"transfer {status}")
    if status in ("clientApproved", "serverApproved"):
        adopt(domain, actor)


def _reply(domain: Domain, actor: Actor, op: str) -> Done:
    authorise(domain, actor, ROLES_THAT_MANAGE_MEMBERS)
    verify_state(domain, [DomainState.PENDING_TRANSFER_OUT])
    approve = op == "approve"

    def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
        domain.state = DomainState.TRANSFERRED_OUT if approve else DomainState.ACTIVE
        domain.statuses = sorted(set(domain.statuses) - {"pendingTransfer"})
        return {"reply": op}

    def settle(domain: Domain, data: epp.DomainInfoData | None) -> bool | None:
        if data is None:
            return None
        if "pendingTransfer" in data.status_values:
            return False
        return (data.sponsor != domain.registry.client_id) == approve

    return run_free(domain=domain, actor=actor,
                    operation=Operation.TRANSFER_APPROVE if approve
                    else Operation.TRANSFER_REJECT,
                    what=str(_("transfer reply")),
                    command=epp.DomainTransfer(op, domain.name),  # type: ignore[arg-type]
                    on_success=on_success, settle=settle)


def approve_transfer_out(*, domain: Domain, actor: Actor) -> Done:
    return _reply(domain, actor, "approve")


def reject_transfer_out(*, domain: Domain, actor: Actor) -> Done:
    return _reply(domain, actor, "reject")


# Sent in the transaction of each reveal: bureau.audit records it in the security log (a
# receiver that fails makes the reveal fail: no code is shown unlogged).
auth_info_revealed = Signal()


def reveal_auth_info(*, domain: Domain, actor: Actor) -> str:
    """The transfer code, for the holder to give to the gaining registrar. Recorded in the
    domain's history and in the security log, alike from every door."""
    authorise(domain, actor, ROLES_THAT_MANAGE_MEMBERS)
    verify_state(domain, [DomainState.ACTIVE])
    require_recent_authentication(actor.credential)
    with transaction.atomic():
        record(domain=domain, name=domain.name, actor=actor,
               operation=Operation.AUTH_INFO_REVEAL, outcome=Outcome.SUCCESS)
        auth_info_revealed.send(sender=Domain, domain=domain, actor=actor)  # the audit logs it
    return str(domain.auth_info)
