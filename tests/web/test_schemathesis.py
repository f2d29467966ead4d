"""schemathesis against the OpenAPI description: no operation answers with a server error.

In-process (ASGI), logged in as a clinician with the session's CSRF token, a few generated
examples per operation (the whole run stays within seconds).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from webhelpers import api_token, log_in

from androcast.web.sessions import COOKIE_NAME


@pytest.fixture(scope="module")
def auth_headers(app: FastAPI) -> Iterator[dict[str, str]]:
    with TestClient(app, client=("10.9.9.9", 1)) as client:
        log_in(client, "alice")
        cookie = client.cookies[COOKIE_NAME]
        yield {"Cookie": f"{COOKIE_NAME}={cookie}", **api_token(client)}


MAX_EXAMPLES = 8


def test_no_operation_answers_with_a_server_error(
    app: FastAPI, auth_headers: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=auth_headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    tried: dict[str, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=auth_headers)
            case.validate_response(response, checks=[not_a_server_error], headers=auth_headers)
            assert response.status_code < 500, (case.method, case.formatted_path)
            label = case.operation.label
            tried[label] = tried.get(label, 0) + 1

        call()
    assert set(tried) == {operation.label for operation in operations}
