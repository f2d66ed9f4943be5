"""A careful goodbye (after the ANSSI advice to holders): before a name is deleted or left to
expire on purpose, the member reads what will stop working, ticks a checklist and types the
name. Only then may it be deleted; and the reminders stop for it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch
from django.dispatch import Signal
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bureau.core import clock
from bureau.core.credentials import require_recent_authentication
from bureau.core.money import amount as money_amount
from bureau.dns.models import Record, Zone
from bureau.registrar.accounts.models import ROLES_THAT_MANAGE_DOMAINS
from bureau.registrar.billing.models import Order, OrderState
from bureau.registrar.domains.models import Domain, DomainState, Operation, Outcome
from bureau.registrar.operations.common import Actor, record, verify_role
from bureau.registrar.operations.delete import delete, grace_ends
from bureau.registrar.operations.domainops import Done
from bureau.registrar.operations.errors import ConsentMissing, OperationError, OutcomePending

from .models import Goodbye, GoodbyeMode

# Sent once a name is deleted after its goodbye (keyword arguments: domain, now); the holder's
# confirmation is connected in signals.py (it needs the reminders, which need this module).
deleted_on_request = Signal()


@dataclass(frozen=True)
class Item:
    key: str
    text: Promise


CHECKLIST: tuple[Item, ...] = (
    Item("mail", _("No mailbox or mailing list uses an address at this name any more, and no "
                   "MX record points mail to it: once the name is someone else's, mail sent to "
                   "the old addresses goes to them, and an old mail server name can be used "
                   "for phishing.")),
    Item("accounts", _("No account (bank, suppliers, administrations, social networks, "
                       "password recovery) is registered with an address at this name: whoever "
                       "takes the name could reset their passwords.")),
    Item("partners", _("Partners, members and customers were told, and asked to update their "
                       "links, address books and bookmarks (web server logs show which sites "
                       "still send visitors).")),
    Item("links", _("Your own sites, documents, printed material and signatures no longer "
                    "link to this name.")),
    Item("risk", _("I understand that anyone may register the name after its deletion, and "
                   "show what they like to people who still follow old links.")),
    Item("keep", _("I considered keeping the name, parked, for a year or more: it costs "
                   "little compared with the harm a reused name can do.")),
)


def checklist() -> tuple[Item, ...]:
    return CHECKLIST


@dataclass(frozen=True)
class Usage:
    """Something that stops working with the name, read from the zone Bureau hosts."""

    kind: str  # "mail" or "web"
    owner: str
    target: str


def what_stops(domain: Domain) -> list[Usage] | None:
    """Mail (MX) and web (A, AAAA, CNAME) records of the name's zone when Bureau hosts it;
    None when it does not (the member must check with whoever runs their DNS)."""
    zone = Zone.objects.filter(domain=domain).exclude(publish_state="withdrawn").first()
    if zone is None:
        return None
    kinds = STOPS_KINDS
    return [Usage(kinds[r.rtype], str(r.name).rstrip("."), str(r.content).rstrip("."))
            for r in zone.records.filter(rtype__in=list(kinds)).order_by("rtype", "name")]


STOPS_KINDS = {"MX": "mail", "A": "web", "AAAA": "web", "CNAME": "web"}


def what_stops_by_domain(domain_ids: Iterable[int]) -> dict[int, list[Usage]]:
    """``what_stops`` for many names in two queries: {domain id: usages} for the names whose
    zone Bureau hosts (a name missing from the answer has none)."""
    records = Record.objects.filter(rtype__in=list(STOPS_KINDS)).order_by("rtype", "name")
    zones = (Zone.objects.filter(domain_id__in=list(domain_ids))
             .exclude(publish_state="withdrawn")
             .prefetch_related(Prefetch("records", queryset=records)))
    return {zone.domain_id: [Usage(STOPS_KINDS[r.rtype], str(r.name).rstrip("."),
                                   str(r.content).rstrip(".")) for r in zone.records.all()]
            for zone in zones if zone.domain_id is not None}


def explanation(domain: Domain,
                stops: Mapping[int, list[Usage]] | Literal[False] | None = False,
                ) -> dict[str, object]:
    """What the goodbye page explains, for the last reminder before expiry too (expiring
    without renewal is giving the name up): what stops working (from the hosted zone; None
    when Bureau does not host it) and the checklist of risks and people to tell.
    ``stops``: ``what_stops_by_domain`` of a batch already looked up (False: look it up)."""
    found = what_stops(domain) if stops is False else (
        None if stops is None else stops.get(domain.pk))
    return {"stops": found, "checks": [item.text for item in CHECKLIST]}


def say_goodbye(*, domain: Domain, actor: Actor, mode: str, ticked: set[str],
                typed_name: str, now: datetime | None = None) -> Goodbye:
    """Record the member's informed decision. Raises ConsentMissing when an item is not
    ticked or the typed name is not the domain's."""
    verify_role(domain.organisation, actor, ROLES_THAT_MANAGE_DOMAINS)
    if mode not in GoodbyeMode.values:
        raise ValueError(f"mode must be one of {GoodbyeMode.values}")
    missing = [item.key for item in CHECKLIST if item.key not in ticked]
    if missing:
        raise ConsentMissing(_("Go through every point of the checklist before giving the "
                               "name up."), field="checklist")
    if typed_name.strip().lower() not in (domain.name.lower(), domain.u_label.lower()):
        raise ConsentMissing(_("Type the name exactly (%(name)s) to confirm.")
                             % {"name": domain.u_label}, field="typed_name")
    now = now or clock.now()
    with transaction.atomic():
        goodbye = Goodbye.objects.create(
            domain=domain, mode=mode, checklist={key: True for key in sorted(ticked)},
            typed_name=typed_name.strip(), confirmed_by=actor.user, confirmed_at=now)
        record(domain=domain, name=domain.name, actor=actor, operation=Operation.UPDATE,
               outcome=Outcome.SUCCESS,
               message=f"holder confirmed the goodbye checklist: {mode}",
               detail={"goodbye": mode})
    return goodbye


def delete_after_goodbye(*, domain: Domain, actor: Actor) -> Done:
    """Delete a name, only after a goodbye in delete mode (``give_up``): the rule that no
    edge deletes a name without the checklist and the typed name. Raises ConsentMissing."""
    goodbye = Goodbye.objects.filter(domain=domain, withdrawn_at=None,
                                     mode=GoodbyeMode.DELETE).first()
    if goodbye is None:
        raise ConsentMissing(_("Go through the goodbye checklist before deleting %(name)s.")
                             % {"name": domain.u_label})
    return delete(domain=domain, actor=actor)


def give_up(*, domain: Domain, actor: Actor, mode: str, ticked: set[str], typed_name: str,
            now: datetime | None = None) -> Goodbye:
    """The one way to give a name up, for the portal and the API alike: the informed
    decision (checklist and typed name, see ``say_goodbye``), then, in delete mode, the
    deletion. A deletion the registry refuses withdraws the goodbye (reminders resume);
    an unknown outcome keeps it (the reconciliation settles the deletion)."""
    now = now or clock.now()
    if mode == GoodbyeMode.DELETE:  # asked before the checklist is kept, not halfway
        verify_role(domain.organisation, actor, ROLES_THAT_MANAGE_DOMAINS)
        require_recent_authentication(actor.credential)
    goodbye = say_goodbye(domain=domain, actor=actor, mode=mode, ticked=ticked,
                          typed_name=typed_name, now=now)
    if mode == GoodbyeMode.DELETE:
        try:
            delete_after_goodbye(domain=domain, actor=actor)
        except OutcomePending:
            raise
        except OperationError:
            Goodbye.objects.filter(pk=goodbye.pk).update(withdrawn_at=now)
            raise
        domain.refresh_from_db()
        deleted_on_request.send(sender=Goodbye, domain=domain, now=now)
    return goodbye


def deleted_at_once(domain: Domain, now: datetime | None = None) -> bool:
    """Whether deleting the name now is within the add grace period of its registration:
    the registry removes it at once and credits its price, so it cannot be restored."""
    now = now or clock.now()
    created = domain.orders.filter(operation=Operation.CREATE, state=OrderState.COMPLETED) \
        .order_by("-created_at").first()
    return created is not None and grace_ends(created, domain.tld) > now


@dataclass(frozen=True)
class Result:
    """What became of a name given up now: "deleted" (gone, within the add grace period),
    "redemption" (restorable for the restore fee), "pending" (the registry has not said) or
    "let-expire"; and what was refunded for it, formatted in the reader's language."""

    outcome: str
    refunded: str
    currency: str


def result(domain: Domain, mode: str) -> Result:
    if mode != GoodbyeMode.DELETE:
        return Result("let-expire", "", "")
    domain.refresh_from_db()
    outcome = {DomainState.DELETED: "deleted",
               DomainState.REDEMPTION: "redemption"}.get(DomainState(domain.state), "pending")
    # Orders are refunded only when the registry undoes them at a deletion.
    refunds = list(Order.objects.filter(domain=domain, state=OrderState.REFUNDED)
                   .values_list("amount", "currency"))
    total = sum(amount for amount, _currency in refunds)
    return Result(outcome, money_amount(total) if total else "",
                  refunds[0][1] if refunds else "")


def keep_after_all(*, domain: Domain, actor: Actor, now: datetime | None = None) -> int:
    """Withdraw a goodbye: reminders resume."""
    verify_role(domain.organisation, actor, ROLES_THAT_MANAGE_DOMAINS)
    return Goodbye.objects.filter(domain=domain, withdrawn_at=None).update(
        withdrawn_at=now or clock.now())
