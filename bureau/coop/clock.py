"""The cooperative's notion of "now", injectable so that tests can step past an effective
date or a ballot's closing without sleeping."""

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
    """Within the block, :func:`now` asks ``provider``."""
    global _provider
    previous, _provider = _provider, provider
    try:
        yield
    finally:
        _provider = previous
