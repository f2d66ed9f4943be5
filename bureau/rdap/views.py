"""RDAP over HTTP (RFC 7480): lookups of domains and entities, /help, errors as RDAP error
objects, CORS, HEAD, caching headers and a rate limit per client address."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse

from bureau.registrar.contacts.models import ContactHandle
from bureau.registrar.domains.names import to_a_label, verify_one_script

from . import conf, lookup, ratelimit, responses
from .lookup import Party

MEDIA_TYPE = "application/rdap+json"
TITLES = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
          429: "Too Many Requests", 501: "Not Implemented"}


def _send(request: HttpRequest, status: int, body: dict[str, Any],
          max_age: int = 0, headers: dict[str, str] | None = None) -> HttpResponse:
    content = json.dumps(body, ensure_ascii=False).encode()
    response = HttpResponse(b"" if request.method == "HEAD" else content, status=status,
                            content_type=MEDIA_TYPE)
    response["Content-Length"] = str(len(content))
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    response["Vary"] = "Accept"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(request: HttpRequest, status: int, description: str,
           headers: dict[str, str] | None = None) -> HttpResponse:
    body = responses.error_response(status, TITLES[status], description,
                                    request.build_absolute_uri())
    return _send(request, status, body, max_age=60 if status == 404 else 0, headers=headers)


def _methods(request: HttpRequest) -> HttpResponse | None:
    """The answer to a CORS preflight or a method RDAP does not answer; None for GET, HEAD."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method not in ("GET", "HEAD"):
        return _error(request, 405, "RDAP answers GET and HEAD only.",
                      {"Allow": "GET, HEAD, OPTIONS"})
    return None


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    return _error(request, 429, f"Too many queries from your address: retry in {wait} "
                  "seconds.", {"Retry-After": str(wait)})


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def rdap_view(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Methods, CORS preflight and the rate limit, the same for every RDAP resource (a
    domain lookup counts its query in its own statement)."""

    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        refused = _methods(request)
        if refused is not None:
            return refused
        wait = ratelimit.retry_after(_client(request))
        if wait is not None:
            return _too_many(request, wait)
        return handler(request, **kwargs)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _lookup_name(raw: str) -> str:
    """The A-label of a queried name, U-label or A-label (RFC 9082 3.1.3); ValueError says
    what is wrong with it."""
    if len(raw) > 253 or any(len(label) > 63 for label in raw.split(".")):
        raise ValueError("A domain name has at most 253 characters and 63 per label.")
    try:
        a_label = to_a_label(raw)
        verify_one_script(a_label)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from exc
    if len(a_label) > 253:
        raise ValueError("A domain name has at most 253 characters once encoded.")
    return a_label


def domain(request: HttpRequest, name: str) -> HttpResponse:
    """A domain Bureau sponsors, or one of its bundled names (RFC 9095)."""
    refused = _methods(request)
    if refused is not None:
        return refused
    try:
        a_label = _lookup_name(name)
    except ValueError as exc:
        wait = ratelimit.retry_after(_client(request))
        if wait is not None:
            return _too_many(request, wait)
        return _error(request, 400, f"“{name[:80]}” is not a valid domain name: {exc}")
    wait, found = lookup.find(a_label, _client(request))
    if wait is not None:
        return _too_many(request, wait)
    if found is None or not found.held:
        tld = a_label.rsplit(".", 1)[-1]
        if not lookup.sells(tld):
            return _error(request, 404, f"Bureau sponsors no names under .{tld}: ask the "
                          "registry of that TLD (IANA's RDAP bootstrap file names it).")
        return _error(request, 404, f"Bureau does not sponsor {a_label}.")
    return _send(request, 200, responses.domain_response(found, a_label), max_age=300)


@rdap_view
def entity(request: HttpRequest, handle: str) -> HttpResponse:
    """The registrar (its IANA ID), or a contact whose holder consented to publication."""
    self_url = request.build_absolute_uri()
    if len(handle) > 89 or not handle.isprintable():  # a ROID has at most 89 characters
        return _error(request, 400, "Not a valid handle: at most 89 printable characters.")
    if handle == conf.iana_id():
        body = responses.entity_response(responses.registrar_entity(self_url), self_url)
        return _send(request, 200, body, max_age=300)
    found = (ContactHandle.objects.select_related("contact")
             .filter(handle=handle, contact__disclose=True).first())
    if found is None:
        return _error(request, 404, f"No entity {handle[:80]} is published here.")
    body = responses.contact_entity(Party.of(found.contact, handle), "registrant", "",
                                    self_url)
    del body["roles"]  # roles belong to a relation with an object, not to the entity alone
    return _send(request, 200, responses.entity_response(body, self_url), max_age=300)


@rdap_view
def help_view(request: HttpRequest) -> HttpResponse:
    """The service's notices and conformance (RFC 9082 3.1.6)."""
    return _send(request, 200, responses.help_response(request.build_absolute_uri()),
                 max_age=3600)


@rdap_view
def not_offered(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Queries of RFC 9082 a registrar does not answer: searches, name servers, IP networks
    and autonomous systems (RFC 7480 5.4)."""
    return _error(request, 501, "Bureau answers domain and entity lookups and /help only; "
                  "searches, name server, IP and autnum queries are not offered.")


@rdap_view
def bad_query(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return _error(request, 400, "Not an RDAP query: use /domain/<name>, /entity/<handle> or "
                  "/help.")


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")
