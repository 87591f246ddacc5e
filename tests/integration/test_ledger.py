"""The special account's books on SQLite and PostgreSQL: invariants, idempotency, atomicity, distribution,
reconciliation and the database's own guards."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from loanfund import clock
from loanfund.domain.errors import Conflict, LoanFundError, RuleViolation
from loanfund.domain.ledger import CASH, FEE_INCOME, LOSSES, capital
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Contribution, Distribution, JournalEntry, JournalLeg, Receipt, User
from loanfund.services import lifecycle
from loanfund.services.books import fund, ledger
from loanfund.services.books.capital import (
    contributor_named,
    dissolution_statement,
    pay_distributions,
    record_contribution,
    run_distribution,
)
from loanfund.services.books.reconcile import reconcile
from tests.factories import city_fund_id, past_the_guards
from tests.flows import Flows

pytestmark = pytest.mark.both_databases

M = Money.parse


def check_invariants(reconciliation: bool = True) -> None:
    """DESIGN §5: trial balance 0; cash never negative; a repaid application's receivable is 0;
    cash = capital + income − distributions − losses − open receivables; and (unless told not to) the whole
    reconciliation agrees."""
    rows = ledger.trial_balance(city_fund_id())
    assert sum((r.debit for r in rows), Money.zero()) == sum((r.credit for r in rows), Money.zero())
    cash = ledger.balance(city_fund_id(), CASH)
    assert not cash.is_negative
    receivables = ledger.balances_by_prefix(city_fund_id(), "receivable")
    for application in db.session.scalars(
        select(Application).where(Application.state.in_([State.REPAID.value, State.ARCHIVED.value]))
    ):
        assert receivables.get(application.id, Money.zero()) == Money.zero()
    contributed = sum((c.amount for c in db.session.scalars(select(Contribution))), Money.zero())
    income = sum((r.fee for r in db.session.scalars(select(Receipt))), Money.zero())
    paid_out = -sum(
        (
            leg.credit
            for leg in db.session.scalars(
                select(JournalLeg)
                .join(JournalEntry, JournalLeg.entry_id == JournalEntry.id)
                .where(JournalEntry.key.like("distribution_payment:%"))
                .where(JournalLeg.credit > Money.zero())
            )
        ),
        Money.zero(),
    )
    # principal written off, from the applications and their receipts (a distribution that makes losses good moves
    # income against them in the books, but no cash)
    losses = sum(
        (
            a.approved_amount - sum((r.principal for r in a.receipts), Money.zero())
            for a in db.session.scalars(select(Application).where(Application.state == State.WRITTEN_OFF.value))
        ),
        Money.zero(),
    )
    open_receivables = sum(receivables.values(), Money.zero())
    assert cash == contributed + income + paid_out - losses - open_receivables
    if not reconciliation:
        return
    result = reconcile(city_fund_id())
    assert result.ok, [c for c in result.checks if not c.ok] + [r for r in result.receivables if not r.ok]


def walk_length(backend: str) -> int:
    """120 lifecycles on SQLite, 50 on PostgreSQL (the walk's logic is the same; PostgreSQL adds its own locking and
    SQL): ``make soak`` walks 2,000 on both through ``RANDOM_WALK_LIFECYCLES``."""
    return int(os.environ.get("RANDOM_WALK_LIFECYCLES") or (120 if backend == "sqlite" else 50))


def test_a_seeded_random_walk_of_hundreds_of_lifecycles_keeps_the_books(app, people, backend):
    rng = random.Random(20261129)
    with time_machine.travel("2026-01-05 09:00:00+08:00", tick=False) as traveller:
        flows = Flows(traveller)
        operator, checker, group = flows.user("operator"), flows.user("operator2"), flows.user("group")
        record_contribution(
            contributor_named(city_fund_id(), "社会资本（测试）", "private"),
            M("2,000,000,000.00"),
            clock.today(),
            "CZ-SOCIAL-1",
        )
        outcomes: dict[str, int] = {}
        walk = walk_length(backend)
        for number in range(walk):
            kind = rng.choice(
                ["repaid", "repaid", "repaid", "short", "withdrawn", "cancelled", "written_off", "declined", "too_big"]
            )
            amount = Money(rng.randrange(100_000, 40_000_000) * 100)
            try:
                application = flows.submit(
                    enterprise=rng.choice(["ent1", "ent2", "ent3"]),
                    bank_code=rng.choice(["ICBC-LYG", "JSB-LYG"]),
                    amount=amount.format(),
                    loan_due=(amount + Money(100_000_00)).format(),
                    own_funds="100,000.00",
                    days=rng.randint(1, 10),
                )
                a = application.id
                flows.step(application, "accept")
                if kind == "declined":
                    flows.step(application, "decline")
                    continue
                flows.step(application, "commit")
                if kind == "withdrawn":
                    lifecycle.withdraw(flows.user("operator"), a, "撤回")
                    continue
                approve_amount = amount if kind != "too_big" else amount + Money(1)
                lifecycle.approve(operator, a, approve_amount, application.loan_amount_due - approve_amount)
                application = db.session.get(Application, a)
                if application.state == State.GROUP_REVIEW.value:
                    lifecycle.group_approve(group, a, f"纪要{number}")
                if kind == "cancelled":
                    lifecycle.cancel(operator, a, "取消")
                    continue
                lifecycle.prepare_disbursement(operator, a, clock.today(), f"HK{number}")
                lifecycle.authorise_disbursement(checker, a)
                if kind == "written_off":
                    traveller.shift(timedelta(days=11))
                    lifecycle.open_recovery(operator, a, "追偿")
                    if rng.random() < 0.5:
                        lifecycle.confirm_return(
                            flows.bank_user(application), a, clock.today(), Money(100_00), Money.zero(), f"部分收回-{a}"
                        )
                    lifecycle.write_off(group, a, f"纪要W{number}")
                    continue
                traveller.shift(timedelta(days=rng.randint(0, 3)))
                account = lifecycle.account_of(db.session.get(Application, a))
                fee = account.fee_outstanding - (Money(1) if kind == "short" else Money.zero())
                lifecycle.confirm_return(
                    flows.bank_user(application),
                    a,
                    clock.today(),
                    account.principal_outstanding,
                    max(fee, Money.zero()),
                    f"HS{number}",
                )
                if kind == "short":
                    lifecycle.confirm_return(
                        flows.bank_user(application), a, clock.today(), Money.zero(), Money(1), f"HS{number}b"
                    )
                lifecycle.archive(operator, a)
            except LoanFundError as exc:  # only the refusal the walk provokes: an approval over the R5 cap
                db.session.rollback()
                assert (kind, exc.code) == ("too_big", "exceeds_commitment_cap"), (number, kind, exc.message)
                outcomes[exc.code] = outcomes.get(exc.code, 0) + 1
            finally:
                outcomes[kind] = outcomes.get(kind, 0) + 1
            check_invariants(reconciliation=number % 10 == 0)  # after every lifecycle; the full reconcile every 10th
            if number % 60 == 59:
                run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
                pay_distributions(city_fund_id(), clock.today(), f"FP{number}")
                traveller.shift(timedelta(days=1))
        check_invariants()
    assert outcomes["exceeds_commitment_cap"] == outcomes["too_big"]  # every over-cap approval was refused
    assert (
        db.session.scalar(
            select(func.count()).select_from(Application).where(Application.state == State.ARCHIVED.value)
        )
        > walk * 2 // 5  # 4 kinds in 9 end archived: the walk got that far, not stuck in its first steps
    )


def test_a_repaid_application_has_no_receivable_and_the_fee_is_income(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.REPAID)
    assert ledger.balance(city_fund_id(), f"receivable:{application.id}") == Money.zero()
    assert -ledger.balance(city_fund_id(), FEE_INCOME) == M("12,000.00")  # 30,000,000.00 × 0.40‰ × 1 day
    check_invariants()


def test_the_same_confirmation_posted_twice_leaves_one_entry(app, people, traveller):
    from sqlalchemy.exc import IntegrityError

    from loanfund.domain.ledger import return_posting

    flows = Flows(traveller)
    application = flows.to(State.REPAID)
    receipt = db.session.scalar(select(Receipt))
    with pytest.raises(IntegrityError):
        ledger.post(
            return_posting(receipt.id, application.id, receipt.principal, receipt.fee),
            clock.today(),
            fund_id=application.fund_id,
            bank_ref=receipt.transfer_ref,
        )
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.key == f"return:{receipt.id}")
        )
        == 1
    )
    check_invariants()


def test_a_crash_between_state_change_and_posting_leaves_neither(app, people, traveller, monkeypatch):
    flows = Flows(traveller)
    application = flows.to(State.APPROVED)
    lifecycle.prepare_disbursement(flows.user("operator"), application.id, clock.today(), "HK")
    before = (fund.position(city_fund_id()), db.session.scalar(select(func.count()).select_from(JournalEntry)))

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("injected crash")

    monkeypatch.setattr(ledger, "post", crash)
    with pytest.raises(RuntimeError):
        lifecycle.authorise_disbursement(flows.user("operator2"), application.id)
    db.session.rollback()
    monkeypatch.undo()
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.APPROVED.value
    assert (fund.position(city_fund_id()), db.session.scalar(select(func.count()).select_from(JournalEntry))) == before
    check_invariants()


def _fee_of_exactly(target: Money, days: int) -> Money:
    """A third-band amount whose fee for ``days`` is exactly ``target``."""
    from loanfund.domain.policy import LIANYUNGANG_2018
    from loanfund.domain.rules import fee_for

    permille = Decimal("0.20") * 2 + Decimal("0.25") * (days - 2)
    guess = int(Decimal(target.fen) * 1000 / permille)
    for fen in range(guess - 5, guess + 5):
        if fee_for(LIANYUNGANG_2018, Money(fen), days) == target:
            return Money(fen)
    raise AssertionError("no amount found")


def test_a_distribution_of_1_000_000_01_across_2_1_and_half_yi_sums_exactly(app, people):
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as traveller:
        flows = Flows(traveller)
        record_contribution(
            contributor_named(city_fund_id(), "灌云县财政局", "county"), M("100,000,000.00"), clock.today(), "CZ-GY-1"
        )
        record_contribution(
            contributor_named(city_fund_id(), "某民营资本", "private"), M("50,000,000.00"), clock.today(), "CZ-PRIV-1"
        )
        amount = _fee_of_exactly(M("1,000,000.01"), 20)  # an overdue third-band bridge, 20 days
        application = flows.submit(amount=amount.format(), loan_due=amount.format(), own_funds="0.00")
        flows.step(application, "accept")
        flows.step(application, "commit")
        lifecycle.approve(flows.user("operator"), application.id, amount, Money.zero())
        lifecycle.group_approve(flows.user("group"), application.id, "纪要")
        flows.step(application, "prepare")
        flows.step(application, "authorise")
        traveller.shift(timedelta(days=20))
        flows.step(application, "return")
        assert -ledger.balance(city_fund_id(), FEE_INCOME) == M("1,000,000.01")
        result = run_distribution(city_fund_id(), clock.today(), Decimal("0"))
    shares = {c.name: s for c, s in result.shares}
    assert shares == {
        "连云港市工业投资集团有限公司": M("571,428.58"),
        "灌云县财政局": M("285,714.29"),
        "某民营资本": M("142,857.14"),
    }
    assert sum(shares.values(), Money.zero()) == M("1,000,000.01")
    assert ledger.balance(city_fund_id(), FEE_INCOME) == Money.zero()
    check_invariants()


def test_distribution_after_tax_and_payment(app, people, traveller):
    flows = Flows(traveller)
    flows.to(State.REPAID)  # fee income 12,000.00
    result = run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    assert (result.income, result.tax) == (M("12,000.00"), M("720.00"))
    assert [s for _, s in result.shares] == [M("11,280.00")]
    with pytest.raises(LoanFundError) as caught:
        run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    assert caught.value.code in ("invalid_input", "distribution_exists")
    db.session.rollback()
    assert pay_distributions(city_fund_id(), clock.today(), "FP20260001") == M("12,000.00")
    assert fund.position(city_fund_id()).cash == M("200,000,000.00")
    check_invariants()


def _a_written_off_bridge_then_a_repaid_one(flows: Flows, written_off: str) -> None:
    """A bridge of ``written_off`` written off in full, then 30,000,000.00 out and back in a day (fee 12,000.00)."""
    flows.to(State.WRITTEN_OFF, amount=written_off, loan_due=written_off, own_funds="0.00")
    flows.to(State.REPAID)


def test_income_first_makes_good_the_losses_written_off(app, people, traveller):
    flows = Flows(traveller)
    _a_written_off_bridge_then_a_repaid_one(flows, "5,000,000.00")
    result = run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    # 12,000.00 income, 720.00 tax, 11,280.00 left: all of it goes to the 5,000,000.00 loss, nothing is shared
    assert (result.income, result.tax, result.losses_covered) == (M("12,000.00"), M("720.00"), M("11,280.00"))
    assert [s for _, s in result.shares] == [M("0.00")]
    assert ledger.balance(city_fund_id(), LOSSES) == M("4,988,720.00")
    assert result.distribution.losses_covered == M("11,280.00")
    assert pay_distributions(city_fund_id(), clock.today(), "FP20260002") == M("720.00")  # only the tax is payable
    check_invariants()


def test_what_is_left_after_the_losses_is_shared(app, people, traveller):
    flows = Flows(traveller)
    _a_written_off_bridge_then_a_repaid_one(flows, "1,000.00")
    result = run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    assert (result.tax, result.losses_covered) == (M("720.00"), M("1,000.00"))
    assert [s for _, s in result.shares] == [M("10,280.00")]
    assert ledger.balance(city_fund_id(), LOSSES) == Money.zero()
    check_invariants()


def test_a_distribution_and_its_payment_commit_together_or_not_at_all(app, people, traveller):
    flows = Flows(traveller)
    flows.to(State.REPAID)  # fee income 12,000.00
    # all but 11,000.00 of the fund's 200,012,000.00 is promised to an approval: the payment cannot be made (R8)
    big = flows.to(State.BANK_COMMITTED, amount="200,001,000.00", loan_due="200,001,000.00", own_funds="0.00")
    lifecycle.approve(flows.user("operator"), big.id, M("200,001,000.00"), Money.zero())
    assert fund.position(city_fund_id()).available == M("11,000.00")
    with pytest.raises(RuleViolation):
        run_distribution(city_fund_id(), clock.today(), Decimal("0.06"), pay=True, bank_ref="FP20260003")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == 0
    assert ledger.balance(city_fund_id(), FEE_INCOME) == -M("12,000.00")
    assert (
        run_distribution(city_fund_id(), clock.today(), Decimal("0.06")).paid is None
    )  # without paying, it is recorded
    check_invariants()


def test_payables_left_by_a_run_are_paid_later_by_the_command(app, people, traveller, runner):
    flows = Flows(traveller)
    flows.to(State.REPAID)
    run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    traveller.shift(timedelta(days=1))
    result = runner.invoke(args=["loanfund", "pay-distributions", "--bank-ref", "FP1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "已支付 12,000.00 元"
    again = runner.invoke(args=["loanfund", "pay-distributions", "--bank-ref", "FP1"])
    assert again.exit_code == 1
    assert "没有待支付的分配款或税费" in again.output
    check_invariants()


def test_the_dissolution_statement_returns_net_assets_by_capital(app, people, traveller):
    flows = Flows(traveller)
    record_contribution(
        contributor_named(city_fund_id(), "东海县财政局", "county"), M("100,000,000.00"), clock.today(), "CZ-DH-1"
    )
    flows.to(State.DISBURSED)
    net, lines = dissolution_statement(city_fund_id())
    assert net == M("300,000,000.00")  # cash 270,000,000.00 + receivable 30,000,000.00
    assert [(line.contributor.name, line.share) for line in lines] == [
        ("连云港市工业投资集团有限公司", M("200,000,000.00")),
        ("东海县财政局", M("100,000,000.00")),
    ]


def test_reconcile_exits_zero_on_a_busy_fund_and_non_zero_after_tampering(busy, runner):
    result = runner.invoke(args=["loanfund", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "对账一致。" in result.output
    db.session.execute(text("UPDATE fund_balance SET cash = cash + 1"))
    db.session.commit()
    result = runner.invoke(args=["loanfund", "reconcile"])
    assert result.exit_code == 1
    assert "✗ 专用账户资金：账簿 = 资金头寸：应为 176,003,840.00，实为 176,003,840.01" in result.output


def test_reconcile_names_an_application_whose_receivable_differs(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.DISBURSED)
    db.session.execute(
        text("UPDATE applications SET approved_amount = approved_amount - 100 WHERE id = :id"), {"id": application.id}
    )
    db.session.commit()
    result = reconcile(city_fund_id())
    assert not result.ok
    [line] = [r for r in result.receivables if not r.ok]
    assert (line.expected, line.booked) == (M("29,999,999.00"), M("30,000,000.00"))


def test_capital_account_follows_contributions(app, people):
    contributor = contributor_named(city_fund_id(), "连云港市工业投资集团有限公司")
    assert -ledger.balance(city_fund_id(), capital(contributor.id)) == M("200,000,000.00")
    record_contribution(contributor, M("0.01"), date(2026, 1, 1), "CZ20260101001")
    assert -ledger.balance(city_fund_id(), capital(contributor.id)) == M("200,000,000.01")


def test_reconcile_catches_a_receipt_the_ledger_and_the_events_do_not_know(app, people, traveller, backend):
    """A receipt row written behind the services' back keeps the ledger balanced and the position right, but the
    three records of the money back no longer agree (and a second booking of one transfer reference shows)."""
    flows = Flows(traveller)
    application = flows.to(State.RENEWED)
    bank = flows.bank_user(application)
    lifecycle.confirm_return(bank, application.id, clock.today(), M("100,000.00"), Money.zero(), "HS-7")
    assert reconcile(city_fund_id()).ok
    db.session.execute(text("DROP INDEX uq_receipts_application_transfer_ref"))  # as an edit past the guards would
    try:
        _book_a_second_hs_7_behind_the_services_back(application, bank)
    finally:
        if backend == "postgresql":  # the session's database is shared: put the index back for the next tests
            db.session.rollback()
            db.session.execute(text("TRUNCATE receipts CASCADE"))
            db.session.execute(
                text(
                    "CREATE UNIQUE INDEX uq_receipts_application_transfer_ref"
                    " ON receipts (application_id, transfer_ref)"
                )
            )
            db.session.commit()


def _book_a_second_hs_7_behind_the_services_back(application: Application, bank: User) -> None:
    past_the_guards()
    db.session.execute(
        text(
            "INSERT INTO receipts (application_id, received_on, principal, fee, transfer_ref, recorded_by_id,"
            " created_at) VALUES (:a, :d, 10000000, 0, 'HS-7', :u, :t)"
        ),
        {"a": application.id, "d": clock.today(), "u": bank.id, "t": clock.utcnow()},
    )
    db.session.commit()
    result = reconcile(city_fund_id())
    assert not result.ok
    [line] = result.receipts
    assert line.application_id == application.id
    assert (line.receipts.count, line.receipts.principal, line.receipts.fee) == (2, M("200,000.00"), M("0.00"))
    assert (line.events.count, line.events.principal, line.events.fee) == (1, M("100,000.00"), M("0.00"))
    assert (line.ledger.count, line.ledger.principal, line.ledger.fee) == (1, M("100,000.00"), M("0.00"))
    failed = {c.name: c for c in result.checks if not c.ok}
    assert failed["同一划款凭证号重复登记的笔数"].actual == 1
    assert failed["收回登记、收回事件与账簿逐笔一致（不符的申请笔数）"].actual == 1
    # the receivable check sees it too: booked 29,900,000.00, the receipts say 29,800,000.00 is still out
    [wrong] = [r for r in result.receivables if not r.ok]
    assert (wrong.expected, wrong.booked) == (M("29,800,000.00"), M("29,900,000.00"))


def test_one_transfer_reference_books_one_receipt(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.RENEWED)
    bank = flows.bank_user(application)
    lifecycle.confirm_return(bank, application.id, clock.today(), M("100,000.00"), Money.zero(), "HS-7")
    with pytest.raises(Conflict) as refused:
        lifecycle.confirm_return(bank, application.id, clock.today(), M("100,000.00"), Money.zero(), " HS-7 ")
    db.session.rollback()
    assert refused.value.field == "transfer_ref"
    assert refused.value.message == (
        "划款凭证号 HS-7 已于 2026-11-01 登记收回（本金 100,000.00 元、费用 0.00 元），同一笔划款不能重复登记"
    )
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1
    with pytest.raises(IntegrityError):  # the database refuses it too, whatever the code does
        db.session.add(
            Receipt(
                application_id=application.id,
                received_on=clock.today(),
                principal=M("1.00"),
                fee=Money.zero(),
                transfer_ref="HS-7",
                recorded_by_id=bank.id,
            )
        )
        db.session.flush()
    db.session.rollback()
    # nor may another bridge of the same bank (issue 25: one transfer settled two bridges); the message names the first
    other = flows.to(State.RENEWED)
    with pytest.raises(Conflict) as refused:
        lifecycle.confirm_return(bank, other.id, clock.today(), M("100,000.00"), Money.zero(), "HS-7")
    db.session.rollback()
    assert refused.value.message == (
        f"划款凭证号 HS-7 已于 2026-11-01 登记为收回（应急转贷 {application.reference}），同一笔划款不能重复登记"
    )
    assert reconcile(city_fund_id()).ok


def test_the_trial_balance_is_kept_line_by_line_as_postings_are_made(app, people, traveller):
    """Running totals, one line per account and one for every bridge's receivable, written by each posting."""
    flows = Flows(traveller)
    application = flows.to(State.RENEWED)
    lifecycle.confirm_return(
        flows.bank_user(application), application.id, clock.today(), M("30,000,000.00"), M("12,000.00"), "HS-1"
    )
    contributor = contributor_named(city_fund_id(), "连云港市工业投资集团有限公司")
    lines = {
        row.code: (row.name, row.debit.format(), row.credit.format()) for row in ledger.trial_balance(city_fund_id())
    }
    assert lines == {
        f"capital:{contributor.id}": (f"出资（{contributor.id}）", "0.00", "200,000,000.00"),
        "cash": ("专用账户资金", "230,012,000.00", "30,000,000.00"),
        "fee_income": ("用款费用收入", "0.00", "12,000.00"),
        "receivable": ("应收应急转贷资金", "30,000,000.00", "30,000,000.00"),
    }
    assert reconcile(city_fund_id()).ok


def test_a_running_total_that_drifts_from_its_legs_is_named(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.RENEWED)
    lifecycle.confirm_return(
        flows.bank_user(application), application.id, clock.today(), M("30,000,000.00"), M("12,000.00"), "HS-1"
    )
    db.session.execute(text("UPDATE ledger_totals SET credit = credit + 100 WHERE line = 'fee_income'"))
    db.session.commit()
    result = reconcile(city_fund_id())
    failed = {c.name: c for c in result.checks if not c.ok}
    assert (
        failed["科目累计额 = 分录合计（不符的科目数）"].actual,
        failed["科目累计额 = 分录合计（不符的科目数）"].detail,
    ) == (
        1,
        "fee_income",
    )
    assert failed["试算平衡（借方合计 = 贷方合计）"].actual == M("260,012,001.00")  # credits: 260,012,000.00 + 1.00
