"""One message for each turn in a name's life that the holder did not see coming on a
schedule: renewed automatically, deleted at the end of grace (redemption starts), deleted at
the member's request (goodbye), restored. Each is sent once (its key)."""

from __future__ import annotations

from datetime import datetime

from bureau.core import clock
from bureau.registrar.domains.models import Domain, DomainState

from .mail import Message, deliver
from .models import Notice, NoticeKind
from .recipients import domain_recipients, language_of
from .reminders import domain_context
from .terms import term_of

EVENTS = {
    "auto-renewed": NoticeKind.AUTO_RENEWED,
    "redemption": NoticeKind.REDEMPTION,
    "goodbye-deleted": NoticeKind.GOODBYE_DELETED,
    "restored": NoticeKind.RESTORED,
}


def notify_event(domain: Domain, event: str, now: datetime | None = None) -> Notice | None:
    """``event``: a key of EVENTS. Written from the name's situation now (its new term,
    timeline and prices)."""
    now = now or clock.now()
    term = term_of(domain, now)
    paid_until = term.paid_until if term is not None else (domain.expires_at or now)
    context = domain_context(domain, paid_until, now)
    context["event"] = event
    # Deleted within the add grace period: gone at once, refunded, nothing to restore.
    context["purged"] = domain.state == DomainState.DELETED
    return deliver(Message(
        key=f"{event}:{domain.pk}:{paid_until.date().isoformat()}:{now.date().isoformat()}",
        kind=EVENTS[event], template="domain_event", recipients=domain_recipients(domain),
        language=language_of(domain.registrant), context=context, domain=domain,
        contact=domain.registrant), now)
