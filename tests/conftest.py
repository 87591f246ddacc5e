"""Shared fixtures: an app on a fresh database per test, a client, a CLI runner, the demo data, login helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from loanfund.app import create_app
from loanfund.extensions import db
from loanfund.services.demo import seed_demo
from loanfund.services.policies import ensure_default_policy

DEMO_PASSWORD = "demo-pass-123"


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        ensure_default_policy()
        db.session.commit()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def demo(app: Flask) -> None:
    seed_demo(DEMO_PASSWORD)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class Auth:
    """Log in and out through the real login form (with its CSRF token)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = DEMO_PASSWORD, follow: bool = False):  # type: ignore[no-untyped-def]
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
            follow_redirects=follow,
        )

    def logout(self):  # type: ignore[no-untyped-def]
        page = self.client.get("/home")
        return self.client.post("/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def people(app: Flask) -> None:
    """Banks, enterprises, users and the first 2亿 contribution — no applications."""
    seed_demo(DEMO_PASSWORD, with_applications=False)
