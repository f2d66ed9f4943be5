"""The demo's fast-forward (``bureau forward``): the sandbox registry's clock and Bureau's move
together, stopping at every moment a rule acts on (each reminder step, the auto-renewal day,
expiry, end of grace, end of redemption, deletion, the end of a verification link), and the
periodic jobs run at each stop, as the worker would have run them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from bureau.core import clock
from bureau.core.sandboxclock import SANDBOX_DB, sandbox_clock
from bureau.registrar.domains.models import Domain, DomainState
from bureau.sandbox import events, store
from bureau.sandbox.clock import Clock
from bureau.sandbox.policy import load_config

from . import conf
from .models import ContactProfile
from .terms import domain_timeline, term_of

# Jobs that reach outside the machine or only check: not needed to see a year go by.
SKIPPED_JOBS = {"dns-public-suffixes", "dns-health", "verify-ledger", "reconcile"}
# Stop just after a moment: rules act when it has come.
PAST = timedelta(minutes=1)


def moments(now: datetime, until: datetime) -> list[datetime]:
    """The moments in (now, until] a rule acts on, for the names held and contacts checked."""
    found: list[datetime] = []
    for domain in Domain.objects.filter(state__in=[DomainState.ACTIVE, DomainState.REDEMPTION]) \
            .select_related("tld"):
        term = term_of(domain, now)
        if term is None:
            continue
        line = domain_timeline(domain, term.paid_until)
        found += [term.paid_until - timedelta(days=d) for d in conf.reminder_days()]
        found += [term.paid_until - timedelta(days=conf.auto_renew_lead_days()), line.expiry,
                  line.grace_end, line.redemption_end, line.deletion]
    limit = timedelta(days=conf.verify_days())
    found += [p.verification_sent_at + limit for p in ContactProfile.objects.filter(
        flagged_at=None, verification_sent_at__isnull=False)
        if p.verification_sent_at is not None]
    return sorted(m + PAST for m in found if now < m + PAST <= until)


def run_jobs() -> dict[str, Any]:
    results = {}
    for name, job in settings.BUREAU_PERIODIC_JOBS.items():
        if name in SKIPPED_JOBS:
            continue
        try:
            results[name] = import_string(str(job["task"])).call()
        except Exception as exc:  # one job's failure is reported; the others still run
            results[name] = f"failed: {exc}"
    return results


@dataclass
class Stop:
    at: datetime
    jobs: dict[str, Any]


def forward(state_dir: Path, seconds: float, also: Iterable[datetime] = ()) -> Iterator[Stop]:
    """Move the sandbox in ``state_dir`` (and Bureau's clock, which follows it) forward by
    ``seconds``, stopping at each moment (see ``moments``) and at each of ``also`` (moments
    someone wants to look at: the test of a holder's year) to run the jobs."""
    extra = sorted(also)
    path = state_dir / SANDBOX_DB
    if not path.exists():
        raise FileNotFoundError(f"no sandbox registry in {state_dir}: start the demo "
                                "(make run) first")
    config = load_config(None)
    conn = store.connect(path)
    store.initialise(conn, config)
    registry = Clock(conn)
    now_of: Callable[[], datetime] = sandbox_clock(state_dir, reread_seconds=0)
    try:
        with clock.use(now_of):
            until = now_of() + timedelta(seconds=seconds)
            while True:
                now = now_of()
                stop = min([*moments(now, until), *(m for m in extra if now < m <= until),
                            until])
                if stop > now:
                    moved = registry.advance(seconds=(stop - now).total_seconds())
                    with store.transaction(conn):  # what fell due happens now
                        events.process_due(conn, config, moved)
                yield Stop(now_of(), run_jobs())
                if stop >= until:
                    return
    finally:
        conn.close()
