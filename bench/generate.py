"""Fill a database with a fund at work, fast: applications in every state over a span of days, with their events,
receipts, ledger entries and the special account's position — consistent with the rules (R1–R4 fees, R8 cash,
maker–checker) so that ``flask --app wsgi loanfund reconcile`` passes on what it makes.

Run: ``.venv/bin/python bench/generate.py --applications 100000 [--database URL] [--days 365] [--end 2026-11-30]``
(a migrated database; the demo's people, banks and policy are created when missing). The benchmarks and the query
count tests call ``generate()`` directly. Rows go in by bulk INSERTs with ids assigned here, a batch at a time; it is a
data loader, not a user of the fund, so the lifecycle services are not run for each step.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text, update

from loanfund import clock
from loanfund.domain import ledger as books
from loanfund.domain.eligibility import classify_size, credit_code_check_character
from loanfund.domain.lifecycle import Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.rules import due_date, fee_for
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    Bank,
    Enterprise,
    FundBalance,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    Receipt,
    User,
)
from loanfund.services import funds
from loanfund.services.books import fund, ledger
from loanfund.services.books import reserved as reservations
from loanfund.services.books.capital import contributor_named, record_contribution
from loanfund.services.lifecycle import bridges
from loanfund.services.oversight import time_limits
from loanfund.services.policies import policy_version_in_force
from loanfund.services.reports import cohorts

# share of applications ending in each state (the rest of the path is implied by the state)
MIX: tuple[tuple[State, int], ...] = (  # per thousand: few bridges go bad (a fund with many would have stopped)
    (State.ARCHIVED, 628),
    (State.REPAID, 60),
    (State.REJECTED, 150),
    (State.WITHDRAWN, 60),
    (State.BANK_DECLINED, 70),
    (State.CANCELLED, 28),
    (State.RECOVERY, 3),
    (State.WRITTEN_OFF, 1),
)
# the newest applications are still moving: these states only in the last RECENT_DAYS days of the span — as many
# applications as those days' share of the span (a fund of a million over five years has some 5,500 in flight)
RECENT_DAYS = 10
RECENT: tuple[tuple[State, int], ...] = (
    (State.SUBMITTED, 3),
    (State.ACCEPTED, 3),
    (State.BANK_COMMITTED, 3),
    (State.APPROVED, 3),
    (State.DISBURSED, 4),
    (State.RENEWED, 6),
)
INDUSTRIES = ("industry", "industry", "industry", "wholesale", "retail", "construction", "software", "agriculture")
BATCH = 5_000


@dataclass
class Generated:
    applications: int = 0
    enterprises: int = 0
    events: int = 0
    receipts: int = 0
    entries: int = 0
    seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock_time(hour), tzinfo=clock.FUND_TZ).astimezone(UTC)


class _Ids:
    """The next free id of each table (rows get their ids here, so events and entries can point at them)."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, model: Any) -> int:
        table = model.__tablename__
        if table not in self.next:
            self.next[table] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        value = self.next[table]
        self.next[table] += 1
        return value


def _cast() -> dict[str, User]:
    users = {u.username: u for u in db.session.scalars(select(User))}
    if "operator" not in users or "operator2" not in users:
        from loanfund.services.demo import seed_demo

        seed_demo(with_applications=False)
        users = {u.username: u for u in db.session.scalars(select(User))}
    return users


def generate(
    applications: int,
    *,
    end: date,
    days: int = 365,
    seed: int = 20181227,
    mix: tuple[tuple[State, int], ...] = MIX,
    progress: Callable[[int], None] | None = None,
) -> Generated:
    """Add ``applications`` applications submitted over the ``days`` days ending ``end`` (Lianyungang's days), with
    everything that goes with them. ``mix``: the share of each state the older applications end in (the newest
    are still moving). Commits a batch at a time."""
    started = time.perf_counter()
    rng = random.Random(seed)
    users = _cast()
    staff = {role: next(u for u in users.values() if u.role == role.value) for role in (Role.REVIEWER, Role.GROUP)}
    operator, checker = users["operator"], users["operator2"]
    fund_id = operator.fund_id  # the generated applications are the demo staff's fund's
    banks = list(db.session.scalars(select(Bank).where(Bank.fund_id == fund_id).order_by(Bank.id)))  # its own
    bank_users = {u.bank_id: u for u in users.values() if u.role == Role.BANK.value}
    ids = _Ids()
    result = Generated()
    start = end - timedelta(days=days - 1)

    enterprises = _enterprises(rng, max(3, applications // 4), ids)
    result.enterprises = len(enterprises)
    cash_id = ledger.account(fund_id, books.CASH).id
    fee_id = ledger.account(fund_id, books.FEE_INCOME).id
    losses_id = ledger.account(fund_id, books.LOSSES).id
    db.session.commit()

    cash_moves: dict[date, int] = {}  # fen in (+) and out (−) of the special account, by day
    reserved = 0  # fen promised to approvals still waiting for their money (R8)

    policies: dict[date, Any] = {}

    def policy_on(day: date) -> Any:
        if day not in policies:
            policies[day] = policy_version_in_force(fund_id, day)
        return policies[day]

    rows: dict[str, list[dict[str, Any]]] = {}

    def add(kind: str, row: dict[str, Any]) -> None:
        rows.setdefault(kind, []).append(row)

    def flush_rows() -> None:
        if db.session.get_bind().dialect.name == "postgresql":
            # a loader, like a restore: made-up history written straight to the tables as their owner, past the
            # triggers that refuse a protected row without its audit record (a generated fund is not audited)
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        for model in (LedgerAccount, Application, ApplicationEvent, Receipt, JournalEntry, JournalLeg):
            _bulk_insert(model, rows.pop(model.__tablename__, []))
        db.session.commit()

    def event(
        app_id: int,
        actor: User | None,
        role: Role,
        at: datetime,
        action: Action,
        before: State | None,
        after: State,
        note: str = "",
        **payload: Any,
    ) -> None:
        result.events += 1
        add(
            "application_events",
            {
                "id": ids.take(ApplicationEvent),
                "application_id": app_id,
                "actor_id": actor.id if actor else None,
                "actor_role": role.value,
                "at": at,
                "action": action.value,
                "from_state": before.value if before else None,
                "to_state": after.value,
                "note": note,
                "payload": payload,
            },
        )

    def entry(
        key: str, on: date, description: str, app_id: int, legs: list[tuple[int, Money, Money]], bank_ref: str | None
    ) -> None:
        result.entries += 1
        entry_id = ids.take(JournalEntry)
        add(
            "journal_entries",
            {
                "id": entry_id,
                "fund_id": fund_id,
                "key": key,
                "posted_on": on,
                "description": description,
                "bank_ref": bank_ref,
                "application_id": app_id,
                "created_by_id": operator.id,
                "created_at": _moment(on, 16),
            },
        )
        for account_id, debit, credit in legs:
            add(
                "journal_legs",
                {
                    "id": ids.take(JournalLeg),
                    "fund_id": fund_id,
                    "entry_id": entry_id,
                    "account_id": account_id,
                    "debit": debit,
                    "credit": credit,
                },
            )

    for n in range(applications):
        recent = n >= applications * (1 - min(1.0, RECENT_DAYS / days))
        weights = RECENT if recent else mix
        state = rng.choices([s for s, _ in weights], weights=[w for _, w in weights])[0]
        result.by_state[state.value] = result.by_state.get(state.value, 0) + 1
        # spread over the span in order; the recent ones and the bridges still out in the last days
        if recent or state in (State.RECOVERY, State.WRITTEN_OFF):
            back = rng.randint(0, RECENT_DAYS - 1) if recent else rng.randint(25, 400)
            submitted_on = max(start, end - timedelta(days=back))
        else:
            submitted_on = start + timedelta(days=(n * days) // applications)
            submitted_on = min(submitted_on, end - timedelta(days=14))
            submitted_on = max(submitted_on, start)
        enterprise = enterprises[rng.randrange(len(enterprises))]
        bank = banks[rng.randrange(len(banks))]
        bank_user = bank_users.get(bank.id)
        version, policy = policy_on(submitted_on)
        amount = Money.yuan(rng.randint(50, 2_000) * 10_000)
        due = Money(amount.fen * 5 // 4)  # the loan due: the bridge is 80 % of it (R5), the rest own funds
        requested_days = rng.randint(2, policy.max_days)
        app_id = ids.take(Application)
        row: dict[str, Any] = {
            "id": app_id,
            "fund_id": fund_id,
            "enterprise_id": enterprise,
            "bank_id": bank.id,
            "policy_version_id": version.id,
            "state": state.value,
            "version": 1,
            "loan_contract_no": f"借字{submitted_on:%Y}第{app_id:07d}号",
            "loan_amount_due": due,
            "loan_due_date": submitted_on + timedelta(days=2),
            "loan_overdue": False,
            "requested_amount": amount,
            "requested_days": requested_days,
            "own_funds_planned": due - amount,
            "purpose": "归还到期流动资金贷款",
            "submitted_at": _moment(submitted_on, 9),
            "created_at": _moment(submitted_on, 9),
            "updated_at": _moment(submitted_on, 9),
        }
        day = submitted_on
        event(app_id, None, Role.ENTERPRISE, _moment(day, 9), Action.SUBMIT, None, State.SUBMITTED)
        if state is State.SUBMITTED:
            add("applications", row)
            continue
        if state is State.REJECTED:
            row |= {
                "review_note": "材料不全",
                "reviewed_at": _moment(day, 11),
                "reviewed_by_id": staff[Role.REVIEWER].id,
            }
            event(
                app_id,
                staff[Role.REVIEWER],
                Role.REVIEWER,
                _moment(day, 11),
                Action.REJECT,
                State.SUBMITTED,
                State.REJECTED,
                "材料不全",
            )
            add("applications", row)
            continue
        if state is State.WITHDRAWN:
            event(
                app_id,
                None,
                Role.ENTERPRISE,
                _moment(day, 15),
                Action.WITHDRAW,
                State.SUBMITTED,
                State.WITHDRAWN,
                "企业已自行筹款",
            )
            add("applications", row)
            continue
        row |= {
            "review_note": "材料齐全",
            "credit_check_note": "人行征信无不良记录",
            "credit_report_date": day,
            "credit_adverse": "none",
            "credit_industry": "fits",
            "credit_operating": "good",
            "reviewed_at": _moment(day, 10),
            "reviewed_by_id": staff[Role.REVIEWER].id,
        }
        event(
            app_id,
            staff[Role.REVIEWER],
            Role.REVIEWER,
            _moment(day, 10),
            Action.ACCEPT,
            State.SUBMITTED,
            State.ACCEPTED,
            "材料齐全",
        )
        if state is State.ACCEPTED:
            add("applications", row)
            continue
        if state is State.BANK_DECLINED:
            event(
                app_id,
                bank_user,
                Role.BANK,
                _moment(day, 14),
                Action.DECLINE,
                State.ACCEPTED,
                State.BANK_DECLINED,
                "不同意续贷",
            )
            add("applications", row)
            continue
        row |= {
            "committed_amount": due,
            "bank_opinion": "同意续贷",
            "bank_officer": bank.officer_name,
            "bank_seal_ref": f"承诺函{app_id}",
            "committed_at": _moment(day, 14),
            "committed_by_id": bank_user.id if bank_user else None,
        }
        event(
            app_id,
            bank_user,
            Role.BANK,
            _moment(day, 14),
            Action.COMMIT,
            State.ACCEPTED,
            State.BANK_COMMITTED,
            "同意续贷",
        )
        if state is State.BANK_COMMITTED:
            add("applications", row)
            continue
        row |= {
            "approved_amount": amount,
            "own_funds_confirmed": due - amount,
            "approved_on": day,
            "approved_by_id": operator.id,
        }
        event(
            app_id,
            operator,
            Role.OPERATOR,
            _moment(day, 16),
            Action.APPROVE,
            State.BANK_COMMITTED,
            State.APPROVED,
            amount=amount.plain(),
        )
        if state is State.APPROVED:
            reserved += amount.fen
            add("applications", row)
            continue
        if state is State.CANCELLED:
            event(
                app_id,
                operator,
                Role.OPERATOR,
                _moment(day, 17),
                Action.CANCEL,
                State.APPROVED,
                State.CANCELLED,
                "企业已自行筹款",
            )
            add("applications", row)
            continue
        value_date = min(day + timedelta(days=1), end)  # nothing happens after the span's last day
        row |= {
            "value_date": value_date,
            "disbursement_ref": f"HK{app_id:08d}",
            "destination_account_name": bank.account_name,
            "destination_account_no": bank.account_no,
            "destination_account_bank": bank.account_bank,
            "prepared_by_id": operator.id,
            "prepared_at": _moment(value_date, 9),
            "authorised_by_id": checker.id,
            "authorised_at": _moment(value_date, 10),
        }
        event(
            app_id,
            operator,
            Role.OPERATOR,
            _moment(value_date, 9),
            Action.PREPARE_DISBURSEMENT,
            State.APPROVED,
            State.APPROVED,
        )
        event(
            app_id,
            checker,
            Role.OPERATOR,
            _moment(value_date, 10),
            Action.AUTHORISE_DISBURSEMENT,
            State.APPROVED,
            State.DISBURSED,
            amount=amount.plain(),
            value_date=value_date.isoformat(),
        )
        receivable_id = ids.take(LedgerAccount)
        name, kind = books.describe(books.receivable(app_id))
        add(
            "ledger_accounts",
            {
                "id": receivable_id,
                "fund_id": fund_id,
                "code": books.receivable(app_id),
                "name": name,
                "kind": kind.value,
            },
        )
        cash_moves[value_date] = cash_moves.get(value_date, 0) - amount.fen
        entry(
            f"disbursement:{app_id}",
            value_date,
            "应急转贷资金划出",
            app_id,
            [(receivable_id, amount, Money(0)), (cash_id, Money(0), amount)],
            f"HK{app_id:08d}",
        )
        if state is State.DISBURSED:
            add("applications", row)
            continue
        if state in (State.RECOVERY, State.WRITTEN_OFF):
            overdue_from = due_date(policy, value_date) + timedelta(days=1)
            row |= {"recovery_plan": "约谈企业，督促银行续贷", "recovery_opened_on": overdue_from}
            event(
                app_id,
                operator,
                Role.OPERATOR,
                _moment(overdue_from, 10),
                Action.OPEN_RECOVERY,
                State.DISBURSED,
                State.RECOVERY,
                "约谈企业，督促银行续贷",
            )
            if state is State.WRITTEN_OFF:
                off = overdue_from + timedelta(days=20)
                row["written_off_on"] = off
                event(
                    app_id,
                    staff[Role.GROUP],
                    Role.GROUP,
                    _moment(off, 10),
                    Action.WRITE_OFF,
                    State.RECOVERY,
                    State.WRITTEN_OFF,
                    "经领导小组决定核销",
                )
                entry(
                    f"write_off:{app_id}",
                    off,
                    "经领导小组决定核销",
                    app_id,
                    [(losses_id, amount, Money(0)), (receivable_id, Money(0), amount)],
                    None,
                )
            add("applications", row)
            continue
        renewed_on = min(value_date + timedelta(days=rng.choice((0, 1, 1, 2, 2, 3))), end)
        row |= {
            "new_loan_contract_no": f"新借字{app_id:07d}",
            "new_loan_amount": due,
            "renewed_on": renewed_on,
            "renewal_late": (renewed_on - value_date).days > policy.renewal_sla_days,
        }
        event(
            app_id,
            bank_user,
            Role.BANK,
            _moment(renewed_on, 11),
            Action.CONFIRM_RENEWAL,
            State.DISBURSED,
            State.RENEWED,
        )
        if state is State.RENEWED:
            add("applications", row)
            continue
        received_on = min(renewed_on + timedelta(days=rng.randint(0, 2)), end)
        used = max((received_on - value_date).days, 1)
        fee = fee_for(policy, amount, used)
        receipt_id = ids.take(Receipt)
        add(
            "receipts",
            {
                "id": receipt_id,
                "application_id": app_id,
                "received_on": received_on,
                "principal": amount,
                "fee": fee,
                "transfer_ref": f"HS{app_id:08d}",
                "recorded_by_id": bank_user.id if bank_user else operator.id,
                "created_at": _moment(received_on, 15),
            },
        )
        result.receipts += 1
        cash_moves[received_on] = cash_moves.get(received_on, 0) + amount.fen + fee.fen
        row |= {"received_on": received_on, "fee_due": fee}
        event(
            app_id,
            bank_user,
            Role.BANK,
            _moment(received_on, 15),
            Action.CONFIRM_RETURN,
            State.RENEWED,
            State.REPAID,
            principal=amount.plain(),
            fee=fee.plain(),
        )
        entry(
            f"{books.RETURN_KEY_PREFIX}{receipt_id}",
            received_on,
            "应急转贷资金及用款费用收回",
            app_id,
            [(cash_id, amount + fee, Money(0)), (receivable_id, Money(0), amount), (fee_id, Money(0), fee)],
            f"HS{app_id:08d}",
        )
        if state is State.ARCHIVED:
            row["archived_at"] = _moment(received_on, 17)
            event(
                app_id,
                operator,
                Role.OPERATOR,
                _moment(received_on, 17),
                Action.ARCHIVE,
                State.REPAID,
                State.ARCHIVED,
                "资料已立卷归档",
            )
        add("applications", row)
        if len(rows.get("applications", ())) >= BATCH:
            flush_rows()
            if progress:
                progress(n + 1)
    flush_rows()
    result.applications = applications
    _advance_sequences()  # before the contribution: its rows take ids from the sequences
    # the legs went in by bulk, past ledger.post, which keeps the totals; the contribution's posting then adds to them
    # as every posting does
    ledger.rebuild_totals(fund_id)
    ledger.rebuild_days(fund_id)
    _contribute(fund_id, cash_moves, reserved, start)
    _settle_position(fund_id)
    bridges.rebuild(fund_id)  # the bridges out's facts, which the steps keep, made from the rows written past them
    cohorts.rebuild(fund_id)  # and the report's kept totals
    reservations.rebuild(fund_id)  # and the reservations day by day
    time_limits.rebuild(fund_id)  # and the stage times (issue 30)
    db.session.commit()
    result.seconds = time.perf_counter() - started
    return result


def _bulk_insert(model: Any, batch: list[dict[str, Any]]) -> None:
    """Rows straight to the driver: each value through its column's own bind processor (so a ``Money`` is stored
    as the fen the app writes, a time as the app stores it), then ``COPY`` on PostgreSQL or one ``executemany`` on
    SQLite — SQLAlchemy's per-row parameter handling was most of the generator's time. Columns a row leaves out take
    their defaults, as the app's inserts do."""
    if not batch:
        return
    table = model.__table__
    connection = db.session.connection()
    dialect = connection.dialect
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in batch:
        by_columns.setdefault(tuple(row), []).append(row)
    for names, group in by_columns.items():
        columns = [table.c[name] for name in names]
        for column in table.c:  # a Python-side default the row leaves out (created_at, a zero amount)
            if column.name not in names and column.default is not None and not column.primary_key:
                columns.append(column)
        processors = [column.type._cached_bind_processor(dialect) for column in columns]
        defaults = [_default_of(column) for column in columns]
        values = []
        for row in group:
            values.append(
                tuple(
                    (process(row[c.name]) if process else row[c.name])
                    if c.name in row
                    else (process(default()) if process else default())
                    for c, process, default in zip(columns, processors, defaults, strict=True)
                )
            )
        raw = connection.connection.driver_connection
        quoted = ", ".join(f'"{c.name}"' for c in columns)
        if dialect.name == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in columns)
            raw.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)


def _default_of(column: Any) -> Callable[[], Any]:
    default = column.default
    if default is None:
        return lambda: None
    if default.is_callable:
        return lambda: default.arg(None)
    return lambda: default.arg


def _contribute(fund_id: int, cash_moves: dict[date, int], reserved: int, start: date) -> None:
    """The contribution, dated before the span, that keeps the special account above zero on every day of it and
    covers what is reserved at the end (R8): the deepest need, and a tenth more (at least 200,000,000.00, the fund's
    first capital)."""
    running, lowest = 0, 0
    for day in sorted(cash_moves):
        running += cash_moves[day]
        lowest = min(lowest, running)
    need = max(-lowest, reserved - running, 0)
    yuan = max(200_000_000, (need // 100) * 11 // 10)
    contributor = contributor_named(fund_id, "测试数据出资方", "private")
    record_contribution(contributor, Money.yuan(yuan), start - timedelta(days=1), "BENCH-CAPITAL-1")


def _enterprises(rng: random.Random, count: int, ids: _Ids) -> list[int]:
    made = []
    batch: list[dict[str, Any]] = []
    taken = set(db.session.scalars(select(Enterprise.credit_code)))
    districts = [d.key for d in funds.districts()]
    for n in range(count):
        enterprise_id = ids.take(Enterprise)
        first17 = f"913207{enterprise_id:011d}"
        code = first17 + credit_code_check_character(first17)
        if code in taken:
            continue
        industry = INDUSTRIES[n % len(INDUSTRIES)]
        employees = rng.choice((8, 15, 45, 120, 280, 600))
        revenue = Money.yuan(rng.choice((2_000_000, 8_000_000, 30_000_000, 120_000_000, 600_000_000)))
        assets = Money.yuan(rng.choice((3_000_000, 20_000_000, 90_000_000, 400_000_000)))
        batch.append(
            {
                "id": enterprise_id,
                "name": f"连云港基准测试企业{enterprise_id:06d}有限公司",
                "credit_code": code,
                "district": districts[n % len(districts)],
                "industry": industry,
                "employees": employees,
                "revenue": revenue,
                "assets": assets,
                "size": classify_size(industry, employees, revenue, assets).value,
                "legal_representative": "张三",
                "contact_name": "李四",
                "contact_phone": "0518-85800000",
                "address": "连云港市",
            }
        )
        made.append(enterprise_id)
        if len(batch) >= BATCH:
            db.session.execute(insert(Enterprise), batch)
            batch = []
    if batch:
        db.session.execute(insert(Enterprise), batch)
    return made


def _settle_position(fund_id: int) -> None:
    """The special account's position as the ledger and the approvals now say (a loader writes the books directly, so
    it sets the cache they keep — the reconciliation checks the two agree)."""
    cash = ledger.balance(fund_id, books.CASH)
    reserved = db.session.scalar(
        select(func.coalesce(func.sum(Application.approved_amount), 0)).where(
            Application.fund_id == fund_id, Application.state == State.APPROVED.value
        )
    )
    fund.ensure_fund_row(fund_id)
    reserved_fen = reserved.fen if isinstance(reserved, Money) else int(reserved or 0)
    db.session.execute(
        update(FundBalance).where(FundBalance.fund_id == fund_id).values(cash=cash, reserved=Money(reserved_fen))
    )
    db.session.commit()


def _advance_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move: move them past the rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (Enterprise, Application, ApplicationEvent, Receipt, JournalEntry, JournalLeg, LedgerAccount):
        table = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
        )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL or instance/loanfund.db)")
    parser.add_argument("--days", type=int, default=365, help="the span the applications are submitted over")
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="the span's last day (default: today)")
    args = parser.parse_args()
    import os

    if args.database:
        os.environ["DATABASE_URL"] = args.database
    from flask_migrate import upgrade

    from loanfund.app import create_app

    app = create_app()
    with app.app_context():
        upgrade()
        end = args.end or clock.today()
        made = generate(
            args.applications,
            end=end,
            days=args.days,
            progress=lambda n: print(f"\r{n:,} / {args.applications:,}", end="", flush=True),
        )
        print(
            f"\n{made.applications:,} applications, {made.enterprises:,} enterprises, {made.events:,} events, "
            f"{made.receipts:,} receipts, {made.entries:,} journal entries in {made.seconds:.1f} s"
        )


if __name__ == "__main__":
    main()
