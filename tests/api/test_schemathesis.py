"""Property-based API testing with schemathesis against the generated OpenAPI document: no input makes a 500.

Runs every operation of ``/api/v1/openapi.json`` on a busy fund, as an operator and as an enterprise user.
"""

from __future__ import annotations

import base64
import itertools
import os
import sqlite3
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import DEMO_PASSWORD, in_memory_database

# The same cases every run, so main stays green for a reason; SCHEMATHESIS_EXPLORE=1 draws new ones (and more).
# 100 cases per operation as the operator on SQLite; 20 on PostgreSQL and as an enterprise (docs/decisions.md).
EXPLORE = bool(os.environ.get("SCHEMATHESIS_EXPLORE"))


def bearer(client, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    basic = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.both_databases
@pytest.mark.long(sqlite=90, postgresql=25)
def test_no_generated_request_as_the_operator_makes_a_server_error(app, client, busy, backend):
    no_server_error(app, client, "operator", 100 if backend == "sqlite" else 20)


@pytest.mark.both_databases if EXPLORE else (lambda test: test)  # on SQLite; on both when exploring (make soak)
def test_no_generated_request_as_an_enterprise_makes_a_server_error(app, client, busy):
    """The enterprise's requests differ from the operator's in whose records they reach, which no database decides;
    the operator's cases run on both."""
    no_server_error(app, client, "ent1", 20)


def no_server_error(app, client, username: str, examples: int) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(client, username)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    statuses: set[int] = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=200 if EXPLORE else examples,
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


STATEFUL_SCENARIOS = 300 if EXPLORE else 60


def test_generated_sequences_along_the_links_make_no_server_error(app, client, busy):
    """schemathesis' stateful mode: sequences of calls that feed each answer's ids (an application created, read,
    stepped, its documents, its recovery file…) into the next call, as every kind of user in turn."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    users = ["ent1", "operator", "reviewer", "bank1", "group", "operator2", "ent2", "bank2", "admin"]
    tokens = {name: bearer(client, name) for name in users}
    start = sqlite3.connect(":memory:", check_same_thread=False)
    with in_memory_database() as raw:
        raw.backup(start)  # the busy fund and the tokens: every scenario starts from here, as hypothesis requires
    turn = itertools.count()
    failures: list[str] = []
    calls: Counter[str] = Counter()

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            nonlocal turn
            turn = itertools.count()
            with in_memory_database() as raw:
                start.backup(raw)

        def get_call_kwargs(self, case) -> dict:  # type: ignore[no-untyped-def]
            name = "ent1" if case.method == "POST" and case.path == "/applications" else users[next(turn) % len(users)]
            revoking = case.method == "DELETE" and case.path.startswith("/tokens")
            auth = bearer(client, name) if revoking else tokens[name]  # a token of its own to revoke
            return {"headers": dict(case.headers or {}) | auth | {"Idempotency-Key": f"stateful-{next(turn)}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
            calls[f"{case.method} {case.path} {response.status_code}"] += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r} → {response.status_code}")

    Sequences.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=10,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=not EXPLORE,
        )
    )
    assert failures == []
    print(sorted(calls.items()))
