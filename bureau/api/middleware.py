"""Limits on what a request may carry, for the API and the portal alike: the size of its body,
and no control character in its path or query (PostgreSQL refuses NUL in a query, and no
search, filter or name holds one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from bureau.core.uploads import limit_of
from bureau.core.validators import forbidden_character

from .problems import bad_query_response, too_large_response


class RequestLimitsMiddleware:
    """A body announced larger than its view takes (``DATA_UPLOAD_MAX_MEMORY_SIZE``, unless the
    view says otherwise with ``bureau.core.uploads.body_limit``) is refused with 413 before it
    is read: this runs before any middleware that reads a form (Django would only notice once
    a view reads it, and say 400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path, *request.GET.keys(),
                 *(value for values in request.GET.lists() for value in values[1])]
        for text in texts:
            found = forbidden_character(text, multiline=True)
            if found is not None:
                return bad_query_response(request, found[1])
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        limit = limit_of(view)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit.max_bytes is not None and length > limit.max_bytes:
            return too_large_response(request, limit)
        return None
