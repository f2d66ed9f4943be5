"""The notices job, in the order that matters: renew first (so that no reminder tells a
holder about a renewal that just happened), then remind, then park or restore DNS, then
release names past their grace, then the contact checks, then the registries' decisions on
reviewed names that could not be told when they came."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bureau.core import clock

from . import contacts, review
from .mail import stale_claims
from .parking import run_parking
from .release import run_releases
from .reminders import send_reminders
from .renewal import run_auto_renewals


def run_all(now: datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    auto = run_auto_renewals(now)
    reminders = send_reminders(now)
    parking = run_parking(now)
    released = run_releases(now)
    flagged = contacts.flag_unverified(now)
    yearly = contacts.send_yearly_checks(now)
    reviews = review.send_missed(now)
    stale = stale_claims(now).count()
    if stale:
        logging.getLogger("bureau.notices").error(
            "%d notice(s) claimed and not confirmed sent: not re-sent; see manage "
            "notices_stale or the admin's notices, filter \"stale claims\"", stale)
    return {"auto_renewed": auto.renewed, "auto_renew_failed": auto.failed,
            "reminders": len(reminders), "parked": parking.parked,
            "restored": parking.restored, "released": released,
            "flagged": len(flagged), "yearly": len(yearly), "reviews": len(reviews),
            "stale_claims": stale}
