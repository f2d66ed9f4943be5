"""schemathesis against the served OpenAPI schema (through the WSGI application, in the test
database, with the sandbox registry behind): no 5xx, and every response agrees with the
schema (status code, content type, body). A bounded number of examples per operation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

from bureau.registrar.contacts.models import Contact
from bureau.registrar.registries.models import Registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's own test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)

EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def examples_of(operation: Any, headers: dict[str, str]) -> Callable[[], None]:
    """A hypothesis test calling ``operation`` with generated cases and checking them."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


def test_responses_agree_with_the_schema(make_token: Callable[..., str], registry: Registry,
                                         contact_a: Contact, keep_test_connection: None
                                         ) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    # Tokens are made per operation: one operation may revoke the token it was given.
    failures: list[str] = []
    # DNS hosting's endpoints (/api/v1/dns/) need a PowerDNS server: tests/dns runs them.
    operations = [op for op in (result.ok() for result in schema.get_all_operations())
                  if not op.path.startswith(("/api/v1/dns/", "/dns/"))]
    assert len(operations) >= 30
    for operation in operations:
        run = examples_of(operation, {"Authorization": f"Bearer {make_token('alice')}"})
        try:
            run()
        except Exception as exc:  # collect them all, then fail once with the list
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
