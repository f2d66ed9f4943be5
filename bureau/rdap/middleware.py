"""Serve RDAP at the root of its own host name (BUREAU_RDAP_HOST), as registrars often do."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import conf


class RdapHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.host = conf.get("BUREAU_RDAP_HOST").lower()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.host and request.get_host().split(":")[0].lower() == self.host:
            request.urlconf = "bureau.rdap.host_urls"
        return self.get_response(request)
