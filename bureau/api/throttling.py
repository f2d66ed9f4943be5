"""Rate limits, kept in Django's cache: availability checks per person, failed
authentications per client address. Rates come from settings (``REST_FRAMEWORK``'s
``DEFAULT_THROTTLE_RATES``: ``check`` and ``auth-failure``)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle


class CheckThrottle(UserRateThrottle):
    """Availability searches each cost registry commands: a person gets so many a minute."""

    scope = "check"


class AuthFailureThrottle(SimpleRateThrottle):
    """Counts failed authentications per address; not a view throttle (see authentication)."""

    scope = "auth-failure"
    num_requests: int
    duration: int

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def fail(self, request: Request) -> float | None:
        """A failed authentication from the request's address: seconds to wait when the
        address already used up its failures (nothing more is counted then), else None once
        the failure is counted. One read of the counter, one write when counted."""
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.wait()
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
        return None
