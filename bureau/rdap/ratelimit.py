"""RDAP's rate limit (``BUREAU_RDAP_RATE`` lookups per client address), one count shared by
every web process and machine: a fixed window per address, counted in the database by one
atomic upsert per query. On PostgreSQL the table is UNLOGGED (its migration): a count writes
no WAL and waits for no disk, and a crash that empties it only forgives a window's lookups.

Counters are not registration data: like a cache they are written here, not by operations.
"""

from __future__ import annotations

import math
import time

from django.db import connection

from . import conf
from .models import RateCount

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
TABLE = RateCount._meta.db_table
HIT = (f"INSERT INTO {TABLE} (client, until, hits) VALUES (%s, %s, 1) "
       f"ON CONFLICT (client, until) DO UPDATE SET hits = {TABLE}.hits + 1 RETURNING hits")


def rate() -> tuple[int, int]:
    """The limit and its period in seconds, from ``BUREAU_RDAP_RATE`` (``60/m``)."""
    count, _slash, period = conf.get("BUREAU_RDAP_RATE", "60/m").partition("/")
    return int(count), PERIODS[period.strip()[-1]]


def window_end(now: float) -> int:
    """The end of the window ``now`` falls in (seconds since the epoch)."""
    period = rate()[1]
    return (int(now) // period + 1) * period


def wait(hits: int, until: int, now: float) -> int | None:
    """The seconds to wait when ``hits`` queries in the window ending at ``until`` are over
    the limit; None when they are not."""
    if hits <= rate()[0]:
        return None
    return max(1, math.ceil(until - now))


def retry_after(client: str) -> int | None:
    """Count one query from ``client``; the seconds to wait when it is over the limit.
    (A domain lookup counts its query in its own statement: bureau/rdap/lookup.py.)"""
    now = time.time()
    until = window_end(now)
    with connection.cursor() as cursor:
        cursor.execute(HIT, [client, until])
        (hits,) = cursor.fetchone()
    return wait(hits, until, now)


def forget_past_windows() -> int:
    """Remove the counts of windows that are over (a periodic job); how many went."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE until < %s", [int(time.time())])
        return cursor.rowcount
