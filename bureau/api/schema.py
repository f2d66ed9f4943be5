"""OpenAPI: the bearer-token security scheme, and problem details declared on every operation
with their own media type (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from bureau.audit.scopes import SCOPES

PROBLEM = "application/problem+json"
# Every operation may answer these; writes may also answer the operations' refusals.
COMMON = {400: "Invalid request", 401: "Authentication required or failed",
          403: "Not allowed (role, token scope, 2FA required, or re-authenticate)",
          404: "Not found (or not yours)",
          405: "Method not allowed", 406: "Not acceptable", 415: "Unsupported media type",
          429: "Rate limited (see Retry-After)", 500: "Internal error (logged with an incident id)"}
WRITES = {402: "The balance does not cover the order",
          409: "Conflict: not available, wrong state, a lock, or the price changed",
          422: "Refused by a rule or by the registry", 503: "Registry unreachable; nothing done"}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "bureau.api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http", "scheme": "bearer", "bearerFormat": "bureau_<prefix>_<secret>",
            "description": "A personal token from POST /api/v1/tokens/ or the portal. Scopes: "
                           + ", ".join(SCOPES),
        }


class PortalSessionScheme(SessionScheme):
    target_class = "bureau.api.authentication.PortalSessionAuthentication"


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any,
                          public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook."""
    ref = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for code, response in list(responses.items()):
                content = response.get("content", {})
                if int(code) >= 400 and "application/json" in content:
                    response["content"] = {PROBLEM: content["application/json"]}
            wanted: dict[int, str] = dict(COMMON)
            if method in ("post", "put", "patch", "delete"):
                wanted.update(WRITES)
            for status, description in wanted.items():
                responses.setdefault(str(status), {"description": description,
                                                 "content": {PROBLEM: {"schema": ref}}})
    return result
