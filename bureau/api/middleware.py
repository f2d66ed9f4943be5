"""Limits on what a request may carry, for the API and the portal alike: the size of its body,
and no control character in its path or query (PostgreSQL refuses NUL in a query, and no
search, filter or name holds one)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from bureau.core.validators import forbidden_character

from .problems import bad_query_response, too_large_response


class RequestLimitsMiddleware:
    """A body announced larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with 413 before
    it is read (Django would only notice once a view reads it, and say 400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large_response(request)
        texts = [request.path, *request.GET.keys(),
                 *(value for values in request.GET.lists() for value in values[1])]
        for text in texts:
            found = forbidden_character(text, multiline=True)
            if found is not None:
                return bad_query_response(request, found[1])
        return self.get_response(request)
