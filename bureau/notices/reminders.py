"""Renewal reminders.

Each step of the schedule (``conf.reminder_days``: days before expiry, negative after) is a
notice with the unique key ``reminder:<domain>:<paid-until date>:<step>``, so it is sent at
most once, whatever the number of workers or restarts.

Catch-up: a run sends, for each name, only the *latest* step that fell due. A worker that was
down through several steps sends one reminder, the current one, when it starts again (the
scheduler runs a job whose time passed at once), not a burst of stale ones; the message is
written from the name's situation at sending time, so it is never out of date. A step missed
that way stays unsent on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.functional import lazy

from bureau.core import clock
from bureau.core.money import amount as money_amount
from bureau.registrar.accounts.models import Membership
from bureau.registrar.billing import ledger
from bureau.registrar.domains.models import Domain, DomainState
from bureau.registrar.operations.check import cooperative_prices, list_price, priced
from bureau.registrar.registries.models import Tld

from . import conf
from .choices import auto_renew_of
from .goodbye import Usage, explanation, what_stops_by_domain
from .mail import Message, deliver, deliver_many, portal_path
from .models import Goodbye, Notice, NoticeKind
from .recipients import domain_recipients, language_of
from .terms import domain_timeline, term_of
from .timeline import Phase, effective_grace_days, timeline

BATCH = 2000


def due_step(paid_until: datetime, now: datetime, steps: Sequence[int]) -> int | None:
    """The latest step whose day has come (steps in days before ``paid_until``)."""
    due = [step for step in steps if paid_until - timedelta(days=step) <= now]
    return min(due) if due else None


def reminder_key(domain: Domain | int, paid_until: datetime, step: int) -> str:
    pk = domain if isinstance(domain, int) else domain.pk
    return f"reminder:{pk}:{paid_until.date().isoformat()}:{step}"


def _money(amount: int, currency: str) -> str:
    return f"{money_amount(amount)} {currency}"


# Written when the message or page is rendered, in its language ("10,00 EUR", "10.00 EUR"):
# contexts are made before the recipient's language is switched on.
money = lazy(_money, str)


def domain_context(domain: Domain, paid_until: datetime, now: datetime,
                   prices: Mapping[tuple[int, str], int] | None = None) -> dict[str, Any]:
    """What every message about a name's renewal says: dates, phase, prices, links.
    ``prices``: list prices by (TLD id, operation) looked up already (see ``batch_prices``)."""
    tld = domain.tld

    def price_of(operation: str) -> int:
        if prices is not None and (tld.pk, operation) in prices:
            return prices[tld.pk, operation]
        return list_price(tld, operation, 1)

    line = domain_timeline(domain, paid_until)
    auto = auto_renew_of(domain)
    price = price_of("renew")
    balance = ledger.balance(domain.organisation, tld.currency) if auto else 0
    url = conf.portal_url()
    return {
        "domain": domain.u_label,
        # The other names of the registration (RFC 9095 bundle): they share its fate.
        "bundled": ", ".join(domain.u_labels[1:]),
        "paid_until": paid_until,
        "timeline": line,
        "phase": str(line.phase(now)),
        "days_left": max(-(-(paid_until - now) // timedelta(days=1)), 0),
        "auto_renew": auto,
        # Auto-renew chosen but its day passed without renewal (no balance...).
        "auto_renew_late": bool(auto) and now >= paid_until - timedelta(
            days=conf.auto_renew_lead_days()),
        "auto_renew_on": paid_until - timedelta(days=conf.auto_renew_lead_days()),
        "renew_price": money(price, tld.currency),
        "balance_short": bool(auto) and balance < price,
        "balance": money(balance, tld.currency),
        "restore_price": money(price_of("restore"), tld.currency),
        # The domain's page in the portal, with its renewal form.
        "renew_url": url + portal_path("web:domain", domain.pk, f"/domains/{domain.pk}/"),
        "goodbye_url": url + portal_path("notices:goodbye", domain.name,
                                         f"/notices/goodbye/{domain.name}/"),
        "fees_url": url + portal_path("notices:fees", None, "/notices/fees/"),
    }


def candidates(now: datetime) -> QuerySet[Domain]:
    """Names whose paid term ends within the first step, or ended recently enough for a step
    after expiry to be due (a worker down for longer than the grace finds them past it)."""
    steps = conf.reminder_days()
    horizon = now + timedelta(days=max(steps[0], 0) + 1)
    low = now - timedelta(days=max(-steps[-1], 0) + conf.grace_days() + 1)
    given_up = Goodbye.objects.filter(domain=OuterRef("pk"), withdrawn_at=None)
    return (Domain.objects.filter(state__in=[DomainState.ACTIVE, DomainState.REDEMPTION])
            .filter(Q(expires_at__range=(low, horizon)) | Q(term__paid_until__range=(low, horizon)))
            .annotate(given_up=Exists(given_up))
            .prefetch_related("bundled_names")
            .order_by("pk"))


@dataclass(frozen=True)
class Due:
    domain_id: int
    paid_until: datetime
    step: int
    key: str


def due_reminders(now: datetime) -> Iterator[Due]:
    """Every reminder due now, sent or not, from plain rows (no model per name, no query
    per name except for terms that need a look at the orders)."""
    steps = conf.reminder_days()
    grace = conf.grace_days()
    # given_up is annotated by candidates(); the stubs cannot see it.
    rows = candidates(now).values_list(  # type: ignore[misc]
        "pk", "expires_at", "deleted_at", "tld__auto_renew_grace_days", "tld__redemption_days",
        "tld__pending_delete_days", "term__paid_until", "term__seen_expiry", "given_up")
    for (pk, expires_at, deleted_at, ar_grace, redemption, pending, paid_until, seen,
         given_up) in rows.iterator(chunk_size=BATCH):
        if given_up:
            continue
        if paid_until is None or seen != expires_at:
            term = term_of(Domain.objects.get(pk=pk), now)
            if term is None:
                continue
            paid_until = term.paid_until
        step = due_step(paid_until, now, steps)
        if step is None:
            continue
        line = timeline(paid_until, grace_days=effective_grace_days(grace, ar_grace),
                        redemption_days=redemption, pending_delete_days=pending,
                        deleted_at=deleted_at)
        if line.phase(now) in (Phase.PENDING_DELETE, Phase.DELETED):
            continue
        yield Due(pk, paid_until, step, reminder_key(pk, paid_until, step))


def send_reminders(now: datetime | None = None) -> list[Notice]:
    """Send the reminders due and not sent yet; one query per batch of names to skip those
    already sent, then per batch: one claim, one SMTP connection, one record by outcome."""
    now = now or clock.now()
    sent: list[Notice] = []
    batch: list[Due] = []
    for due in due_reminders(now):
        batch.append(due)
        if len(batch) >= BATCH:
            sent += send_batch(batch, now)
            batch = []
    return sent + send_batch(batch, now)


def send_batch(batch: list[Due], now: datetime) -> list[Notice]:
    if not batch:
        return []
    done = set(Notice.objects.filter(key__in=[d.key for d in batch])
               .values_list("key", flat=True))
    todo = [due for due in batch if due.key not in done]
    if not todo:
        return []
    # Everything a message needs, for the whole batch: a few queries, not a few per name.
    domains = Domain.objects.select_related(
        "tld", "organisation__renewal_choice", "registrant__profile", "billing_contact",
        "renewal_choice",
    ).prefetch_related(
        Prefetch("organisation__memberships", queryset=Membership.objects.select_related("user")),
        "bundled_names",  # the message names every name of the registration
    ).in_bulk([due.domain_id for due in todo])
    prices = batch_prices({d.tld_id: d.tld for d in domains.values()}.values())
    # The last reminder before expiry says what stops working: the zones of the batch at once.
    last = last_step_before_expiry()
    stops = what_stops_by_domain([d.domain_id for d in todo if d.step == last])
    # Claimed in one statement, sent over one connection, recorded by outcome (mail.py).
    return deliver_many([reminder_message(due, now, domains[due.domain_id], prices, stops)
                         for due in todo if due.domain_id in domains], now)


def batch_prices(tlds: Iterable[Tld]) -> dict[tuple[int, str], int]:
    """Renewal and restore list prices of these TLDs: one query per operation."""
    tlds = list(tlds)
    prices = {}
    for operation in ("renew", "restore"):
        adopted = cooperative_prices(tlds, operation)
        for tld in tlds:
            prices[tld.pk, operation] = priced(tld, operation, 1, adopted.get(tld.name))
    return prices


def send_reminder(due: Due, now: datetime, domain: Domain | None = None,
                  prices: Mapping[tuple[int, str], int] | None = None) -> Notice | None:
    """One reminder on its own (the batch path is ``send_batch``)."""
    if domain is None:
        domain = Domain.objects.select_related(
            "tld", "organisation", "registrant", "billing_contact").get(pk=due.domain_id)
    return deliver(reminder_message(due, now, domain, prices), now)


def last_step_before_expiry() -> int | None:
    before = [s for s in conf.reminder_days() if s > 0]
    return min(before) if before else None


def reminder_message(due: Due, now: datetime, domain: Domain,
                     prices: Mapping[tuple[int, str], int] | None = None,
                     stops: Mapping[int, list[Usage]] | Literal[False] | None = False,
                     ) -> Message:
    """``stops``: what stops working, by domain id, looked up for a batch (False: look it up
    for this name; see ``goodbye.explanation``)."""
    context = domain_context(domain, due.paid_until, now, prices)
    context["step"] = due.step
    context["last_before_expiry"] = due.step == last_step_before_expiry()
    if context["last_before_expiry"]:
        context.update(explanation(domain, stops))
    return Message(
        key=due.key, kind=NoticeKind.REMINDER, template="reminder",
        recipients=domain_recipients(domain), language=language_of(domain.registrant),
        context=context, domain=domain, contact=domain.registrant, step=due.step)
