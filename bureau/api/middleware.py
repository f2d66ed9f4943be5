"""The limit on request bodies, for the API and the portal alike."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .problems import too_large_response


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
        return self.get_response(request)
