"""Renew a domain for some years.

Errors: NotAllowed; WrongState (not active); StatusProhibits (RENEW_PROHIBITED);
PeriodNotAllowed (field "period": outside the TLD's periods, or past ten years of validity);
PriceChanged; InsufficientFunds; RegistryRefused (credited back); OutcomePending (order kept
for the reconciliation job).

Idempotent by design: the command names the current expiry date, so a repeated renew is
refused by the registry instead of renewing twice, and a lost answer is settled by comparing
the expiry in an info with the one expected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from bureau import epp
from bureau.core import clock
from bureau.registrar.accounts.models import ROLES_THAT_ORDER
from bureau.registrar.domains.models import Domain, DomainState, Operation

from .check import fee_offer, quote
from .common import Actor, EppOutcome
from .domainops import Done, authorise, run_charged, verify_no_prohibiting_status, verify_state
from .errors import PeriodNotAllowed, WrongState
from .register import verify_period_allowed, verify_price_accepted

RENEW_PROHIBITED = frozenset({"clientRenewProhibited", "serverRenewProhibited",
                              "pendingDelete", "pendingTransfer", "pendingRestore"})
MAX_YEARS_AHEAD = 10


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def verify_within_ten_years(domain: Domain, expires: datetime, years: int) -> None:
    if add_years(expires, years) > add_years(clock.now(), MAX_YEARS_AHEAD):
        raise PeriodNotAllowed(
            _("%(name)s would then expire more than ten years from now: renew for fewer "
              "years.") % {"name": domain.u_label})


def renew(*, domain: Domain, actor: Actor, period: int = 1,
          accepted_price: int | None = None) -> Done:
    authorise(domain, actor, ROLES_THAT_ORDER)
    verify_state(domain, [DomainState.ACTIVE])
    verify_no_prohibiting_status(domain, RENEW_PROHIBITED)
    verify_period_allowed(domain.tld, period)
    expires = domain.expires_at
    if expires is None:
        raise WrongState(_("The expiry date of %(name)s is unknown: Bureau is checking it with "
                           "the registry.") % {"name": domain.u_label})
    verify_within_ten_years(domain, expires, period)
    q = quote(domain.name, operation="renew", period=period)
    verify_price_accepted(q, accepted_price)
    expected = add_years(expires, period)

    def on_success(domain: Domain, outcome: EppOutcome) -> dict[str, Any]:
        data = outcome.response.data if outcome.response is not None else None
        new_expiry = data.expires if isinstance(data, epp.DomainRenewData) else None
        domain.expires_at = new_expiry or expected
        return {"period": period, "from": expires.isoformat(),
                "to": domain.expires_at.isoformat()}

    def settle(domain: Domain, answer: epp.Response) -> bool | None:
        data: epp.DomainInfoData = answer.data
        if data.expires is None:
            return None
        if data.expires.date() == expected.date():
            return True
        if data.expires.date() == expires.date():
            return False
        return None

    return run_charged(
        domain=domain, actor=actor, operation=Operation.RENEW, what=str(_("renewal")),
        price=q.price, currency=q.currency, period=period,
        command=epp.DomainRenew(domain.name, current_expiry=expires.date(),
                                period=epp.Period(period), fee=fee_offer(q)),
        on_success=on_success, settle=settle,
        expected={"from": expires.date().isoformat(), "to": expected.date().isoformat()},
    )


def settle_renew(data: epp.DomainInfoData, expected: dict[str, str]) -> bool | None:
    """For the reconciliation: did a renew whose answer was lost happen?"""
    if data.expires is None or not expected:
        return None
    day = data.expires.date().isoformat()
    if day == expected["to"]:
        return True
    if day == expected["from"]:
        return False
    return None
