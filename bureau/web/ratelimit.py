"""A small cache-backed rate limiter (fixed windows), for availability checks.

Limits come from ``settings.BUREAU_RATE_LIMITS``: ``{"check": "30/m"}`` means 30 per minute
per person (or per IP address for anonymous visitors). Counters live in the default cache;
in production that cache must be shared by the web processes (e.g. a database cache).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULTS = {"check": "30/m"}


def parse(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[-1]]


def key_of(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def hit(request: HttpRequest, action: str) -> bool:
    """Count one use of ``action``; False when the limit is reached (the use is refused)."""
    rates = {**DEFAULTS, **getattr(settings, "BUREAU_RATE_LIMITS", {})}
    rate = rates.get(action)
    if not rate:
        return True
    limit, period = parse(rate)
    window = int(time.time() // period)
    key = f"bureau:rl:{action}:{key_of(request)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count <= limit
