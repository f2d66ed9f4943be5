"""RDAP's door in the middleware chain: requests under ``/rdap/`` and, when
``BUREAU_RDAP_HOST`` names a host, every request for that host (RDAP at its root, as
registrars often serve it) are answered here.

RDAP is public, read-only and keeps no session, so the middleware after this one (static
files, sessions, language, CSRF, authentication, messages, second factor, content security
policy) has nothing to do for it; going through it was a good part of a lookup's cost. What
comes before stays: the request id of the logs and the security middleware (HTTPS redirect,
HSTS).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver
from django.urls.resolvers import RegexPattern

from . import conf

PREFIX = "/rdap/"


class RdapMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.host = conf.get("BUREAU_RDAP_HOST").lower()
        self.routes = URLResolver(RegexPattern(r"^/"), "bureau.rdap.urls")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if self.host and request.get_host().split(":")[0].lower() == self.host:
            route = path
        elif path.startswith(PREFIX):
            route = path[len(PREFIX) - 1:]
        else:
            return self.get_response(request)
        # Every path resolves: the last route answers an RDAP error for unknown queries.
        match = self.routes.resolve(route)
        return match.func(request, *match.args, **match.kwargs)
