"""Register a domain name for an organisation.

Errors (nothing charged unless said):
- NotAllowed: the person's role does not allow ordering.
- InvalidName, TldNotSold, NotAvailable (field "name").
- PeriodNotAllowed (field "period"): outside the TLD's periods.
- PriceChanged (field "price"): the price differs from the one the person accepted.
- ContactInvalid: a contact of another organisation, or one the registry cannot take.
- billing.ledger.InsufficientFunds: the balance does not cover the price.
- CommandInvalid: the create cannot be built or is not valid EPP (checked before the order
  is placed: nothing charged, the name not blocked).
- RegistryRefused: the registry refused the create; the charge was credited back.
- OutcomePending: the answer was lost and the info that settles it failed too; the order is
  kept (money reserved) for the reconciliation job. Never retried blindly.

Flow: verify, quote, build and validate the EPP create, then one transaction stores the
order, its charge and the domain row (pending-create) so the order can never be lost; then
the EPP create; then one transaction stores the outcome (domain, history, order state, refund
when refused). Any unexpected error after the order is stored makes its outcome unknown
(``order_at_stake``); a worker killed in between leaves it pending: either way the
reconciliation settles it from an info.

Names under review: a registry may answer 1001 (pendingCreate) and decide later. No error:
the registration comes back with ``under_review`` set, the domain pending-create and the
order pending (money reserved). The decision arrives as a poll message (poll.py) or is seen
by the reconciliation (reconcile.py); both call ``settle_reviewed_create``, which settles it
once: approved → as after any create; refused → deleted and credited back. Either way
``review_decided`` is sent once the decision is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.epp.domain import ContactType
from bureau.registrar.accounts.models import ROLES_THAT_ORDER, Organisation
from bureau.registrar.billing import orders
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.contacts.models import Contact
from bureau.registrar.domains.models import BundledName, Domain, DomainState, Operation, Outcome
from bureau.registrar.domains.names import to_u_label
from bureau.registrar.registries.models import BDN_NAMESPACE, Tld

from .bundles import record_bundle
from .check import Quote, fee_offer, quote
from .common import (
    Actor,
    EppOutcome,
    logger,
    order_at_stake,
    parse_name,
    parse_new_name,
    record,
    send,
    send_or_close,
    status_reasons,
    verify_frame,
    verify_role,
    verify_tld_sold,
)
from .dnschoice import nameservers_for
from .errors import (
    ContactInvalid,
    NotAvailable,
    OutcomePending,
    PeriodNotAllowed,
    PriceChanged,
    RegistryRefused,
)
from .handles import ensure_handle
from .hosts import ensure_hosts

# The registry's "command completed successfully; action pending" (RFC 5730 section 3).
ACTION_PENDING = 1001

# Sent once a name is registered (keywords: domain, actor): other apps add their steps here
# (DNS hosting creates the zone of a name registered with Bureau's name servers). A failing
# receiver is logged and never undoes the registration.
domain_registered = Signal()


def announce_registered(domain: Domain, actor: Actor) -> None:
    for receiver, result in domain_registered.send_robust(sender=Domain, domain=domain,
                                                           actor=actor):
        if isinstance(result, Exception):
            logger.error("after registering %s, %r failed: %s", domain.name, receiver, result,
                         exc_info=result)


# Sent once the registry's decision on a name it reviewed is committed (keywords: domain,
# order, approved, message: the reason recorded in the history): notices tells the member.
# Sent after the commit of the caller's transaction (the poll holds one), never for a
# decision that is rolled back; a failing receiver is logged.
review_decided = Signal()


def announce_review_decided(domain: Domain, order: Order, approved: bool, message: str) -> None:
    def send() -> None:
        for receiver, result in review_decided.send_robust(
                sender=Domain, domain=domain, order=order, approved=approved, message=message):
            if isinstance(result, Exception):
                logger.error("after the review of %s, %r failed: %s", domain.name, receiver,
                             result, exc_info=result)

    transaction.on_commit(send)


@dataclass(frozen=True)
class Registration:
    domain: Domain
    order: Order
    bundled: tuple[str, ...] = ()

    @property
    def under_review(self) -> bool:
        """The registry reviews the name before creating it (the money stays reserved)."""
        return self.domain.state == DomainState.PENDING_CREATE


def under_review_message(domain: Domain) -> str:
    """What a member is told when the registry reviews the name before registering it."""
    return str(_("The registry is reviewing %(name)s before registering it, which can take "
                 "a few days. Its price is reserved on your balance: it is credited back if "
                 "the registry refuses the name. You have nothing else to do.")
               % {"name": domain.u_label})


def verify_period_allowed(tld: Tld, years: int) -> None:
    if not tld.allows_period(years):
        raise PeriodNotAllowed(
            _("Names in .%(tld)s are registered for %(min)s to %(max)s years, not %(years)s.")
            % {"tld": tld.name, "min": tld.min_period, "max": tld.max_period, "years": years}
        )


def verify_available(q: Quote) -> None:
    if not q.available:
        raise NotAvailable(
            _("%(name)s is not available%(reason)s. Try another name.")
            % {"name": q.u_label, "reason": f" ({q.reason})" if q.reason else ""}
        )


def verify_not_held(name: str) -> None:
    """Refuse a name Bureau holds already, as a registration or as one of its bundled names."""
    held = Domain.objects.live().named(name).first()
    if held is not None:
        if held.name != name:
            raise NotAvailable(
                _("%(name)s is already managed by Bureau, in the bundle of %(rdn)s.")
                % {"name": to_u_label(name), "rdn": held.u_label})
        raise NotAvailable(_("%(name)s is already managed by Bureau.") % {"name": name})


def verify_price_accepted(q: Quote, accepted_price: int | None) -> None:
    if accepted_price is not None and accepted_price != q.price:
        raise PriceChanged(accepted_price, q.price, q.currency)


def verify_contacts_belong(organisation: Organisation, contacts: Sequence[Contact | None]) -> None:
    for contact in contacts:
        if contact is not None and contact.organisation_id != organisation.pk:
            raise ContactInvalid(
                _("The contact “%(name)s” belongs to another organisation: choose one of "
                  "yours.") % {"name": contact.name}, field="registrant")


def register(*, organisation: Organisation, actor: Actor, name: str, registrant: Contact,
             period: int = 1, admin: Contact | None = None, tech: Contact | None = None,
             billing: Contact | None = None, nameservers: Sequence[str] = (),
             accepted_price: int | None = None, dns: str | None = None) -> Registration:
    """``dns``: the checkout's DNS choice (dnschoice.DnsChoice); None keeps ``nameservers``."""
    a_label = parse_new_name(name)
    tld = verify_tld_sold(a_label)
    registry = tld.registry
    verify_role(organisation, actor, ROLES_THAT_ORDER)
    verify_period_allowed(tld, period)
    verify_contacts_belong(organisation, [registrant, admin, tech, billing])
    verify_not_held(a_label)
    nameservers = nameservers_for(dns, nameservers, a_label)  # DNS choice (bureau.dns's area)
    q = quote(a_label, operation="create", period=period, tld=tld)
    verify_available(q)
    verify_price_accepted(q, accepted_price)
    registrant_handle = ensure_handle(registrant, registry)
    roles: tuple[tuple[ContactType, Contact | None], ...] = (
        ("admin", admin), ("tech", tech), ("billing", billing))
    contacts = [epp.DomainContact(kind, ensure_handle(contact, registry))
                for kind, contact in roles if contact is not None]
    hosts = [parse_name(ns) for ns in nameservers]
    ensure_hosts(registry, organisation, hosts)
    auth_info = epp.generate_auth_info()
    bundle = epp.BundleCreate() if tld.bundles and registry.supports(BDN_NAMESPACE) else None
    command = epp.DomainCreate(
        a_label, registrant=registrant_handle, contacts=contacts, nameservers=hosts,
        auth_info=auth_info, period=epp.Period(period), fee=fee_offer(q), bundle=bundle,
    )
    verify_frame(command, _("registration"))

    # 1. The order, its charge and the pending domain: committed before the registry is asked.
    try:
        with transaction.atomic():
            # The domain row first: a race for the name ends here, before the balance is
            # locked, and the order is stored with its domain in one statement.
            domain = Domain.objects.create(
                name=a_label, tld=tld, organisation=organisation, registrant=registrant,
                admin_contact=admin, tech_contact=tech, billing_contact=billing,
                nameservers=hosts, auth_info=auth_info,
                state=DomainState.PENDING_CREATE,
            )
            # The names the registry said it bundles, until its answer says which it did:
            # the order's invoice names them, and no one else takes one in meanwhile.
            BundledName.objects.bulk_create(
                [BundledName(domain=domain, name=n, u_label=to_u_label(n) if "xn--" in n else "")
                 for n in q.bundled])
            order = orders.place(organisation=organisation, user=actor.user,
                                 operation=Operation.CREATE, domain_name=a_label,
                                 amount=q.price, currency=q.currency, period=period,
                                 domain=domain)
    except IntegrityError as exc:  # another order for the same name won the race
        raise NotAvailable(_("%(name)s is already being registered.") % {"name": a_label}
                           ) from exc

    # 2. The registry, then 3. the outcome, in one transaction each way. Whatever goes wrong
    # from here leaves the order for the reconciliation (order_at_stake), never held.
    with order_at_stake(order, domain=domain, name=a_label, actor=actor,
                        operation=Operation.CREATE):
        outcome = send_or_close(registry, command, lambda reason: _refused(
            domain, order, actor, EppOutcome(), message=reason))
        if outcome.response is not None and outcome.code == ACTION_PENDING:
            return _held_for_review(domain, order, actor, outcome)
        if outcome.unknown is not None:
            return settle_unknown_create(domain, order, actor, outcome)
        if outcome.failure is not None:
            _refused(domain, order, actor, outcome)
            raise RegistryRefused(
                _("The registry refused to register %(name)s: %(reason)s. You were not "
                  "charged.") % {"name": domain.u_label,
                                 "reason": outcome.failure.reason or outcome.message},
                outcome.failure.code, field="name")
        registration = _created(domain, order, actor, outcome)
    apply_default_locks(registration.domain, actor)
    learn_roid(registration.domain)
    announce_registered(registration.domain, actor)
    return registration


def _created(domain: Domain, order: Order, actor: Actor, outcome: EppOutcome,
             info: epp.DomainInfoData | None = None, message: str = "",
             detail: dict[str, Any] | None = None) -> Registration:
    response = outcome.response
    assert response is not None
    data = response.data if isinstance(response.data, epp.DomainCreateData) else None
    bundle = response.extension(epp.BundleData)
    with transaction.atomic():
        domain.state = DomainState.ACTIVE
        domain.registered_at = (data.created if data else None) or (info.created if info
                                                                     else clock.now())
        domain.expires_at = (data.expires if data else None) or (info.expires if info else None)
        if info is not None:
            domain.roid = info.roid
            domain.statuses = sorted(info.status_values)
            domain.status_reasons = status_reasons(info)
        domain.save()
        record_bundle(domain, bundle)
        bundled = domain.names[1:]
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.CREATE,
               outcome=Outcome.SUCCESS, epp_outcome=outcome, order=order, message=message,
               detail={"period": order.period, "bundled": bundled,
                       "expires": domain.expires_at.isoformat() if domain.expires_at else None,
                       **(detail or {})})
        order = orders.complete(order, domain=domain)
    return Registration(domain, order, tuple(bundled))


def _refused(domain: Domain, order: Order, actor: Actor, outcome: EppOutcome,
             message: str = "", detail: dict[str, Any] | None = None) -> None:
    with transaction.atomic():
        domain.state = DomainState.DELETED
        domain.deleted_at = clock.now()
        domain.save()
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.CREATE,
               outcome=Outcome.FAILED, epp_outcome=outcome, order=order, message=message,
               detail=detail)
        orders.fail(order, message=message or outcome.message)


def _held_for_review(domain: Domain, order: Order, actor: Actor,
                     outcome: EppOutcome) -> Registration:
    """1001: the registry created nothing yet. The order stays open (money reserved) and the
    history says so; the decision settles it (settle_reviewed_create)."""
    with transaction.atomic():
        domain.statuses = ["pendingCreate"]
        domain.save(update_fields=["statuses", "updated_at"])
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.CREATE,
               outcome=Outcome.PENDING, epp_outcome=outcome, order=order,
               message="the registry reviews the name before creating it",
               detail={"period": order.period})
        order = orders.mark_pending(order)
    return Registration(domain, order)


def settle_reviewed_create(domain: Domain, actor: Actor, approved: bool, outcome: EppOutcome,
                           *, message: str, info: epp.DomainInfoData | None = None,
                           detail: dict[str, Any] | None = None) -> bool:
    """Settle a registration the registry held for review, on its decision: approved →
    active, order completed, default locks, announced (expiry and roid from ``info``, asked
    for when not given); refused → deleted, order failed and credited back. ``message`` says
    why in the history. False when it was settled already: the poll message and the
    reconciliation may both see the decision, and only one of them acts."""
    if approved and info is None:
        answer = send(domain.registry, epp.DomainInfo(domain.name))
        info = answer.response.data if answer.response is not None else None
    with transaction.atomic():
        # Whoever locks the row first settles it; the other finds it settled.
        locked = Domain.objects.select_for_update().filter(
            pk=domain.pk, state=DomainState.PENDING_CREATE).first()
        order = locked.orders.filter(operation=Operation.CREATE, state__in=[
            OrderState.PENDING, OrderState.UNKNOWN]).first() if locked is not None else None
        if locked is None or order is None:
            return False
        if not approved:
            _refused(locked, order, actor, outcome, message=message, detail=detail)
            announce_review_decided(locked, order, False, message)
            return True
        locked.statuses = [s for s in locked.statuses if s != "pendingCreate"]
        registration = _created(locked, order, actor, outcome, info=info, message=message,
                                detail=detail)
    apply_default_locks(registration.domain, actor)
    announce_registered(registration.domain, actor)
    announce_review_decided(registration.domain, registration.order, True, message)
    return True


def settle_unknown_create(domain: Domain, order: Order, actor: Actor,
                          outcome: EppOutcome) -> Registration:
    """The create's answer was lost: an info decides. Ours → registered; absent → refunded;
    someone else's → refunded; no answer again → left for the reconciliation job."""
    registry = domain.registry
    info = send(registry, epp.DomainInfo(domain.name))
    if info.response is not None:
        data: epp.DomainInfoData = info.response.data
        if data.sponsor == registry.client_id and "pendingCreate" in data.status_values:
            # The create happened and the registry reviews the name: as if 1001 had arrived.
            record(domain=domain, name=domain.name, actor=actor, operation=Operation.RECONCILE,
                   outcome=Outcome.SUCCESS, epp_outcome=info, order=order,
                   message="create outcome was unknown; info shows the name under review")
            return _held_for_review(domain, order, actor, info)
        if data.sponsor == registry.client_id:
            # The create did happen: same state as if its answer had arrived.
            record(domain=domain, name=domain.name, actor=actor, operation=Operation.RECONCILE,
                   outcome=Outcome.SUCCESS, epp_outcome=info, order=order,
                   message="create outcome was unknown; info shows the name is ours")
            created = EppOutcome(response=epp.Response(
                results=info.response.results, cltrid=outcome.cl_trid, svtrid="",
                extensions=info.response.extensions))
            registration = _created(domain, order, actor, created, info=data)
            apply_default_locks(registration.domain, actor)
            announce_registered(registration.domain, actor)
            return registration
        message = "create outcome was unknown; info shows another registrar holds the name"
    elif info.failure is not None and info.failure.code == 2303:
        message = "create outcome was unknown; info shows the name does not exist"
    else:
        with transaction.atomic():
            record(domain=domain, name=domain.name, actor=actor, operation=Operation.CREATE,
                   outcome=Outcome.UNKNOWN, epp_outcome=outcome, order=order)
            orders.mark_unknown(order, message=outcome.message)
        raise OutcomePending(
            _("The registry did not confirm the registration of %(name)s. Bureau will check "
              "and settle it; you will not be charged twice. Do not order it again.")
            % {"name": domain.u_label})
    _refused(domain, order, actor, EppOutcome(unknown=outcome.unknown, failure=info.failure))
    raise RegistryRefused(
        _("%(name)s could not be registered (%(reason)s). You were not charged.")
        % {"name": domain.u_label, "reason": message}, 2303, field="name")


def learn_roid(domain: Domain) -> None:
    """The create's answer carries no repository id (RFC 5731 3.2.1); RDAP's domain handle
    is that id (ICANN RDAP profile 2.2), so one info asks for it. A registry that does not
    answer now leaves it to the reconciliation, whose info fills it (``apply_info``)."""
    try:
        outcome = send(domain.registry, epp.DomainInfo(domain.name))
    except epp.EPPError:
        return
    data = outcome.response.data if outcome.response is not None else None
    if isinstance(data, epp.DomainInfoData) and data.roid:
        domain.roid = data.roid
        domain.save(update_fields=["roid"])


def apply_default_locks(domain: Domain, actor: Actor) -> None:
    """Ask the registry for the locks the domain was created with (transfer lock by
    default). A failure is recorded, not raised: the name is registered and paid for, and
    the reconciliation shows the lock as off until someone sets it again."""
    wanted = sorted(domain.client_statuses - set(domain.statuses))
    if not wanted:
        return
    try:
        outcome = send(domain.registry, epp.DomainUpdate(domain.name, add_statuses=wanted))
    except epp.EPPError as exc:  # the registry could not be reached: nothing was sent
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.UPDATE,
               outcome=Outcome.FAILED, message=f"the registry could not be reached: {exc}",
               detail={"add_status": wanted, "reason": "default locks"})
        return
    with transaction.atomic():
        if outcome.response is not None:
            domain.statuses = sorted({*domain.statuses, *wanted})
            domain.save(update_fields=["statuses", "updated_at"])
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.UPDATE,
               outcome=Outcome.SUCCESS if outcome.response is not None else
               Outcome.FAILED if outcome.failure is not None else Outcome.UNKNOWN,
               epp_outcome=outcome, detail={"add_status": wanted, "reason": "default locks"})
