"""schemathesis against the served OpenAPI schema (through the WSGI application, in the test
database, with the sandbox registry behind): no 5xx, and every response agrees with the
schema (status code, content type, body). Each operation alone with valid and invalid input,
then sequences of operations linked by their responses (stateful). A bounded number of
examples, so that the suite stays fast; raise them to hunt."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
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

# Examples per operation: valid input, then input the schema forbids (refused, never a 5xx).
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def examples_of(operation: Any, headers: dict[str, str], mode: GenerationMode
                ) -> Callable[[], None]:
    """A hypothesis test calling ``operation`` with generated cases and checking them."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
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
        for mode in EXAMPLES:
            run = examples_of(operation, {"Authorization": f"Bearer {make_token('alice')}"},
                              mode)
            try:
                run()
            except Exception as exc:  # collect them all, then fail once with the list
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)


STEPS = 6
SEQUENCES = 15


def test_sequences_of_calls_agree_with_the_schema(make_token: Callable[..., str],
                                                  registry: Registry, contact_a: Contact,
                                                  keep_test_connection: None) -> None:
    """Stateful: schemathesis links operations (a contact created, then read, changed,
    deleted...) from the schema's responses and path parameters, and checks every step."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    schema = schema.exclude(path_regex="^/api/v1/dns/")
    headers = {"Authorization": f"Bearer {make_token('alice')}"}

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any,
                              additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    assert Sequences.bundles, "no links between operations: nothing stateful to run"
    Sequences.run(settings=settings(max_examples=SEQUENCES, stateful_step_count=STEPS,
                                    deadline=None, database=None, derandomize=True,
                                    suppress_health_check=list(HealthCheck)))
