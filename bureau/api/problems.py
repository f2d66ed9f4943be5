"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API returns has ``type``, ``title``, ``status``, ``detail`` and ``instance``;
when fields are at fault, ``errors`` lists them (``{"field": ..., "detail": ...}``). The
operations' refusals (``bureau.registrar.operations.errors``) and the ledger's map here to
HTTP statuses; nothing else in the API decides an error's shape.
"""

from __future__ import annotations

import logging
import sys
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.defaults import bad_request, page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bureau import epp
from bureau.audit.operations.tokens import TokenForbidden, TokenRefused
from bureau.coop.operations import errors as coop
from bureau.core.credentials import ReauthenticationRequired
from bureau.core.uploads import BodyLimit, default_limit
from bureau.core.validators import describe
from bureau.registrar.billing.ledger import InsufficientFunds
from bureau.registrar.operations import errors as op

logger = logging.getLogger("bureau.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://bureau.coop/problems/"

# Operation refusal -> (HTTP status, problem type slug, title)
OPERATION_PROBLEMS: list[tuple[type[Exception], int, str, str]] = [
    (TokenForbidden, 403, "token-forbidden", "Token not created"),
    (TokenRefused, 422, "token-refused", "Token not created"),
    (op.TwoFactorRequired, 403, "two-factor-required", "Two-factor authentication required"),
    (op.NotAllowed, 403, "role-not-allowed", "Your role does not allow this"),
    (op.InvalidName, 422, "invalid-name", "Not a valid domain name"),
    (op.TldNotSold, 422, "tld-not-sold", "TLD not sold"),
    (op.NotAvailable, 409, "not-available", "Name not available"),
    (op.PeriodNotAllowed, 422, "period-not-allowed", "Period not allowed"),
    (op.PriceChanged, 409, "price-changed", "The price changed"),
    (op.WrongState, 409, "wrong-state", "Not possible in the name's current state"),
    (op.StatusProhibits, 409, "status-prohibits", "A lock forbids this"),
    (op.ContactInvalid, 422, "contact-invalid", "Contact not usable"),
    (op.ContactInUse, 409, "contact-in-use", "Contact in use"),
    (op.ConsentMissing, 422, "consent-missing", "Consent missing"),
    (op.RegistryRefused, 422, "registry-refused", "The registry refused"),
    # The order is kept and will be settled: accepted, not failed. Do not retry.
    (op.OutcomePending, 202, "outcome-pending", "Outcome pending at the registry"),
    (op.OperationError, 422, "operation-refused", "Operation refused"),
    (InsufficientFunds, 402, "insufficient-funds", "Balance too low"),
    # The cooperative: who may propose, back and vote (members), schedule (the board).
    (coop.NotAMember, 403, "not-a-member", "Only members whose shares are paid"),
    (coop.NotOnBoard, 403, "not-on-board", "Only the board"),
    (coop.BallotNotOpen, 409, "ballot-state", "Not possible in the ballot's current state"),
    (coop.CoopError, 422, "cooperative-refused", "Refused"),
]

class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This conflicts with the current state of the resource."
    default_code = "conflict"


DRF_TITLES: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.ValidationError: ("validation-error", "Invalid request"),
    exceptions.ParseError: ("malformed-request", "Malformed request"),
    exceptions.NotAuthenticated: ("not-authenticated", "Authentication required"),
    exceptions.AuthenticationFailed: ("authentication-failed", "Authentication failed"),
    exceptions.PermissionDenied: ("forbidden", "Not allowed"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("rate-limited", "Too many requests"),
    Conflict: ("conflict", "Conflict"),
}


def problem(request: Any, *, status_code: int, slug: str, title: str, detail: str,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": request.get_full_path() if request is not None else "",
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(body, status=status_code, headers=headers,
                        content_type=PROBLEM_CONTENT_TYPE)
    return response


def flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error dict/list as a flat list of {field, detail}; "field" is a dotted
    path (``nameservers.1``), or "non_field_errors" for the whole object."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            out += flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out += [{"field": prefix or "non_field_errors", "detail": str(item)}
                    for item in detail]
        else:
            for index, item in enumerate(detail):
                out += flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        out.append({"field": prefix or "non_field_errors", "detail": str(detail)})
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    for kind, code, slug, title in OPERATION_PROBLEMS:
        if isinstance(exc, kind):
            return _operation_problem(request, exc, code, slug, title)
    if isinstance(exc, ReauthenticationRequired):
        return _reauthenticate(request, exc)
    if isinstance(exc, epp.EPPError):
        return _registry_unreachable(request, exc)
    if isinstance(exc, RequestDataTooBig):
        return too_large(request)
    if isinstance(exc, SuspiciousOperation):  # too many fields, a bad multipart body...
        return problem(request, status_code=400, slug="malformed-request",
                       title="Malformed request", detail=str(exc) or "Malformed request.")
    if database_unreachable(exc):
        return database_unavailable(request, exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return _unexpected(request, exc)
    slug, title = next(((s, t) for k, (s, t) in DRF_TITLES.items() if isinstance(exc, k)),
                       ("error", "Error"))
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After",
                                                          "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5])
        return problem(request, status_code=response.status_code, slug=slug, title=title,
                       detail=detail, errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    extra: dict[str, Any] = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        extra["retry_after"] = int(wait + 0.999)
        headers["Retry-After"] = str(extra["retry_after"])
    return problem(request, status_code=response.status_code, slug=slug, title=title,
                   detail=str(detail), headers=headers, **extra)


def _operation_problem(request: Any, exc: Exception, code: int, slug: str,
                       title: str) -> Response:
    message = getattr(exc, "message", None) or str(exc)
    field = getattr(exc, "field", None)
    extra: dict[str, Any] = {}
    if isinstance(exc, op.RegistryRefused):
        extra["registry_code"] = exc.code
    if isinstance(exc, op.PriceChanged):
        extra.update(expected_price=exc.expected, price=exc.actual, currency=exc.currency)
    if isinstance(exc, InsufficientFunds):
        extra.update(balance=exc.balance, needed=exc.needed, currency=exc.currency)
        field = "balance"
    errors = [{"field": field, "detail": message}] if field else None
    return problem(request, status_code=code, slug=slug, title=title, detail=message,
                   errors=errors, **extra)


def _reauthenticate(request: Any, exc: ReauthenticationRequired) -> Response:
    """A session that has not entered its password (or a second factor) lately: the person
    re-authenticates in the portal, at the address given, then repeats the call."""
    url = reverse("account_reauthenticate")
    if request is not None:
        url = request.build_absolute_uri(url)
    return problem(request, status_code=403, slug="reauthentication-required",
                   title="Re-authenticate", detail=exc.message,
                   reauthenticate_url=url)


def _registry_unreachable(request: Any, exc: Exception) -> Response:
    incident = uuid.uuid4().hex[:12]
    logger.error("registry unreachable (incident %s): %s", incident, exc)
    return problem(request, status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                   slug="registry-unavailable", title="Registry unavailable",
                   detail=f"The registry cannot be reached now; nothing was done. Try again "
                          f"in a minute (incident {incident}).",
                   headers={"Retry-After": "60"}, incident=incident)


def database_unreachable(exc: BaseException) -> bool:
    """The database refused or dropped the connection (or is shutting down): the request may
    succeed a minute later, so 503 and not 500."""
    return isinstance(exc, OperationalError | InterfaceError)


def _database_problem(exc: BaseException) -> dict[str, Any]:
    incident = uuid.uuid4().hex[:12]
    logger.error("database unreachable (incident %s): %s", incident, exc)
    return {"status_code": status.HTTP_503_SERVICE_UNAVAILABLE, "slug": "service-unavailable",
            "title": "Service unavailable", "headers": {"Retry-After": "60"},
            "detail": f"Bureau cannot reach its database now; try again in a minute "
                      f"(incident {incident}).", "incident": incident}


def _too_large_problem(limit: BodyLimit | None = None) -> dict[str, Any]:
    limit = limit or default_limit()
    most = limit.max_bytes or 0
    with translation.override("en"):  # this problem's detail is English: its advice too
        advice = f" {limit.advice()}" if limit.advice else " Send less at a time."
    return {"status_code": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            "slug": "request-too-large", "title": "Request too large",
            "detail": f"The request body is larger than {most} bytes, the most Bureau "
                      f"accepts here.{advice}", "max_bytes": most}


def database_unavailable(request: Any, exc: BaseException) -> Response:
    return problem(request, **_database_problem(exc))


def too_large(request: Any) -> Response:
    return problem(request, **_too_large_problem())


def problem_response(request: HttpRequest, *, status_code: int, slug: str, title: str,
                     detail: str, headers: dict[str, str] | None = None,
                     **extra: Any) -> JsonResponse:
    """The same body as ``problem``, outside DRF's views (middleware, Django's handlers)."""
    body = {"type": TYPE_BASE + slug, "title": title, "status": status_code, "detail": detail,
            "instance": request.get_full_path(), **extra}
    response = JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def too_large_response(request: HttpRequest, limit: BodyLimit | None = None) -> HttpResponse:
    """413: problem details under /api/, the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_response(request, **_too_large_problem(limit))
    limit = limit or default_limit()
    return HttpResponse(render_to_string("413.html", {
        "megabytes": f"{(limit.max_bytes or 0) / 1e6:.1f}",
        "advice": limit.advice() if limit.advice else ""}), status=413)


def bad_query_response(request: HttpRequest, char: str) -> HttpResponse:
    """400 for a control character in the path or the query string."""
    detail = (f"The address holds a control character ({describe(char)}): remove it from "
              "the path and the query parameters.")
    if request.path.startswith("/api/"):
        return problem_response(request, status_code=400, slug="malformed-request",
                                title="Malformed request", detail=detail)
    return bad_request(request, SuspiciousOperation(detail))


def bad_request_view(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (``handler400``): a body over the limit is a 413; the rest as Django."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    if request.path.startswith("/api/"):
        return problem_response(request, status_code=400, slug="malformed-request",
                                title="Malformed request",
                                detail="The request could not be read: check its headers "
                                       "and body.")
    return bad_request(request, exception)


def server_error_view(request: HttpRequest) -> HttpResponse:
    """Django's 500 (``handler500``), called while the exception is being handled: a
    database out of reach is a 503 (problem details under /api/, a page elsewhere)."""
    exc = sys.exc_info()[1]
    if exc is not None and database_unreachable(exc):
        if request.path.startswith("/api/"):
            return problem_response(request, **_database_problem(exc))
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    if request.path.startswith("/api/"):
        incident = uuid.uuid4().hex[:12]
        logger.error("API error (incident %s) at %s", incident, request.get_full_path(),
                     exc_info=exc)
        return problem_response(request, status_code=500, slug="internal-error",
                                title="Internal error",
                                detail=f"Something went wrong on Bureau's side; it was logged "
                                       f"(incident {incident}).", incident=incident)
    return server_error(request)


def _unexpected(request: Any, exc: Exception) -> Response:
    incident = uuid.uuid4().hex[:12]
    logger.error("API error (incident %s) at %s", incident,
                 request.get_full_path() if request is not None else "?", exc_info=exc)
    return problem(request, status_code=500, slug="internal-error", title="Internal error",
                   detail=f"Something went wrong on Bureau's side; it was logged (incident "
                          f"{incident}). Nothing you sent was at fault.", incident=incident)


def not_found_view(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for paths no API route matches (``handler404``): problem details under
    ``/api/``, as every other API error, and the portal's page elsewhere."""
    if not request.path.startswith("/api/"):
        return page_not_found(request, exception)
    body = {"type": TYPE_BASE + "not-found", "title": "Not found", "status": 404,
            "detail": f"No API resource at {request.path}: check the path against "
                      "/api/v1/schema/.",
            "instance": request.get_full_path()}
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)
