"""Shared fixtures: an app on a fresh database per test, a client, a CLI runner, the demo data, login helpers."""

from __future__ import annotations

import copy
import itertools
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import Engine, Integer, event, text

from loanfund import sqlite
from loanfund.app import create_app
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services.applications.materials import ensure_checklist
from loanfund.services.lianyungang import ensure_city_fund
from loanfund.services.policies import ensure_default_policy
from tests.factories import PASSWORD, cast
from tests.flows import Flows, busy_fund, november_2026
from tests.pg import Cluster, PostgresUnavailable, create_database

DEMO_PASSWORD = PASSWORD


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_databases`` run on SQLite and on PostgreSQL; the rest on SQLite only."""
    if "backend" not in metafunc.fixturenames:
        return
    both = metafunc.definition.get_closest_marker("both_databases") is not None
    params = [pytest.param("sqlite", id="sqlite")]
    if both:
        params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    if metafunc.definition.get_closest_marker("postgres_only"):
        params = params[1:]
    metafunc.parametrize("backend", params, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first in each worker's share. ``--dist worksteal`` hands each worker one contiguous share of the
    collection (the first worker the first half…) and lets an idle one take the tail of another's queue; so the long
    tests, heaviest first, go each to the share with the least long work so far, at its head, and the short ones fill
    the shares behind them (a worker is never left alone with two long tests at the end)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    heavy = sorted((item for item in items if _seconds(item)), key=_seconds, reverse=True)
    light = iter([item for item in items if not _seconds(item)])
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for item in heavy:
        share = loads.index(min(loads))
        heads[share].append(item)
        loads[share] += _seconds(item)
    ordered: list[pytest.Item] = []
    left = len(items)
    for share in range(workers):
        size = left // (workers - share)  # as worksteal's first split: what is left, over the workers left
        ordered += heads[share] + list(itertools.islice(light, max(size - len(heads[share]), 0)))
        left -= size
    items[:] = ordered + list(light)


def _seconds(item: pytest.Item) -> int:
    """A long test's cost in this suite, per database (``@pytest.mark.long(sqlite=120, postgresql=50)``); 0 if short."""
    marker = item.get_closest_marker("long")
    if marker is None:
        return 0
    backend = getattr(item, "callspec", None) and item.callspec.params.get("backend")  # type: ignore[attr-defined]
    return int(marker.kwargs.get(backend or "sqlite", 60))


_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@event.listens_for(Engine, "before_cursor_execute")
def _no_write_while_reading(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
    """A request that only reads (a GET) begins its SQLite transactions without the write lock (``loanfund.sqlite``):
    it may write only through ``sqlite.writing``, in a transaction of its own — any other write fails the test."""
    if sqlite.only_reading() and _WRITES.match(statement):
        raise AssertionError(f"a GET request wrote outside sqlite.writing(): {statement[:120]}")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server: ``TEST_DATABASE_URL``'s, or a throwaway cluster. Skips without one, fails under CI."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        return
    try:
        cluster = Cluster()
        url = cluster.start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL for the integration tests, and it could not be started: {exc}")
        pytest.skip(f"PostgreSQL not available here ({exc}); install Debian's postgresql package to run these")
    try:
        yield url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> str:
    """One database for the session, built by the migrations (so they are tested on PostgreSQL too)."""
    # one database per pytest-xdist worker (each worker also starts its own throwaway server; with TEST_DATABASE_URL
    # they share that server)
    url = create_database(pg_server, f"loanfund_test{os.environ.get('PYTEST_XDIST_WORKER', '')}")
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


class KeptRows:
    """Every table's rows as they stand, kept to be put back on PostgreSQL in milliseconds: the tables emptied and the
    rows inserted with triggers off (``session_replication_role``, which only a superuser may set — the throwaway test
    server's role is one), each id sequence set after its rows. Emptying the tables by TRUNCATE takes 160 ms."""

    TABLES = list(db.metadata.sorted_tables)

    def __init__(self) -> None:
        self.rows = {t: [dict(r) for r in db.session.execute(t.select()).mappings()] for t in self.TABLES}
        db.session.rollback()
        counters = [t.name for t in self.TABLES if "id" in t.c and isinstance(t.c.id.type, Integer)]
        self.sequences = "SELECT " + ", ".join(
            f"setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM \"{name}\"), 1), "
            f'(SELECT COUNT(*) > 0 FROM "{name}"))'
            for name in counters
        )

    @staticmethod
    def possible() -> bool:
        return bool(db.session.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")))

    def put_back(self) -> None:
        db.session.remove()
        db.session.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers, no FK checks
        for table in reversed(self.TABLES):
            db.session.execute(table.delete())
        for table, rows in self.rows.items():
            if rows:
                db.session.execute(table.insert(), rows)
        db.session.execute(text(self.sequences))
        db.session.commit()


def _defaults() -> None:
    """What every test's database starts with: the city fund with its default policy, and the materials checklist."""
    city = ensure_city_fund()
    ensure_default_policy(city)
    ensure_checklist(city.id)
    db.session.commit()


def _empty_postgres() -> None:
    tables = ", ".join(f'"{t.name}"' for t in KeptRows.TABLES)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


_pristine: list[KeptRows | None] = []


def pristine_postgres() -> None:
    """The session's PostgreSQL database with only the default policy and the checklist: built the first time (and
    always where the role may not put rows back), then put back from the rows kept."""
    if _pristine and _pristine[0] is not None:
        _pristine[0].put_back()
        return
    _empty_postgres()
    _defaults()
    if not _pristine:
        _pristine.append(KeptRows() if KeptRows.possible() else None)


@pytest.fixture
def app(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh database: in-memory SQLite built from the models, or — for tests marked ``migrated`` —
    a SQLite file built by the migrations; or the session's PostgreSQL database (migrated), put back to its first
    rows before use."""
    migrated = request.node.get_closest_marker("migrated") is not None
    if backend == "postgresql":
        url = request.getfixturevalue("pg_database")
    else:
        url = f"sqlite:///{tmp_path / 'loanfund.db'}" if migrated else "sqlite://"
    overrides: dict[str, object] = {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(tmp_path / "materials")}
    configured = request.node.get_closest_marker("app_config")
    if configured is not None:
        overrides |= configured.kwargs
    if backend == "postgresql":  # room for the concurrency tests' twenty sessions at once
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 25, "max_overflow": 5}
    shared = not migrated and configured is None
    app = _shared_app(backend, overrides) if shared else create_app("test", overrides)
    with app.app_context():
        if backend == "postgresql":
            pristine_postgres()
        elif not migrated:
            _fresh_schema()
        else:
            upgrade()
            _defaults()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()  # an in-memory database goes with its one connection


_schema: sqlite3.Connection | None = None
_apps: dict[str, tuple[Flask, dict[str, Any]]] = {}


def _shared_app(backend: str, overrides: dict[str, object]) -> Flask:
    """One app per process and database for the tests on the default in-memory SQLite database or the session's
    PostgreSQL one (compiling its URL map takes 135 ms, a test), its configuration put back as it was built before
    each test; the database is put back afresh (``_fresh_schema``, ``pristine_postgres``). Tests with their own
    configuration or a migrated file get an app of their own."""
    if backend not in _apps:
        app = create_app("test", overrides)
        _apps[backend] = (app, copy.deepcopy(dict(app.config)))
    app, pristine = _apps[backend]
    app.config.clear()
    app.config.update(copy.deepcopy(pristine) | overrides)
    return app


@contextmanager
def in_memory_database() -> Iterator[sqlite3.Connection]:
    """The test's in-memory SQLite database itself (the one connection of its StaticPool), for SQLite's backup API:
    a prepared database copied in or out in milliseconds. The session is let go first, so none of it is stale."""
    db.session.remove()
    connection = db.engine.raw_connection()
    try:
        yield connection.driver_connection  # type: ignore[misc]
    finally:
        connection.close()


def _fresh_schema() -> None:
    """The tables, the default policy and the checklist in the test's in-memory database: built by the models once per
    process, then copied in by SQLite's backup API (0.5 ms instead of 115 ms a test)."""
    global _schema
    with in_memory_database() as connection:
        if _schema is None:
            db.create_all()
            _defaults()
            _schema = sqlite3.connect(":memory:", check_same_thread=False)
            connection.backup(_schema)
        else:
            _schema.backup(connection)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    """The named banks, enterprises and users of ``tests.factories.cast`` and the first 2亿 contribution."""
    return cast()


@pytest.fixture
def busy(people: dict[str, User]) -> dict[str, int]:
    """The cast with six applications in several states (``tests.flows.busy_fund``)."""
    return busy_fund()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def form_tokens(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, one-time ``once`` token) of the form on the page that posts to ``action`` — or,
    when no form names it, of the page's first form that posts to itself."""
    forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", html, flags=re.S)
    chosen = next((body for attrs, body in forms if f'action="{action}"' in attrs), None)
    if chosen is None:
        chosen = next((body for attrs, body in forms if "action=" not in attrs and 'method="post"' in attrs), "")
    hidden = dict(re.findall(r'<input[^>]*name="(csrf_token|once)"[^>]*value="([^"]*)"', chosen))
    hidden |= {n: v for v, n in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="(csrf_token|once)"', chosen)}
    if "csrf_token" not in hidden:
        hidden["csrf_token"] = csrf_token(html)
    return hidden


def confirmation_values(html: str) -> dict[str, str]:
    """The values a confirmation page carries (every hidden input of its confirming form), with "确认" pressed."""
    form = re.search(r'<form[^>]*>(.*?)<button type="submit" name="confirmed"', html, flags=re.S)
    assert form, "no confirmation on the page"
    values = {n: v for n, v in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1))}
    values |= {n: v for v, n in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', form.group(1))}
    return {name: unescape(value) for name, value in values.items()} | {"confirmed": "1"}


def confirm(client: FlaskClient, url: str, data: dict[str, str], page: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Take a step from its form as a person does: press it, read the confirmation (200), press 确认."""
    tokens = form_tokens(client.get(page).get_data(as_text=True), url)
    shown = client.post(url, data={**data, **tokens})
    assert shown.status_code == 200, shown.get_data(as_text=True)[:3000]
    return client.post(url, data=confirmation_values(shown.get_data(as_text=True)), **kwargs)


class Auth:
    """Log in and out through the real login form (with its CSRF token)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = DEMO_PASSWORD, follow: bool = False):  # type: ignore[no-untyped-def]
        # The test holds an app context, which requests share: forget the previous user and CSRF token cached in g.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        self.client.delete_cookie("session")  # whoever was logged in before
        page = self.client.get("/login")
        answer = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
            follow_redirects=follow,
        )
        g.pop("_login_user", None)  # a login starts a new session: its CSRF token is a new one too
        g.pop("csrf_token", None)
        return answer

    def logout(self):  # type: ignore[no-untyped-def]
        page = self.client.get("/home")
        answer = self.client.post("/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        return answer


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def traveller():  # type: ignore[no-untyped-def]
    with time_machine.travel("2026-11-01 09:00:00+08:00", tick=False) as t:
        yield t


@pytest.fixture
def flows(traveller, people) -> Flows:  # type: ignore[no-untyped-def]
    return Flows(traveller)


@pytest.fixture
def november(traveller, people):  # type: ignore[no-untyped-def]
    """The month of ``tests.flows.november_2026`` (October and November 2026); the clock stops on 2 December."""
    traveller.move_to("2026-10-01 09:00:00+08:00")
    ids = november_2026(traveller)
    traveller.move_to("2026-12-02 09:00:00+08:00")
    return ids
