"""Random sequences of every action by every kind of user, on dates that only move forward (hypothesis'
``RuleBasedStateMachine``, issue 13): after each step DESIGN §5's invariants are recomputed from the database.

Each example starts a fund afresh (the cast of ``tests.factories`` and its first 2亿) and takes up to 40 steps:
applications submitted, every lifecycle step asked by a user of any role (the right one or not, on an application
of any state, with full or partial amounts, fresh or reused transfer references), the clock moved on, the daily
sweep, bank claims and their payments, recovery with money, capital paid in, distributions run and paid. After
every step:

- every journal entry balances; the trial balance is 0; cash is never negative and covers what is reserved;
- cash = capital + fee income − distributions paid − losses written off − open receivables − open bank claims,
  each side read from its own rows (contributions, receipts, claims and their payments, written-off applications),
  not from the ledger the cash comes from;
- a repaid or archived application has no receivable left; the fund's position row agrees with the ledger;
- a step refused — by role, state or rule — changed nothing: the application, the books, the events;
- a step the lifecycle table (DESIGN §3) does not give to the user's role is refused, always;
- each enterprise sees only its own applications and each bank only those forwarded to it;
- at the end of each example the reconciliation is clean and the audit chain verifies.

300 examples × 40 steps on SQLite and 100 × 40 on PostgreSQL in ``make test`` (each run derandomized: the same
sequences every time, until this code changes); ``make soak`` runs 2,000 on both and draws new ones.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import (
    CursorResult,
    Executable,
    ScalarSelect,
    String,
    cast,
    func,
    literal,
    select,
    union_all,
)

from loanfund import clock
from loanfund.domain.errors import LoanFundError
from loanfund.domain.ledger import CASH
from loanfund.domain.lifecycle import FINAL_STATES, MONEY_OUT_STATES, Action, Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    BankClaim,
    BankClaimPayment,
    Contribution,
    Distribution,
    FundBalance,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    Receipt,
    User,
)
from loanfund.services import lifecycle
from loanfund.services.access import visible_applications
from loanfund.services.books.capital import contributor_named, pay_distributions, record_contribution, run_distribution
from loanfund.services.books.reconcile import reconcile
from loanfund.services.oversight import liability, recovery_file
from loanfund.services.oversight.sweep import sweep
from loanfund.services.record import audit
from tests import factories
from tests.conftest import KeptRows, in_memory_database, pristine_postgres
from tests.factories import city_fund_id
from tests.flows import Flows, attach, credit_ok
from tests.lifecycle_table import LIFECYCLE

pytestmark = [pytest.mark.both_databases, pytest.mark.long(sqlite=40, postgresql=80)]

SOAK = bool(os.environ.get("STATE_MACHINE_SOAK"))
# 70 examples on SQLite in ``make test``, 45 on PostgreSQL: since a_path_seldom_taken drives the rare paths every
# step is taken at these counts (asserted at the end), in about the time 300/100 took when acceptance was always
# refused (issue 26; docs/decisions.md). STATE_MACHINE_SOAK runs 2,000.
EXAMPLES = {"sqlite": 70, "postgresql": 45}
STEPS = 40

TALLY: Counter[tuple[str, str]] = Counter()  # (step, taken or refused) over the run, to show what was exercised
USERNAMES = ("ent1", "ent2", "ent3", "reviewer", "operator", "operator2", "bank1", "bank2", "group", "admin")
ACTIONS = [a for a in Action if a is not Action.SUBMIT]
SIDE_EXITS = {
    Action.REJECT,
    Action.DECLINE,
    Action.GROUP_REJECT,
    Action.WITHDRAW,
    Action.CANCEL,
    Action.RETURN_PREPARATION,
}
M = Money.parse


class Start:
    """The fund each example starts from: the policy, the checklist and the cast with its first 2亿, built once per
    test and put back before each example — on SQLite by SQLite's backup API, on PostgreSQL by emptying the tables
    and inserting the rows kept from the first build (with triggers off: ``session_replication_role``, which the
    throwaway test server's superuser may set). Each takes milliseconds; building the cast again takes half a
    second on PostgreSQL, which is what it falls back to on a server where the tests' role may not set it."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.copy: sqlite3.Connection | None = None
        self.rows: KeptRows | None = None
        self.build()
        # every example starts from these same rows: the cast's ids, and the statements run after every step, are
        # worked out once (the statements as the database's own SQL, compiled once rather than at every step)
        people = {name: db.session.scalar(select(User).where(User.username == name)) for name in USERNAMES}
        self.users = {name: user.id for name, user in people.items()}  # type: ignore[union-attr]
        # the parties whose view is checked after each step, as plain (transient) users: the access filter reads
        # only their role, enterprise, bank, fund and vetting
        self.seen_as = {
            name: User(
                role=u.role, enterprise_id=u.enterprise_id, bank_id=u.bank_id, vetted=u.vetted, fund_id=u.fund_id
            )
            for name, u in people.items()
            if name in ("ent1", "ent2", "ent3", "bank1", "bank2", "admin") and u is not None
        }
        views = union_all(
            *(
                visible_applications(user).with_only_columns(literal(name).label("name"), Application.id)
                for name, user in self.seen_as.items()
            )
        )
        self.books, self.snapshot, self.views, self.forwarded = (
            driver_sql(statement) for statement in (BOOKS, SNAPSHOT, views, FORWARDED)
        )
        if backend == "sqlite":
            self.copy = sqlite3.connect(":memory:")
            with in_memory_database() as raw:
                raw.backup(self.copy)
        elif KeptRows.possible():
            self.rows = KeptRows()

    def build(self) -> None:
        """The cast on the test's pristine database (the policy and the checklist, as the ``app`` fixture gives it)."""
        db.session.remove()
        if self.backend == "postgresql":
            pristine_postgres()
        factories.cast()
        db.session.commit()

    def again(self) -> None:
        if self.copy is not None:
            with in_memory_database() as raw:
                self.copy.backup(raw)
        elif self.rows is not None:
            self.rows.put_back()
        else:
            self.build()


def sum_of(column, *where) -> Money:  # type: ignore[no-untyped-def]
    total = db.session.scalar(select(func.sum(column)).where(*where))
    return total if isinstance(total, Money) else Money(int(total or 0))


# what the run must have taken at least once (issue 26: after issue 24's credit check the machine's acceptance was
# refused every time, and for months nothing past 受理 was exercised while the run stayed green)
EVERY_STEP = (
    "submit",
    "accept",
    "reject",
    "commit",
    "decline",
    "approve",
    "group-approve",
    "group-reject",
    "withdraw",
    "cancel",
    "prepare-disbursement",
    "authorise-disbursement",
    "return-preparation",
    "confirm-renewal",
    "confirm-return",
    "open-recovery",
    "write-off",
    "archive",
    "sweep",
    "claim",
    "recovered",
    "capital",
    "distribution",
)
ROLE_USERS = {
    Role.REVIEWER: ("reviewer",),
    Role.OPERATOR: ("operator", "operator2"),
    Role.GROUP: ("group",),
}


class Fund(RuleBasedStateMachine):
    start: Start

    def __init__(self) -> None:
        super().__init__()
        self.travel = time_machine.travel("2026-03-02 09:00:00+08:00", tick=False)
        self.traveller = self.travel.start()
        self.start.again()
        self.flows = Flows(self.traveller)
        self.users = self.start.users
        self.applications: list[int] = []
        self.refs = 0

    def teardown(self) -> None:
        try:
            db.session.rollback()
            result = reconcile(city_fund_id())
            assert result.ok, [c for c in result.checks if not c.ok] + [r for r in result.receivables if not r.ok]
            verdict = audit.verify()
            assert verdict.ok, verdict
        finally:
            db.session.rollback()
            self.travel.stop()

    # -- helpers -----------------------------------------------------------------------------------------------

    def user(self, name: str) -> User:
        return db.session.get(User, self.users[name])  # type: ignore[return-value]

    def ref(self, prefix: str, reuse: bool) -> str:
        """A transfer reference: a new one, or (to try a double booking) the last one given out."""
        if not reuse or self.refs == 0:
            self.refs += 1
        return f"{prefix}{self.refs}"

    def snapshot(self) -> tuple:
        """The books, the events, the fund's position and every application's version (a change to an application
        always moves its version on), in one query."""
        return tuple(run(self.start.snapshot).one())

    def attempt(self, call, allowed: bool = True, name: str = "") -> bool:  # type: ignore[no-untyped-def]
        """Run a step; a refusal (any of the system's own errors) must leave everything as it was. ``allowed``
        False: the lifecycle table refuses it, so it must be refused."""
        before = self.snapshot()
        name = name or getattr(call, "__name__", "step")
        try:
            call()
        except LoanFundError as refusal:
            db.session.rollback()
            assert self.snapshot() == before, "a refused step changed something"
            TALLY[(name, f"refused: {refusal.code}")] += 1
            return False
        assert allowed, "a step the lifecycle table does not give to this role was taken"
        TALLY[(name, "taken")] += 1
        return True

    def application(self, pick: int, *, open_only: bool = False, states: frozenset[State] = frozenset()) -> Application:
        """One of this example's applications; ``open_only``: one still going, when there is one; ``states``: one in
        those states, when there is one (a claim wants money out, a recovery an overdue bridge)."""
        chosen = self.applications
        if states:
            held = list(
                db.session.scalars(
                    select(Application.id)
                    .where(Application.id.in_(self.applications), Application.state.in_([s.value for s in states]))
                    .order_by(Application.id)
                )
            )
            chosen = held or chosen
        if open_only:
            going = list(
                db.session.scalars(
                    select(Application.id)
                    .where(Application.id.in_(self.applications), Application.state.not_in(FINAL))
                    .order_by(Application.id)
                )
            )
            chosen = going or chosen
        return db.session.get(Application, chosen[pick % len(chosen)])  # type: ignore[return-value]

    def going(self) -> int:
        return int(
            db.session.scalar(
                select(func.count()).where(Application.id.in_(self.applications), Application.state.not_in(FINAL))
            )
            or 0
        )

    # -- rules -------------------------------------------------------------------------------------------------

    APPLICATION = dict(
        enterprise=st.sampled_from(["ent1", "ent2", "ent3"]),
        bank=st.sampled_from(["ICBC-LYG", "JSB-LYG"]),
        yuan=st.integers(min_value=100_000, max_value=48_000_000),
        days=st.integers(min_value=1, max_value=10),
        large=st.booleans(),
    )

    @initialize(**APPLICATION)
    def first_application(self, enterprise: str, bank: str, yuan: int, days: int, large: bool) -> None:
        """Every example has an application to act on from its first step."""
        self.submit(enterprise, bank, yuan, days, large)

    @precondition(lambda self: self.going() < 3)  # a few bridges at a time, each taken far
    @rule(**APPLICATION)
    def submit(self, enterprise: str, bank: str, yuan: int, days: int, large: bool) -> None:
        """An enterprise applies; large ones (own funds under 10 %) go to the group when approved (R7)."""
        amount = Money.yuan(yuan)
        own = Money.yuan(max(1, yuan // 9)) if large else Money.yuan(yuan // 3 + 1)

        def submit() -> None:
            application = self.flows.submit(
                enterprise=enterprise,
                bank_code=bank,
                amount=amount.format(),
                loan_due=(amount + own).format(),
                own_funds=own.format(),
                days=days,
            )
            self.applications.append(application.id)

        self.attempt(submit)

    @precondition(lambda self: self.applications)
    @rule(
        pick=st.integers(min_value=0, max_value=1_000),
        choices=st.lists(st.integers(min_value=0, max_value=1_000), min_size=1, max_size=4),
        part=st.sampled_from(["full", "full", "full", "less", "more"]),
        reuse=st.integers(min_value=0, max_value=9).map(lambda n: n == 0),
    )
    def onwards(self, pick: int, choices: list[int], part: str, reuse: bool) -> None:
        """Up to four of the steps DESIGN §3 allows from the application's state, one after the other, each by a
        user of a role that takes it — mostly onwards, now and then a side exit; the invariants after each."""
        for number, choice in enumerate(choices):
            if number:
                self.invariants_hold()
            a = self.application(pick, open_only=True)
            open_steps = [
                (action, roles)
                for (state, action), (roles, _, _) in sorted(LIFECYCLE.items())
                if state is a.state_enum
                for _ in range(1 if action in SIDE_EXITS else 6)
            ]
            if not open_steps:
                return
            action, roles = open_steps[choice % len(open_steps)]
            candidates = [name for role in sorted(roles) for name in self.role_users(role, a)]
            self.take(a, action, candidates[choice % len(candidates)], part, reuse)

    def invariants_hold(self) -> None:
        self.the_books_hold()
        self.nothing_is_seen_across_parties()

    @precondition(lambda self: self.applications)
    @rule(
        pick=st.integers(min_value=0, max_value=1_000),
        action=st.sampled_from(ACTIONS),
        who=st.sampled_from(USERNAMES),
        part=st.sampled_from(["full", "less", "more"]),
        reuse=st.booleans(),
    )
    def any_step(self, pick: int, action: Action, who: str, part: str, reuse: bool) -> None:
        """Any step by anyone, on an application in any state: most are refused, and change nothing."""
        self.take(self.application(pick), action, who, part, reuse)

    def role_users(self, role: Role, a: Application) -> tuple[str, ...]:
        if role is Role.ENTERPRISE:
            return (next(n for n in ("ent1", "ent2", "ent3") if self.user(n).enterprise_id == a.enterprise_id),)
        if role is Role.BANK:
            return ("bank1" if self.user("bank1").bank_id == a.bank_id else "bank2",)
        return ROLE_USERS[role]

    def take(self, a: Application, action: Action, who: str, part: str, reuse: bool) -> None:
        actor = self.user(who)
        row = LIFECYCLE.get((a.state_enum, action))
        sees = db.session.scalar(visible_applications(actor).where(Application.id == a.id)) is not None
        allowed = row is not None and actor.role_enum in row[0] and sees
        inputs = self.inputs(action, a, part, reuse)
        application_id = a.id
        if action is Action.COMMIT and actor.role_enum is Role.BANK and sees:  # the signed commitment letter first
            self.attempt(lambda: attach(actor, a, ("commitment",)), name="commitment letter")
        if action is Action.ACCEPT and actor.role_enum is Role.REVIEWER and sees:  # the 征信 report on file first
            self.attempt(lambda: attach(actor, a, ("credit_report",)), name="credit report")
        step = lambda: lifecycle.take(actor, application_id, action, **inputs)  # noqa: E731
        if self.attempt(step, allowed, action.value):
            assert row is not None
            landed = db.session.get(Application, application_id).state_enum  # type: ignore[union-attr]
            assert landed in (row[1], row[2]), (action, landed)  # where the table says, or its alternative

    def inputs(self, action: Action, a: Application, part: str, reuse: bool) -> dict[str, object]:
        today = clock.today()
        nudge = {"full": Money.zero(), "less": Money(-100), "more": Money(100)}[part]
        if action is Action.ACCEPT:  # the reviewer's findings (第八条) for an enterprise the fund may serve
            return credit_ok("征信正常", "材料齐全")
        if action is Action.REJECT:
            return {"note": "不符合条件"}
        if action is Action.COMMIT:  # the renewal the bank commits to, enough for the bridge under R5's cap
            committed = max(a.requested_amount.fen * 5 // 4, a.loan_amount_due.fen)
            return {"committed_amount": Money(committed) + nudge, "opinion": "同意续贷"}
        if action is Action.DECLINE:
            return {"opinion": "不同意续贷"}
        if action is Action.APPROVE:
            amount = a.requested_amount + nudge
            return {"amount": amount, "own_funds_confirmed": a.loan_amount_due - amount}
        if action in (Action.GROUP_APPROVE, Action.GROUP_REJECT, Action.WRITE_OFF):
            return {"minutes_ref": "纪要"}
        if action in (Action.WITHDRAW, Action.CANCEL, Action.RETURN_PREPARATION):
            return {"reason": "情况变化"}
        if action is Action.PREPARE_DISBURSEMENT:
            return {"value_date": today, "transfer_ref": self.ref("HK", reuse)}
        if action is Action.AUTHORISE_DISBURSEMENT:
            return {}
        if action is Action.CONFIRM_RENEWAL:
            committed = a.committed_amount or a.loan_amount_due
            return {"new_loan_contract_no": "续贷合同", "new_loan_amount": committed + nudge, "renewed_on": today}
        if action is Action.CONFIRM_RETURN:
            account = lifecycle.account_of(a)
            principal = account.principal_outstanding if account else Money(100)
            fee = account.fee_outstanding if account else Money.zero()
            return {
                "received_on": today,
                "principal": max(principal + nudge, Money.zero()),
                "fee": fee,
                "transfer_ref": self.ref("HS", reuse),
            }
        if action is Action.OPEN_RECOVERY:
            return {"plan": "追偿方案"}
        return {}  # archive

    @rule(
        path=st.sampled_from(["large", "unpaid", "renewed", "declined", "rejected", "withdrawn", "cancelled"]),
        back=st.sampled_from(["some", "none"]),
        approve=st.booleans(),
    )
    def a_path_seldom_taken(self, path: str, back: str, approve: bool) -> None:
        """Every path, driven on a new bridge (random sequences reach some seldom, and which they reach depends on
        what the database hands out): a large request the group approves or rejects (R6); a reviewer's or a bank's
        refusal; a withdrawal; a cancellation; money out, renewed, returned and archived; or money out that the bank
        never renews — past the due date the operator holds the bank liable (R12), opens recovery, records what comes
        back, and the group writes off the rest. Each step by the party the lifecycle table gives it to."""
        start = {
            "large": State.GROUP_REVIEW,
            "declined": State.ACCEPTED,
            "rejected": State.SUBMITTED,
            "withdrawn": State.SUBMITTED,
            "renewed": State.APPROVED,
            "cancelled": State.APPROVED,
        }.get(path, State.DISBURSED)
        try:
            a = self.flows.to(start)
        except LoanFundError:  # the fund cannot take it now (its money, the enterprise's open bridge): nothing to do
            db.session.rollback()
            return
        self.applications.append(a.id)
        if path == "large":
            self.by_its_party(a.id, Action.GROUP_APPROVE if approve else Action.GROUP_REJECT)
        elif path in ("declined", "rejected", "withdrawn", "cancelled"):
            ending = {"declined": Action.DECLINE, "rejected": Action.REJECT, "withdrawn": Action.WITHDRAW}
            self.by_its_party(a.id, ending.get(path, Action.CANCEL))
        elif path == "renewed":
            maker_checker = (  # prepared, sent back by the checker, prepared again and signed by the checker
                (Action.PREPARE_DISBURSEMENT, "operator"),
                (Action.RETURN_PREPARATION, "operator2"),
                (Action.PREPARE_DISBURSEMENT, "operator"),
                (Action.AUTHORISE_DISBURSEMENT, "operator2"),
            )
            for action, who in maker_checker:
                self.take(db.session.get(Application, a.id), action, who, "full", False)  # type: ignore[arg-type]
            for action in (Action.CONFIRM_RENEWAL, Action.CONFIRM_RETURN, Action.ARCHIVE):
                self.by_its_party(a.id, action)
        else:
            self.traveller.shift(timedelta(days=a.requested_days + 12))
            self.attempt(sweep)
            operator = self.user("operator")
            self.attempt(lambda: liability.record_claim(operator, a.id, "未按承诺续贷"), name="claim")
            self.by_its_party(a.id, Action.OPEN_RECOVERY)
            amount = Money.yuan(1_000) if back == "some" else Money.zero()
            ref = self.ref("ZC", False) if amount.is_positive else ""
            self.attempt(
                lambda: recovery_file.record_measure(operator, a.id, clock.today(), "催收", amount, ref),
                name="recovered",
            )
            self.by_its_party(a.id, Action.WRITE_OFF)

    def by_its_party(self, application_id: int, action: Action) -> None:
        """``action`` on the application by the first user of a role the lifecycle table gives it to (nothing when
        the application is no longer where the action starts)."""
        a = db.session.get(Application, application_id)
        assert a is not None
        row = LIFECYCLE.get((a.state_enum, action))
        if row is None:
            return
        self.take(a, action, next(n for role in sorted(row[0]) for n in self.role_users(role, a)), "full", False)

    @rule(days=st.sampled_from([0, 1, 1, 2, 3, 5, 8, 12]))
    def time_passes(self, days: int) -> None:
        """The clock only moves forward; the day's sweep runs as the scheduler would."""
        self.traveller.shift(timedelta(days=days))
        self.attempt(sweep)

    @precondition(lambda self: self.applications)
    @rule(
        kind=st.sampled_from(["claim", "claim paid", "recovered", "capital", "distribution"]),
        pick=st.integers(min_value=0, max_value=1_000),
        part=st.sampled_from(["all", "some", "none"]),
        reuse=st.booleans(),
        who=st.sampled_from(["operator", "bank1", "group"]),
    )
    def oversight(self, kind: str, pick: int, part: str, reuse: bool, who: str) -> None:
        """The fund's other money steps: a claim on a bank that did not renew (R12) and its payment, money
        recovered on an overdue bridge, capital paid in, a distribution of income (R13) run and paid."""
        a = self.application(pick, states=MONEY_OUT_STATES if kind in ("claim", "recovered") else frozenset())
        if kind == "claim":
            self.attempt(lambda: liability.record_claim(self.user(who), a.id, "未按承诺续贷"), name=kind)
        elif kind == "claim paid":
            claim = db.session.scalar(select(BankClaim).order_by(BankClaim.id.desc()))
            if claim is None:
                return
            owed = claim.principal + claim.fee - sum_of(BankClaimPayment.amount, BankClaimPayment.claim_id == claim.id)
            amount = {"all": owed, "some": Money(max(1, owed.fen // 2)), "none": Money.zero()}[part]
            ref = self.ref("QC", reuse)
            self.attempt(
                lambda: liability.record_payment(self.user(who), claim.id, amount, clock.today(), ref), name=kind
            )
        elif kind == "recovered":
            amount = {"all": Money.yuan(50_000_000), "some": Money.yuan(1_000), "none": Money.zero()}[part]
            ref = self.ref("ZC", reuse) if amount.is_positive else ""
            self.attempt(
                lambda: recovery_file.record_measure(self.user(who), a.id, clock.today(), "催收", amount, ref),
                name=kind,
            )
        elif kind == "capital":
            contributor = contributor_named(city_fund_id(), "连云港市工业投资集团有限公司", "municipal")
            self.attempt(
                lambda: record_contribution(contributor, Money.yuan(10_000_000), clock.today(), "CZ-SM"), name=kind
            )
        else:
            self.attempt(
                lambda: run_distribution(city_fund_id(), clock.today(), Decimal("0.06"), self.user("admin")), name=kind
            )
            if part != "none":
                self.attempt(
                    lambda: pay_distributions(city_fund_id(), clock.today(), "FP-SM", self.user("admin")),
                    name="payment",
                )

    # -- invariants ----------------------------------------------------------------------------------------------

    @invariant()
    def the_books_hold(self) -> None:
        """DESIGN §5, each side of the cash identity read from its own rows."""
        books = run(self.start.books).one()
        cash, position_cash, reserved = fen(books.cash), fen(books.position_cash), fen(books.reserved)
        assert books.unbalanced == 0, "a journal entry whose debits and credits differ"
        assert not cash.is_negative
        assert position_cash == cash, "the fund's position row and the ledger disagree"
        assert reserved <= position_cash, "more reserved for approved bridges than there is cash (R8)"
        assert books.settled_owing == 0, "a repaid or archived application with a receivable left"
        income = fen(books.fees) + fen(books.claim_fees)
        # principal lent on the bridges written off, less what came back from the enterprise (before the write-off or
        # recovered after it) and what was put on their bank's account by a claim (R12: the bank owes that instead)
        losses = fen(books.lost) - fen(books.recovered) - fen(books.claimed_instead)
        claims_open = fen(books.claimed) - fen(books.claim_paid)
        expected = fen(books.contributed) + income - fen(books.distributed) - losses
        expected -= fen(books.receivables) + claims_open
        assert cash == expected, (cash, expected)

    @invariant()
    def nothing_is_seen_across_parties(self) -> None:
        """Each enterprise sees exactly its own applications, each bank only those forwarded to it, the
        administrator none — asked of the access filter that every page and the API use, in one query."""
        seen: dict[str, set[int]] = {name: set() for name in self.start.seen_as}
        for name, application_id in run(self.start.views):
            seen[name].add(application_id)
        rows = run(self.start.forwarded).all()
        for name, user in self.start.seen_as.items():
            if user.role_enum is Role.ENTERPRISE:
                expected = {r.id for r in rows if r.enterprise_id == user.enterprise_id}
            elif user.role_enum is Role.BANK:
                expected = {r.id for r in rows if r.bank_id == user.bank_id and r.reviewed_at is not None}
            else:
                expected = set()
            assert seen[name] == expected, name


def total(column, *where) -> ScalarSelect:  # type: ignore[no-untyped-def]
    return select(func.coalesce(func.sum(column), 0)).where(*where).scalar_subquery()


def count(model) -> ScalarSelect:  # type: ignore[no-untyped-def]
    return select(func.count()).select_from(model).scalar_subquery()


SETTLED = (State.REPAID.value, State.ARCHIVED.value)
FINAL = [state.value for state in FINAL_STATES]
WRITTEN_OFF = Application.state == State.WRITTEN_OFF.value


# Built once: the statements run after every step of every example.
def legs(*where) -> ScalarSelect:  # type: ignore[no-untyped-def]
    """Debits less credits on the accounts ``where`` selects."""
    return (
        select(func.coalesce(func.sum(JournalLeg.debit - JournalLeg.credit), 0))
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(*where)
        .scalar_subquery()
    )


BOOKS = select(
    select(func.count())
    .select_from(
        select(JournalLeg.entry_id)
        .group_by(JournalLeg.entry_id)
        .having(func.sum(JournalLeg.debit) != func.sum(JournalLeg.credit))
        .subquery()
    )
    .scalar_subquery()
    .label("unbalanced"),
    legs(LedgerAccount.code == CASH).label("cash"),
    legs(LedgerAccount.code.like("receivable:%")).label("receivables"),
    select(func.count())
    .where(
        Application.state.in_(SETTLED),
        legs(LedgerAccount.code == literal("receivable:") + cast(Application.id, String)) != 0,
    )
    .scalar_subquery()
    .label("settled_owing"),
    select(FundBalance.cash).scalar_subquery().label("position_cash"),
    select(FundBalance.reserved).scalar_subquery().label("reserved"),
    total(Contribution.amount).label("contributed"),
    total(Receipt.fee).label("fees"),
    total(BankClaim.principal + BankClaim.fee).label("claimed"),
    total(BankClaim.fee).label("claim_fees"),
    total(BankClaimPayment.amount).label("claim_paid"),
    total(
        JournalLeg.credit, JournalLeg.entry_id == JournalEntry.id, JournalEntry.key.like("distribution_payment:%")
    ).label("distributed"),
    total(Application.approved_amount, WRITTEN_OFF).label("lost"),
    total(Receipt.principal, Receipt.application_id == Application.id, WRITTEN_OFF).label("recovered"),
    total(BankClaim.principal, BankClaim.application_id == Application.id, WRITTEN_OFF).label("claimed_instead"),
)
SNAPSHOT = select(
    count(JournalEntry),
    count(ApplicationEvent),
    count(Receipt),
    count(BankClaimPayment),
    count(Contribution),
    count(BankClaim),
    count(Distribution),
    select(FundBalance.cash).scalar_subquery(),
    select(FundBalance.reserved).scalar_subquery(),
    count(Application),
    total(Application.version),
)
# each application with its enterprise, and its bank once the bank has it (reviewed, and not rejected at review)
FORWARDED = (
    select(Application.id, Application.enterprise_id, Application.bank_id, Application.reviewed_at)
    .where(Application.state != State.REJECTED.value)
    .union_all(
        select(Application.id, Application.enterprise_id, literal(None), literal(None)).where(
            Application.state == State.REJECTED.value
        )
    )
)


def driver_sql(statement: Executable) -> str:
    """A statement as the database's own SQL with its values written in: compiled once, then run at every step
    without SQLAlchemy building and compiling it again."""
    return str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


def run(sql: str) -> CursorResult:
    return db.session.connection().exec_driver_sql(sql)


def fen(value: object) -> Money:
    return value if isinstance(value, Money) else Money(int(value or 0))  # type: ignore[call-overload]


def test_random_sequences_of_every_action_keep_the_books_and_the_boundaries(app, backend, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    Fund.start = Start(backend)
    TALLY.clear()
    run_state_machine_as_test(
        Fund,
        settings=settings(
            max_examples=int(os.environ.get("STATE_MACHINE_EXAMPLES") or (2000 if SOAK else EXAMPLES[backend])),
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=not SOAK,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(sum(TALLY.values()), "steps:", sorted(TALLY.items()))  # with -s: what the run exercised
    taken = {name for (name, outcome) in TALLY if outcome == "taken"}
    assert sorted(set(EVERY_STEP) - taken) == []  # every step of DESIGN §3 and every money step was taken
