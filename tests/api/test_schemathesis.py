"""Property-based API testing with schemathesis against the generated OpenAPI document: no input makes a 500.

Runs every operation of ``/api/v1/openapi.json`` on a busy fund, as an operator and as an enterprise user.
"""

from __future__ import annotations

import base64
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import DEMO_PASSWORD

# The same cases every run, so main stays green for a reason; SCHEMATHESIS_EXPLORE=1 draws new ones (and more).
EXPLORE = bool(os.environ.get("SCHEMATHESIS_EXPLORE"))
EXAMPLES_PER_OPERATION = 200 if EXPLORE else 20


def bearer(client, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    basic = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.both_databases
def test_no_generated_request_as_the_operator_makes_a_server_error(app, client, busy):
    no_server_error(app, client, "operator")


@pytest.mark.both_databases if EXPLORE else (lambda test: test)  # on SQLite; on both when exploring (make soak)
def test_no_generated_request_as_an_enterprise_makes_a_server_error(app, client, busy):
    """The enterprise's requests differ from the operator's in whose records they reach, which no database decides;
    the operator's cases run on both."""
    no_server_error(app, client, "ent1")


def no_server_error(app, client, username: str) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(client, username)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    statuses: set[int] = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=not EXPLORE,
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            # revoking a token is tried with a token of its own, so the run's token stays good for the others
            revoking = case.method == "DELETE" and case.path.startswith("/tokens")
            own = bearer(client, username) if revoking else headers  # noqa: B023 — run() runs within its iteration
            response = case.call(headers=dict(case.headers or {}) | own)
            statuses.add(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r} → {response.status_code}")

        run()
        if operation.method.upper() == "DELETE" and operation.path.startswith("/tokens"):
            headers = bearer(client, username)  # it may have revoked the run's token (its own user's): a new one
    assert failures == []
    assert client.get("/api/v1/banks", headers=headers).status_code == 200
    assert {200, 404, 422} <= statuses  # the requests really reached the app, good and bad alike
