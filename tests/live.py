"""A real HTTP server for the test's app, and clients that hit it at the same instant.

The server is werkzeug's threaded WSGI server on a free loopback port, in this process: each request gets its own
thread, app context, SQLAlchemy session and database connection, exactly as under a production WSGI server, and
time-machine's frozen clock holds for it too. The clients are plain ``http.client`` connections released together
by a barrier.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

_keys = itertools.count(1)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 60
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body, ensure_ascii=False).encode()
            all_headers = {"Content-Type": "application/json"} | (headers or {})
            connection.request(method, path, body=payload, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            parsed = json.loads(raw) if raw and "json" in (response.getheader("Content-Type") or "") else {}
            return Answer(response.status, parsed)
        finally:
            connection.close()

    def token(self, username: str, password: str) -> str:
        basic = base64.b64encode(f"{username}:{password}".encode()).decode()
        answer = self.request("POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
        assert answer.status == 201, answer
        return str(answer.body["token"])

    def act(self, token: str, application_id: int, action: str, body: dict[str, Any]) -> Answer:
        """One lifecycle step over the API, with an Idempotency-Key of its own."""
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"live-{next(_keys)}"}
        return self.request("POST", f"/api/v1/applications/{application_id}/{action}", body, headers)


@contextmanager
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(timeout=10)


def at_once(calls: list[Callable[[], Answer]], timeout: float = 120) -> list[Answer]:
    """Run every call in its own thread, released together; the answers in the order of ``calls``."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer | BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Answer]) -> None:
        try:
            barrier.wait(timeout=30)
            answers[index] = call()
        except BaseException as exc:  # reported to the test below, not lost in a thread
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    failures = [a for a in answers if not isinstance(a, Answer)]
    if failures:
        raise AssertionError(f"a client failed: {failures[0]!r}")
    return answers  # type: ignore[return-value]
