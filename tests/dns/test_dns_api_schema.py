"""schemathesis against the DNS part of the served OpenAPI schema, with the real PowerDNS and
the sandbox registry behind: no 5xx, and every response agrees with the schema (status
code, content type, body). The generic API run leaves /api/v1/dns/ to this test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_dns_responses_agree_with_the_schema(
        member: Any, organisation: Any, dns_settings: Any, hosted_zone: Any,
        keep_test_connection: None) -> None:
    from bureau.audit.operations import tokens
    from bureau.registrar.operations.common import Actor

    dns_settings.ALLOWED_HOSTS = ["*"]
    zone = hosted_zone()
    secret = tokens.create_token(actor=Actor.console(member.user), organisation=organisation,
                                 name="schema", scopes=["domains:read", "domains:write"]).secret
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    # Stopping the hosting of the zone would leave the other operations nothing but 404s.
    operations = [op for op in (r.ok() for r in schema.get_all_operations())
                  if op.path.startswith("/api/v1/dns/")
                  and not (op.method.upper() == "DELETE" and op.path.endswith("zones/{name}/"))]
    assert len(operations) >= 12
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            if "name" in (case.path_parameters or {}):
                case.path_parameters["name"] = str(zone.name).rstrip(".")
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"},
                                   checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
