"""API fixtures: demo people without applications, tokens per user, a helper to call actions."""

from __future__ import annotations

import base64
import io
import itertools
from datetime import UTC, datetime

import pytest

from loanfund import clock
from tests.conftest import DEMO_PASSWORD

MONEY_ACTIONS = {"approve", "prepare-disbursement", "authorise-disbursement", "confirm-return"}
_keys = itertools.count(1)


class Api:
    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.tokens: dict[str, tuple[str, datetime]] = {}

    def token(self, username: str) -> str:
        """The user's token, taken afresh once the (time-travelling) clock has passed its expiry — never by retrying a
        refused call, so a 401 is always a real answer."""
        token, expires_at = self.tokens.get(username, ("", datetime.min.replace(tzinfo=UTC)))
        if clock.utcnow() >= expires_at:
            basic = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
            response = self.client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
            assert response.status_code == 201, response.get_json()
            body = response.get_json()
            token, expires_at = body["token"], datetime.fromisoformat(body["expires_at"])
            self.tokens[username] = (token, expires_at)
        return token

    def headers(self, username: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(username)}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def _send(self, method: str, username: str, path: str, key: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.open(f"/api/v1{path}", method=method, headers=self.headers(username, key), **kwargs)

    def get(self, username: str, path: str):  # type: ignore[no-untyped-def]
        return self._send("GET", username, path)

    def post(self, username: str, path: str, body=None, key: str | None = None):  # type: ignore[no-untyped-def]
        return self._send("POST", username, path, key, json=body if body is not None else {})

    def act(self, username: str, application_id: int, action: str, body=None, key: str | None = None):  # type: ignore[no-untyped-def]
        if key is None and action in MONEY_ACTIONS:
            key = f"test-key-{next(_keys)}"
        return self.post(username, f"/applications/{application_id}/{action}", body, key)


PDF = b"%PDF-1.4\n%test\n"


def upload(api: Api, username: str, application_id: int, category: str, names: tuple[str, ...] = ("a.pdf",)):  # type: ignore[no-untyped-def]
    """Documents through the API as a client sends them: multipart, ``category`` and one or more ``file``."""
    return api.client.post(
        f"/api/v1/applications/{application_id}/materials",
        data={"category": category, "file": [(io.BytesIO(PDF), name) for name in names]},
        headers=api.headers(username),
        content_type="multipart/form-data",
    )


@pytest.fixture
def api(client, people) -> Api:  # type: ignore[no-untyped-def]
    return Api(client)
