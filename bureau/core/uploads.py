"""How large a request body a view takes. Every request is held to Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE``, checked before the body is read (the request limits
middleware of the API package, for the portal and the API alike), except the views marked
with ``body_limit``: a month's bank statement is a file of megabytes, which Django streams to
disk and the import reads in pieces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: int | None
    # What to do with something larger, said to the person refused (in the language chosen
    # when it is said: the portal's page speaks the person's, the API's 413 problem English).
    advice: Callable[[], str] | None = None


def body_limit(max_bytes: Callable[[], int],
               advice: Callable[[], str]) -> Callable[[ViewT], ViewT]:
    """Mark a view as taking a body of up to ``max_bytes()`` (read at each request, so that a
    setting changed in a test applies); ``advice()`` is added to the refusal."""
    def mark(view: ViewT) -> ViewT:
        view.body_limit = lambda: BodyLimit(max_bytes(), advice)  # type: ignore[attr-defined]
        return view
    return mark


def default_limit() -> BodyLimit:
    return BodyLimit(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def limit_of(view: Any) -> BodyLimit:
    marked = getattr(view, "body_limit", None)
    return marked() if marked is not None else default_limit()
