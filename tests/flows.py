"""Drive applications through the lifecycle services to any state, for tests that need one there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.lifecycle import Action, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, User
from loanfund.services import lifecycle
from loanfund.services.applications import materials

M = Money.parse

# The path to each state, as the steps that lead there.
PATHS: dict[State, tuple[str, ...]] = {
    State.SUBMITTED: (),
    State.ACCEPTED: ("accept",),
    State.REJECTED: ("reject",),
    State.BANK_COMMITTED: ("accept", "commit"),
    State.BANK_DECLINED: ("accept", "decline"),
    State.APPROVED: ("accept", "commit", "approve"),
    State.GROUP_REVIEW: ("accept", "commit", "approve_large"),
    State.GROUP_REJECTED: ("accept", "commit", "approve_large", "group_reject"),
    State.WITHDRAWN: ("withdraw",),
    State.CANCELLED: ("accept", "commit", "approve", "cancel"),
    State.DISBURSED: ("accept", "commit", "approve", "prepare", "authorise"),
    State.RENEWED: ("accept", "commit", "approve", "prepare", "authorise", "renew"),
    State.REPAID: ("accept", "commit", "approve", "prepare", "authorise", "renew", "return"),
    State.ARCHIVED: ("accept", "commit", "approve", "prepare", "authorise", "renew", "return", "archive"),
    State.RECOVERY: ("accept", "commit", "approve", "prepare", "authorise", "overdue", "recovery"),
    State.WRITTEN_OFF: ("accept", "commit", "approve", "prepare", "authorise", "overdue", "recovery", "write_off"),
}


class Flows:
    """Uses the cast of tests.factories: ent1 (with bank1 = ICBC) unless told otherwise. ``traveller`` is a time-machine
    traveller, needed only for paths that wait for a bridge to become overdue."""

    def __init__(self, traveller=None) -> None:  # type: ignore[no-untyped-def]
        self.traveller = traveller

    def user(self, username: str) -> User:
        return db.session.scalar(select(User).where(User.username == username))  # type: ignore[return-value]

    def submit(
        self,
        enterprise: str = "ent1",
        bank_code: str | None = None,
        amount: str = "30,000,000.00",
        days: int = 3,
        loan_due: str = "40,000,000.00",
        own_funds: str = "10,000,000.00",
        overdue: bool = False,
        documents: bool = True,
        mortgage: str = "none",
        fund: str | None = None,
    ) -> Application:
        """Submitted, with the documents the checklist requires before acceptance (``documents=False``: none), to the
        fund named (or the only one covering the enterprise), through ICBC's branch cooperating with that fund unless
        ``bank_code`` names another."""
        bank_code = bank_code or ("ICBC-DH" if fund == "DH" else "ICBC-LYG")
        bank = db.session.scalar(select(Bank).where(Bank.code == bank_code))
        data = lifecycle.ApplicationInput(
            bank_id=bank.id,
            loan_contract_no=f"借字2026第{_next_number():03d}号",  # one open application per contract
            loan_amount_due=M(loan_due),  # type: ignore[union-attr]
            loan_due_date=clock.today() + timedelta(days=2),
            loan_overdue=overdue,
            requested_amount=M(amount),
            requested_days=days,
            own_funds=M(own_funds),
            purpose="转贷",
            mortgage=mortgage,
            fund=fund,
        )
        application = lifecycle.submit_application(self.user(enterprise), data)
        if documents:
            attach(self.user(enterprise), application, ENTERPRISE_MATERIALS)
        return application

    def to(self, state: State, **submit_kwargs: object) -> Application:
        if "approve_large" in PATHS[state]:
            submit_kwargs = {
                "amount": "45,000,000.00",
                "loan_due": "50,000,000.00",
                "own_funds": "5,000,000.00",
            } | submit_kwargs
        application = self.submit(**submit_kwargs)  # type: ignore[arg-type]
        for step in PATHS[state]:
            self.step(application, step)
        return db.session.get(Application, application.id)  # type: ignore[return-value]

    def bank_user(self, application: Application) -> User:
        return self.user({"ICBC-LYG": "bank1", "ICBC-DH": "dh_bank1"}.get(application.bank.code, "bank2"))

    def step(self, application: Application, step: str) -> None:
        """Take one step of a path: the step object it names (``TAKES``), by whom and with which of the step's own
        inputs, through ``lifecycle.take`` as every caller does; ``overdue`` is the days passing, not a step."""
        if step == "overdue":
            assert self.traveller is not None, "an overdue path needs a time-machine traveller"
            self.traveller.shift(timedelta(days=11))
            return
        actor, action, inputs = TAKES[step](self, application)
        unknown = set(inputs) - set(lifecycle.STEPS[action].names)
        assert not unknown, f"{action.value} has no input named {unknown}"
        lifecycle.take(actor, application.id, action, **inputs)


Taking = tuple[User, Action, dict[str, object]]


def _accept(f: Flows, a: Application) -> Taking:
    attach(f.user("reviewer"), a, ("credit_report",))
    return f.user("reviewer"), Action.ACCEPT, credit_ok("征信正常", "受理")


def _commit(f: Flows, a: Application) -> Taking:
    attach(f.bank_user(a), a, ("commitment",))
    covered = Money(max(a.requested_amount.fen * 5 // 4, a.loan_amount_due.fen))
    return f.bank_user(a), Action.COMMIT, {"committed_amount": covered, "opinion": "同意续贷"}


def _approve(f: Flows, a: Application) -> Taking:
    own = a.loan_amount_due - a.requested_amount
    return f.user("operator"), Action.APPROVE, {"amount": a.requested_amount, "own_funds_confirmed": own}


def _return(f: Flows, a: Application) -> Taking:
    account = lifecycle.account_of(a)
    assert account is not None
    return (
        f.bank_user(a),
        Action.CONFIRM_RETURN,
        {
            "received_on": clock.today(),
            "principal": account.principal_outstanding,
            "fee": account.fee_outstanding,
            "transfer_ref": f"HS-{a.id:03d}",
        },
    )


# Each step of ``PATHS``: who takes which step object, and what they give it (by the step's input names).
TAKES: dict[str, Callable[[Flows, Application], Taking]] = {
    "accept": _accept,
    "reject": lambda f, a: (f.user("reviewer"), Action.REJECT, {"note": "材料不全"}),
    "commit": _commit,
    "decline": lambda f, a: (f.bank_user(a), Action.DECLINE, {"opinion": "不同意续贷"}),
    "approve": _approve,
    "approve_large": _approve,  # the same step; the amount sends it to the group (R6)
    "group_reject": lambda f, a: (f.user("group"), Action.GROUP_REJECT, {"minutes_ref": "纪要〔2026〕1号"}),
    "withdraw": lambda f, a: (f.user(_owner(a)), Action.WITHDRAW, {"reason": "不再需要"}),
    "cancel": lambda f, a: (f.user("operator"), Action.CANCEL, {"reason": "企业已自行筹款"}),
    "prepare": lambda f, a: (
        f.user("operator"),
        Action.PREPARE_DISBURSEMENT,
        {"value_date": clock.today(), "transfer_ref": "HK-001"},
    ),
    "authorise": lambda f, a: (f.user("operator2"), Action.AUTHORISE_DISBURSEMENT, {}),  # the checker
    "renew": lambda f, a: (
        f.bank_user(a),
        Action.CONFIRM_RENEWAL,
        {"new_loan_contract_no": "新借字001", "new_loan_amount": a.loan_amount_due, "renewed_on": clock.today()},
    ),
    "return": _return,
    "archive": lambda f, a: (f.user("operator"), Action.ARCHIVE, {}),
    "recovery": lambda f, a: (f.user("operator"), Action.OPEN_RECOVERY, {"plan": "约谈企业，督促银行续贷"}),
    "write_off": lambda f, a: (f.user("group"), Action.WRITE_OFF, {"minutes_ref": "纪要〔2026〕9号"}),
}


PDF = b"%PDF-1.4\n%test\n"
ENTERPRISE_MATERIALS = ("licence", "loan_contract", "financials")  # what the seeded checklist requires to accept


def credit_ok(conclusion: str = "征信正常", note: str = "受理") -> dict[str, object]:
    """The reviewer's findings for an enterprise the fund may serve (第八条): today's 征信 report without bad records,
    within the industrial policy, operating well."""
    return {
        "credit_report_date": clock.today(),
        "credit_adverse": "none",
        "credit_industry": "fits",
        "credit_operating": "good",
        "credit_check_note": conclusion,
        "note": note,
    }


def attach(user: User, application: Application, categories: tuple[str, ...]) -> None:
    """The documents the checklist asks ``user`` for, one small PDF each, filed in one commit (what an upload files;
    the upload itself — who may, when, which files — is tested on its own, and a flow of the suite is its setting)."""
    checked = [(f"{category}.pdf", PDF, "application/pdf") for category in categories]
    for category, file in zip(categories, checked, strict=True):
        materials.file_under(user, application, category, [file])
    db.session.commit()


def _next_number() -> int:
    """The next application's ordinal in this database (deterministic per test, whatever helper submits)."""
    return (db.session.scalar(select(func.count(Application.id))) or 0) + 1


def _owner(application: Application) -> str:
    return {"连云港海润机械制造有限公司": "ent1", "东海县晶华硅材料有限公司": "ent2"}.get(
        application.enterprise.name, "ent3"
    )


def day(text: str) -> date:
    return date.fromisoformat(text)


def busy_fund() -> dict[str, int]:
    """Six applications over the cast, each driven through the services, for the tests that need a fund at work:
    ent1's 9,600,000.00 bridge out and back the same day and archived (fee 3,840.00: one day at 0.4‰, R1–R3),
    ent1's 24,000,000.00 bridge out with JSB, ent2's one waiting for review and one
    committed by JSB, ent3's one with JSB and one overdue at ICBC waiting for the leading group (R6).

    Cash afterwards: 200,000,000.00 − 24,000,000.00 + the archived bridge's fee."""
    today = clock.today()
    users = {u.username: u for u in db.session.scalars(select(User))}
    banks = {b.code: b.id for b in db.session.scalars(select(Bank))}

    def apply(
        who: str, bank: str, contract: str, due: str, amount: str, days: int, own: str, due_on: date | None = None
    ) -> int:
        data = lifecycle.ApplicationInput(
            bank_id=banks[bank],
            loan_contract_no=contract,
            loan_amount_due=M(due),
            loan_due_date=due_on or today + timedelta(days=3),
            loan_overdue=due_on is not None,
            requested_amount=M(amount),
            requested_days=days,
            own_funds=M(own),
            purpose="归还到期流动资金贷款，银行续贷后归还",
        )
        application = lifecycle.submit_application(users[who], data)
        attach(users[who], application, ENTERPRISE_MATERIALS)
        return application.id

    def through_commit(a: int, bank_user: str, committed: str) -> None:
        attach(users["reviewer"], db.session.get(Application, a), ("credit_report",))  # type: ignore[arg-type]
        lifecycle.accept(users["reviewer"], a, **credit_ok("人行征信无不良记录", "材料齐全，符合受理条件"))
        attach(users[bank_user], db.session.get(Application, a), ("commitment",))  # type: ignore[arg-type]
        lifecycle.commit(users[bank_user], a, M(committed), "同意续贷，到期后按原条件续贷", "承诺函〔2026〕号")

    done = apply("ent1", "ICBC-LYG", "工银借字2025第0318号", "12,000,000.00", "10,000,000.00", 3, "2,000,000.00")
    through_commit(done, "bank1", "12,000,000.00")
    lifecycle.approve(users["operator"], done, M("9,600,000.00"), M("2,400,000.00"), "额度按承诺80%核定")
    lifecycle.prepare_disbursement(users["operator"], done, today, "ZD-HK-0001")
    lifecycle.authorise_disbursement(users["operator2"], done)
    lifecycle.confirm_renewal(users["bank1"], done, "工银借字2026第1129号", M("12,000,000.00"), today)
    lifecycle.confirm_return(users["bank1"], done, today, M("9,600,000.00"), M("3,840.00"), "ICBC-HK-0001")
    lifecycle.archive(users["operator"], done, "资料已立卷归档")

    out = apply("ent1", "JSB-LYG", "苏银借字2025第0777号", "30,000,000.00", "24,000,000.00", 5, "6,000,000.00")
    through_commit(out, "bank2", "30,000,000.00")
    lifecycle.approve(users["operator"], out, M("24,000,000.00"), M("6,000,000.00"))
    lifecycle.prepare_disbursement(users["operator"], out, today, "ZD-HK-0002")
    lifecycle.authorise_disbursement(users["operator2"], out)

    waiting = apply("ent2", "ICBC-LYG", "工银借字2025第0521号", "5,000,000.00", "4,000,000.00", 3, "1,000,000.00")
    committed = apply("ent2", "JSB-LYG", "苏银借字2025第0902号", "8,000,000.00", "6,000,000.00", 4, "2,000,000.00")
    through_commit(committed, "bank2", "8,000,000.00")

    accepted = apply("ent3", "JSB-LYG", "苏银借字2025第1033号", "1,500,000.00", "1,200,000.00", 2, "300,000.00")
    attach(users["reviewer"], db.session.get(Application, accepted), ("credit_report",))  # type: ignore[arg-type]
    lifecycle.accept(users["reviewer"], accepted, **credit_ok("人行征信无不良记录", "材料齐全"))
    late = apply(
        "ent3", "ICBC-LYG", "工银借字2025第0666号", "1,000,000.00", "800,000.00", 3, "200,000.00", today - timedelta(2)
    )
    through_commit(late, "bank1", "1,000,000.00")
    lifecycle.approve(users["operator"], late, M("800,000.00"), M("200,000.00"), "贷款已逾期，报领导小组审批")
    return {
        "archived": done,
        "disbursed": out,
        "submitted": waiting,
        "committed": committed,
        "accepted": accepted,
        "group_review": late,
    }


def november_2026(traveller) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A month of the fund for the report tests, each step on its own day (the traveller moves the clock; it must
    start before 12 October 2026). Hand-computed figures are in the tests that read it.

    October: A0 ent2/JSB 4,000,000.00 out 12 Oct, renewed 13 Oct, back 15 Oct (3 days, fee 5,000.00).
    November: A1 ent1/ICBC 30,000,000.00 out 2 Nov, renewed 3 Nov, back 5 Nov (3 days, fee 37,500.00), archived;
    A2 ent3/JSB 10,000,000.00 out 9 Nov, renewed late 13 Nov (R9 deadline 11 Nov), back 14 Nov (5 days, 21,500.00);
    A3 ent2/ICBC 8,000,000.00 out 16 Nov, renewed 17 Nov, not back (due 26 Nov), recovery from 27 Nov;
    A4 ent1/JSB 5,000,000.00 rejected 20 Nov; A5 ent3/ICBC 2,000,000.00 approved 25 Nov (reserved), disbursed 1 Dec;
    A6 ent1/ICBC 1,000,000.00 submitted 1 Dec (after the month)."""
    from loanfund.services.oversight import recovery_file

    users = {u.username: u for u in db.session.scalars(select(User))}
    banks = {b.code: b.id for b in db.session.scalars(select(Bank))}
    bank_user = {"ICBC-LYG": "bank1", "JSB-LYG": "bank2"}

    def on(text: str) -> date:
        traveller.move_to(f"{text} 10:00:00+08:00")
        return clock.today()

    def submitted(who: str, bank: str, amount: str, days: int, due: str, own: str) -> int:
        data = lifecycle.ApplicationInput(
            bank_id=banks[bank],
            loan_contract_no=f"借字{clock.today():%m%d}号",
            loan_amount_due=M(due),
            loan_due_date=clock.today() + timedelta(days=1),
            loan_overdue=False,
            requested_amount=M(amount),
            requested_days=days,
            own_funds=M(own),
            purpose="归还到期贷款",
        )
        return lifecycle.submit_application(users[who], data).id

    def apply(who: str, bank: str, amount: str, days: int, due: str, own: str) -> int:
        a = submitted(who, bank, amount, days, due, own)
        application = db.session.get(Application, a)
        attach(users[who], application, ENTERPRISE_MATERIALS)  # type: ignore[arg-type]
        attach(users["reviewer"], application, ("credit_report",))  # type: ignore[arg-type]
        lifecycle.accept(users["reviewer"], a, **credit_ok("人行征信无不良记录", "材料齐全"))
        attach(users[bank_user[bank]], application, ("commitment",))  # type: ignore[arg-type]
        lifecycle.commit(users[bank_user[bank]], a, M(due), "同意续贷", f"承诺函{a}")
        lifecycle.approve(users["operator"], a, M(amount), M(own))
        return a

    def out(a: int, ref: str) -> None:
        lifecycle.prepare_disbursement(users["operator"], a, clock.today(), ref)
        lifecycle.authorise_disbursement(users["operator2"], a)

    def renew(a: int, bank: str, amount: str) -> None:
        lifecycle.confirm_renewal(users[bank_user[bank]], a, f"新借字{a}", M(amount), clock.today())

    def back(a: int, bank: str, principal: str, fee: str, ref: str) -> None:
        lifecycle.confirm_return(users[bank_user[bank]], a, clock.today(), M(principal), M(fee), ref)

    on("2026-10-12")
    a0 = apply("ent2", "JSB-LYG", "4,000,000.00", 3, "5,000,000.00", "1,000,000.00")
    out(a0, "HK-A0")
    on("2026-10-13")
    renew(a0, "JSB-LYG", "5,000,000.00")
    on("2026-10-15")
    back(a0, "JSB-LYG", "4,000,000.00", "5,000.00", "HS-A0")

    on("2026-11-02")
    a1 = apply("ent1", "ICBC-LYG", "30,000,000.00", 3, "40,000,000.00", "10,000,000.00")
    out(a1, "HK-A1")
    on("2026-11-03")
    renew(a1, "ICBC-LYG", "40,000,000.00")
    on("2026-11-05")
    back(a1, "ICBC-LYG", "30,000,000.00", "37,500.00", "HS-A1")
    lifecycle.archive(users["operator"], a1, "立卷归档")

    on("2026-11-09")
    a2 = apply("ent3", "JSB-LYG", "10,000,000.00", 5, "12,500,000.00", "2,500,000.00")
    out(a2, "HK-A2")
    on("2026-11-13")
    renew(a2, "JSB-LYG", "12,500,000.00")
    on("2026-11-14")
    back(a2, "JSB-LYG", "10,000,000.00", "21,500.00", "HS-A2")

    on("2026-11-16")
    a3 = apply("ent2", "ICBC-LYG", "8,000,000.00", 3, "10,000,000.00", "2,000,000.00")
    out(a3, "HK-A3")
    on("2026-11-17")
    renew(a3, "ICBC-LYG", "10,000,000.00")

    on("2026-11-20")
    a4 = submitted("ent1", "JSB-LYG", "5,000,000.00", 3, "6,000,000.00", "1,000,000.00")
    lifecycle.reject(users["reviewer"], a4, "经营异常")

    on("2026-11-25")
    a5 = apply("ent3", "ICBC-LYG", "2,000,000.00", 3, "2,500,000.00", "500,000.00")

    on("2026-11-27")
    lifecycle.open_recovery(users["operator"], a3, "约谈企业，督促筹款")
    recovery_file.record_cause(users["operator"], a3, "企业下游货款未到")
    on("2026-11-28")
    recovery_file.record_measure(users["operator"], a3, clock.today(), "向担保人发出催收函", Money.zero())

    on("2026-12-01")
    out(a5, "HK-A5")
    a6 = submitted("ent1", "ICBC-LYG", "1,000,000.00", 3, "2,000,000.00", "1,000,000.00")
    return {"A0": a0, "A1": a1, "A2": a2, "A3": a3, "A4": a4, "A5": a5, "A6": a6}
