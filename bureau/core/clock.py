"""Bureau's one notion of "now", injectable so that a test (or a demo whose sandbox registry
runs ahead) can move time through any rule: grace periods, reminders, ballots, rollovers.

Rules ask :func:`now`, never ``timezone.now()``; jobs read it once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_provider: Callable[[], datetime] | None = None


def now() -> datetime:
    return _provider() if _provider is not None else timezone.now()


@contextmanager
def use(provider: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, :func:`now` asks ``provider`` (e.g. the sandbox registry's clock)."""
    global _provider
    previous, _provider = _provider, provider
    try:
        yield
    finally:
        _provider = previous


def follow(provider: Callable[[], datetime] | None) -> None:
    """For the whole process (None: the system's time again). The demo's web server and
    worker follow the sandbox registry's clock so that ``bureau forward`` moves them too."""
    global _provider
    _provider = provider
