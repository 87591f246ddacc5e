"""How the application list scales: time per request and queries per request at N and 10×N applications.

Run: `make bench` (or `.venv/bin/python bench/list_scaling.py [N]`). Prints the ratios; nothing is asserted — the
tests hold the query count constant (tests/api/test_query_counts.py), this shows what the time does.
Uses a SQLite file under a temporary folder, the demo people, and the lifecycle services to make the data.
"""

from __future__ import annotations

import base64
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import event, select

from loanfund import clock
from loanfund.app import create_app
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Bank, User
from loanfund.services import lifecycle
from loanfund.services.capital import contributor_named, record_contribution
from loanfund.services.demo import seed_demo

PASSWORD = "bench-pass-1"


def make_applications(count: int) -> None:
    users = {u.username: u for u in db.session.scalars(select(User))}
    bank = db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))
    assert bank is not None
    for n in range(count):
        data = lifecycle.ApplicationInput(
            bank_id=bank.id,
            loan_contract_no=f"B{n}",
            loan_amount_due=Money.yuan(1_000_000),
            loan_due_date=clock.today(),
            loan_overdue=False,
            requested_amount=Money.yuan(800_000),
            requested_days=3,
            own_funds=Money.yuan(200_000),
            purpose="bench",
        )
        application = lifecycle.submit_application(users[f"ent{n % 3 + 1}"], data)
        if n % 2:
            lifecycle.accept(users["reviewer"], application.id)
            lifecycle.commit(users["bank1"], application.id, Money.yuan(1_000_000), "同意")
            lifecycle.approve(users["operator"], application.id, Money.yuan(800_000), Money.yuan(200_000))
            lifecycle.prepare_disbursement(users["operator"], application.id, clock.today(), f"H{n}")
            lifecycle.authorise_disbursement(users["operator2"], application.id)


def measure(app, rounds: int = 15) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    basic = base64.b64encode(f"operator:{PASSWORD}".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    queries: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    timings = []
    for _ in range(rounds):
        queries.clear()
        start = time.perf_counter()
        response = client.get("/api/v1/applications?per_page=100", headers=headers)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(timings), len(queries)


def run(size: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
        with app.app_context():
            upgrade()
            seed_demo(PASSWORD, with_applications=False)
            record_contribution(contributor_named("bench", "private"), Money.yuan(10_000_000_000), date(2026, 1, 1))
            make_applications(size)
            db.session.remove()
        return measure(app)


def main() -> None:
    small = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    large = small * 10
    t_small, q_small = run(small)
    t_large, q_large = run(large)
    print("GET /api/v1/applications?per_page=100 on SQLite (median of 15)")
    print(f"  {small:>5} applications: {t_small * 1000:7.1f} ms, {q_small} queries")
    print(f"  {large:>5} applications: {t_large * 1000:7.1f} ms, {q_large} queries")
    print(
        f"  ratio (10× the applications, a page of up to 100 rows): time ×{t_large / t_small:.2f}, "
        f"queries ×{q_large / q_small:.2f}"
    )


if __name__ == "__main__":
    main()
