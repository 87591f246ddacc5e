"""Load and faults with real processes (issue 13): gunicorn with four workers on a real PostgreSQL server, clients
driving bridges through the API from application to archive with an Idempotency-Key on every step, reads in
between; one worker killed with SIGKILL mid-run and, later, the whole server killed and started again. Every request
whose answer was lost (the connection reset or refused) is sent again as it was, key and all.

Afterwards: no valid request was answered with a server error; every bridge went out once and came back once (one
disbursement entry, one receipt, one event per step); the reconciliation and the audit chain are clean.

``make test`` runs a short variant (12 clients, 15 seconds); ``make load`` the full one (50 clients, 60 seconds).
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from loanfund import clock
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, JournalEntry, Receipt
from loanfund.services.books.reconcile import reconcile
from loanfund.services.record import audit
from tests.conftest import DEMO_PASSWORD
from tests.factories import city_fund_id

pytestmark = [pytest.mark.both_databases, pytest.mark.postgres_only, pytest.mark.long(postgresql=35)]

FULL = bool(os.environ.get("LOAD_FAULT_FULL"))
CLIENTS = 50 if FULL else 12
SECONDS = 60.0 if FULL else 15.0
WORKERS = 4
ROOT = Path(__file__).resolve().parents[2]
GUNICORN = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "--timeout", "60", "--graceful-timeout", "5"]
LOST = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# the reviewer's credit check (第八、十五条); the 征信 report stands in by the reason
FINDINGS = {
    "credit_adverse": "none",
    "credit_industry": "fits",
    "credit_operating": "good",
    "credit_check_note": "征信正常",
    "note": "材料齐全",
    "missing_materials_reason": "征信报告原件已核",
}


class Gunicorn:
    """``gunicorn -w 4 wsgi:app`` in a process group of its own, on the test's database."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.environment = os.environ | {
            "DATABASE_URL": database_url,
            "LOANFUND_CONFIG": "test",  # the test configuration's cheap password hashing; the database is the real one
            "SECRET_KEY": "load-and-fault-" + "k" * 40,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*GUNICORN, "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT,
                env=self.environment,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/api/v1/openapi.json")[0] == 200 and len(self.workers()) == WORKERS:
                    return
            except LOST:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def workers(self) -> list[int]:
        assert self.process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill_worker(self) -> None:
        """SIGKILL one worker, whatever it is doing; the master starts another."""
        os.kill(random.choice(self.workers()), signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        for pid in self.workers() if self.process is not None else []:
            os.kill(pid, signal.SIGKILL)


def request(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if isinstance(body, bytes):
            payload = body
        else:
            payload = None if body is None else json.dumps(body, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"} | (headers or {})
        connection.request(method, path, body=payload, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw and raw[:1] in b"{[" else {})
    finally:
        connection.close()


def multipart(category: str, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n{category}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + b"%PDF-1.4\n%load\n\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Run:
    """What the clients saw: answers by status, server errors, answers lost and sent again, bridges finished."""

    def __init__(
        self, server: Gunicorn, tokens: dict[str, str], banks: dict[str, int], fund: str | None = None
    ) -> None:
        self.server, self.tokens, self.banks = server, tokens, banks
        self.fund = fund  # the fund applied to, where the enterprise's county has more than one (the demo platform)
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.lost = 0
        self.started: list[int] = []
        self.finished: list[int] = []
        self.failures: list[str] = []
        self.stop_at = time.monotonic() + SECONDS
        self.contracts = itertools.count(1)

    def send(self, user: str, method: str, path: str, body: Any = None, key: bool = True, upload: tuple | None = None):  # type: ignore[no-untyped-def,type-arg]
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        if key:
            headers["Idempotency-Key"] = f"load-{uuid.uuid4().hex}"
        if upload is not None:
            body, headers["Content-Type"] = upload
        for _ in range(600):  # a server restart takes seconds; a lost answer is sent again, the same in every byte
            try:
                status, answer = request(self.server.port, method, f"/api/v1{path}", body, headers)
            except LOST:
                with self.lock:
                    self.lost += 1
                time.sleep(0.1)
                continue
            with self.lock:
                self.statuses[status] += 1
                if status >= 500:
                    self.server_errors.append(f"{method} {path} → {status} {answer}")
            return status, answer
        raise AssertionError(f"{method} {path}: no answer after a minute of retries")

    def bridge(self, number: int) -> None:
        """One bridge from application to archive, each step by its role, with reads in between."""
        enterprise = f"ent{number % 3 + 1}"
        bank_user = "bank1" if number % 2 == 0 else "bank2"
        today = clock.today()
        status, body = self.send(
            enterprise,
            "POST",
            "/applications",
            {
                "bank_id": self.banks[bank_user],
                "loan_contract_no": f"负载借字第{number}-{next(self.contracts)}号",
                "loan_amount_due": "1500000.00",
                "loan_due_date": (today + timedelta(days=2)).isoformat(),
                "loan_overdue": False,
                "requested_amount": "1000000.00",
                "requested_days": 3,
                "own_funds": "500000.00",
                "purpose": "归还到期流动资金贷款",
            }
            | ({"fund": self.fund} if self.fund else {}),
        )
        assert status == 201, body
        a = body["id"]
        with self.lock:
            self.started.append(a)
        for category in ("licence", "loan_contract", "financials"):
            self.expect(
                201,
                enterprise,
                "POST",
                f"/applications/{a}/materials",
                key=False,
                upload=multipart(category, f"{category}.pdf"),
            )
        self.read(enterprise)
        self.step("reviewer", a, "accept", FINDINGS | {"credit_report_date": today.isoformat()}, "accepted")
        self.expect(
            201,
            bank_user,
            "POST",
            f"/applications/{a}/materials",
            key=False,
            upload=multipart("commitment", "承诺函.pdf"),
        )
        self.step(bank_user, a, "commit", {"committed_amount": "1500000.00", "opinion": "同意续贷"}, "bank_committed")
        self.read("operator")
        self.step("operator", a, "approve", {"amount": "1000000.00", "own_funds_confirmed": "500000.00"}, "approved")
        self.step(
            "operator",
            a,
            "prepare-disbursement",
            {"value_date": today.isoformat(), "transfer_ref": f"HK{a}"},
            "approved",
        )
        self.step("operator2", a, "authorise-disbursement", {}, "disbursed")
        self.read(bank_user)
        _, now = self.send(bank_user, "GET", f"/applications/{a}", key=False)
        principal = now["approved_amount"]
        fee = fee_of(now)
        self.step(
            bank_user,
            a,
            "confirm-return",
            {"received_on": today.isoformat(), "principal": principal, "fee": fee, "transfer_ref": f"HS{a}"},
            "repaid",
        )
        self.step("operator", a, "archive", {}, "archived")
        with self.lock:
            self.finished.append(a)

    def step(self, user: str, a: int, action: str, body: dict[str, Any], lands: str) -> None:
        status, answer = self.send(user, "POST", f"/applications/{a}/{action}", body)
        if status != 200 or answer.get("state") != lands:
            with self.lock:
                self.failures.append(f"{action} on {a} by {user}: {status} {answer}")
            raise StepFailed

    def expect(self, wanted: int, *args: Any, **kwargs: Any) -> None:
        status, answer = self.send(*args, **kwargs)
        if status != wanted:
            with self.lock:
                self.failures.append(f"{args[1]} {args[2]}: {status} {answer}")
            raise StepFailed

    def read(self, user: str) -> None:
        for path in ("/applications?per_page=20", "/banks", "/messages"):
            self.expect(200, user, "GET", path, key=False)

    def client(self, index: int) -> None:
        number = index
        while time.monotonic() < self.stop_at:
            try:
                self.bridge(number)
            except StepFailed:
                return
            number += CLIENTS


class StepFailed(Exception):
    pass


def fee_of(application: dict[str, Any]) -> str:
    """The fee outstanding: what is owed less the principal (both exact decimals in yuan, as text)."""
    from decimal import Decimal

    return str(Decimal(application["outstanding"]) - Decimal(application["approved_amount"]))


def token(port: int, username: str) -> str:
    basic = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    status, body = request(port, "POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    assert status == 201, body
    return str(body["token"])


def test_bridges_under_load_survive_a_killed_worker_and_a_killed_server(app, people, tmp_path):
    db.session.commit()
    server = Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "gunicorn.log")
    server.start()
    try:
        users = ("ent1", "ent2", "ent3", "reviewer", "operator", "operator2", "bank1", "bank2")
        tokens = {name: token(server.port, name) for name in users}
        banks = {"bank1": people["bank1"].bank_id, "bank2": people["bank2"].bank_id}
        run = Run(server, tokens, banks)
        threads = [threading.Thread(target=run.client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS / 3)
        server.kill_worker()  # one worker, mid-request or not
        time.sleep(SECONDS / 3)
        server.kill()  # everything at once
        time.sleep(1)
        server.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 240)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        server.kill()

    assert run.server_errors == []
    assert run.failures == []
    assert len(run.finished) >= CLIENTS  # each client took at least one bridge from application to archive
    db.session.rollback()
    archived = set(db.session.scalars(select(Application.id).where(Application.state == "archived")))
    assert set(run.finished) <= archived
    # an application whose answer was lost and was sent again is still one application
    assert sorted(db.session.scalars(select(Application.id))) == sorted(run.started)
    for a in run.finished:  # each movement once: one disbursement, one receipt, one event per step
        keys = list(db.session.scalars(select(JournalEntry.key).where(JournalEntry.key.like(f"%:{a}"))))
        assert sum(k.startswith("disbursement:") for k in keys) == 1, (a, keys)
        assert db.session.scalar(select(func.count()).select_from(Receipt).where(Receipt.application_id == a)) == 1
        actions = Counter(
            db.session.scalars(select(ApplicationEvent.action).where(ApplicationEvent.application_id == a))
        )
        assert max(actions.values()) == 1, (a, actions)
    result = reconcile(city_fund_id())
    assert result.ok, [c for c in result.checks if not c.ok]
    assert audit.verify().ok
    print(f"{len(run.finished)} bridges; answers {dict(run.statuses)}; {run.lost} answers lost and sent again")
