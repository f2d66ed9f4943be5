"""One message for each change the holder makes (or sees happen) to a name: registered,
renewed, transferred in, transferred out, deleted. The registrar announces every success of
these operations after its commit, whichever door or job made it
(``common.domain_changed``); this writes to the holder, the billing contact and the billing
people, in the holder's language. Each notice has a key, so an announcement seen twice (a
transfer out approved here, then the registry's poll message) sends one message.

Told elsewhere, so not here: a name registered after the registry's review (review.py), an
automatic renewal (renewal.py, with its own words) and a deletion after the goodbye
checklist (goodbye.py)."""

from __future__ import annotations

from typing import Any

from bureau.core import clock
from bureau.registrar.domains.models import Domain, DomainEvent, DomainState, Operation, Outcome

from . import conf
from .mail import Message, deliver, portal_path
from .models import Goodbye, GoodbyeMode, Notice, NoticeKind
from .recipients import domain_recipients, language_of
from .reminders import domain_context
from .renewal import AUTO_RENEWER
from .terms import term_of


def change_of(event: DomainEvent, domain: Domain) -> tuple[str, NoticeKind] | None:
    """(notice key, kind) for ``event``, or None when another message tells it."""
    operation = event.operation
    if operation == Operation.CREATE:
        reviewed = DomainEvent.objects.filter(domain=domain, operation=Operation.CREATE,
                                              outcome=Outcome.PENDING).exists()
        return None if reviewed else (f"registered:{domain.pk}", NoticeKind.REGISTERED)
    if operation == Operation.RENEW:
        if event.actor_label == AUTO_RENEWER.label:
            return None
        return f"renewed:{domain.pk}:{event.pk}", NoticeKind.RENEWED
    if operation == Operation.TRANSFER_IN:
        return (f"transferred-in:{domain.pk}:{event.order_id or event.pk}",
                NoticeKind.TRANSFERRED_IN)
    if operation in (Operation.TRANSFER_OUT, Operation.TRANSFER_APPROVE):
        return f"transferred-out:{domain.pk}", NoticeKind.TRANSFERRED_OUT
    if operation == Operation.DELETE:
        if Goodbye.objects.filter(domain=domain, withdrawn_at=None,
                                  mode=GoodbyeMode.DELETE).exists():
            return None
        return f"deleted:{domain.pk}:{event.pk}", NoticeKind.DELETED
    return None


def notify_change(sender: Any, *, event: DomainEvent, **kwargs: Any) -> Notice | None:
    if event.domain_id is None:
        return None
    domain = Domain.objects.select_related("registrant", "billing_contact", "organisation",
                                           "tld").get(pk=event.domain_id)
    change = change_of(event, domain)
    if change is None:
        return None
    key, kind = change
    now = clock.now()
    term = term_of(domain, now)
    paid_until = term.paid_until if term is not None else (domain.expires_at or now)
    context = domain_context(domain, paid_until, now)
    context.update({
        "change": kind.value,
        "organisation": domain.organisation.name,
        # Deleted within the add grace period: gone at once and refunded, not restorable.
        "purged": domain.state == DomainState.DELETED,
        "contact_url": conf.portal_url() + portal_path("web:contact", None, "/contact/"),
    })
    return deliver(Message(
        key=key, kind=kind, template="domain_changed", recipients=domain_recipients(domain),
        language=language_of(domain.registrant), context=context, domain=domain,
        contact=domain.registrant), now)
