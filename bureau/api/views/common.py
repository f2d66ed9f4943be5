"""What the views share: the problem-details responses in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(help_text="URI naming the kind of problem"),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "instance": serializers.CharField(),
        "errors": serializers.ListField(
            required=False,
            child=inline_serializer(name="ProblemFieldError", fields={
                "field": serializers.CharField(),
                "detail": serializers.CharField(),
            })),
        "reauthenticate_url": serializers.URLField(
            required=False, help_text="With `reauthentication-required`: where the person "
                                      "enters their password or a code again"),
    },
)

DESCRIPTIONS = {
    202: "Outcome pending at the registry: the order is kept and will be settled; do not "
         "order again (problem details)",
    400: "Invalid request (problem details, with `errors` naming the fields)",
    401: "Authentication required or failed",
    402: "The balance does not cover the order",
    403: "Your role or the token's scopes do not allow this, your organisation requires "
         "two-factor authentication, or the session must re-authenticate first",
    404: "Not found (or not yours)",
    409: "Conflict: name not available, wrong state, a lock, or the price changed",
    422: "Refused: invalid name, period, contact, or the registry said no",
    429: "Rate limited (see Retry-After)",
    503: "The registry cannot be reached; nothing was done",
}


def problem_responses(*codes: int) -> dict[int, Any]:
    return {code: OpenApiResponse(ProblemSerializer, description=DESCRIPTIONS[code])
            for code in codes}


PROBLEM_RESPONSES = problem_responses(400, 401, 402, 403, 404, 409, 422, 429, 503)
