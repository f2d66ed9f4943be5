"""At the end of Bureau's grace, a name nobody renewed is deleted at the registry (within the
registry's auto-renew grace period, so the registry's automatic year is refunded). It then
sits in redemption, restorable with the restore fee, until the registry purges it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bureau.core import clock
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.common import Actor
from bureau.registrar.operations.delete import delete
from bureau.registrar.operations.errors import OperationError

from .events import notify_event
from .terms import domain_timeline, term_of
from .timeline import ERRP_MIN_INTERRUPTION_DAYS, Phase

logger = logging.getLogger("bureau.notices")
RELEASER = Actor.system("expiry")


def run_releases(now: datetime | None = None) -> list[str]:
    now = now or clock.now()
    released = []
    # No TLD's grace is shorter than the ERRP interruption (timeline.effective_grace_days).
    past = now - timedelta(days=ERRP_MIN_INTERRUPTION_DAYS)
    for domain in Domain.objects.filter(state=DomainState.ACTIVE, term__paid_until__lte=past) \
            .select_related("tld__registry", "organisation", "term").order_by("pk") \
            .iterator(chunk_size=2000):  # streamed: tens of thousands in grace at any time
        term = term_of(domain, now)
        if term is None or term.paid_until > now:
            continue
        if domain_timeline(domain, term.paid_until).phase(now) == Phase.GRACE:
            continue
        try:
            delete(domain=domain, actor=RELEASER)
            released.append(domain.name)
            domain.refresh_from_db()
            notify_event(domain, "redemption", now)
        except OperationError as exc:
            logger.warning("%s not renewed but could not be deleted: %s", domain, exc)
    return released
