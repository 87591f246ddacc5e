"""A second factor (issue 30), on both databases: RFC 6238's own vectors; enrolment by a first code, with ten
recovery codes shown once and kept as digests; each code taken once (its twin at the same moment too); wrong codes
counted and the user made to wait; the two steps that let money go or book its loss refused without a code checked
for their actor just before — and refused outright, where the deployment requires one, to a user without one; an
administrator's reset; every event recorded."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotAllowed
from loanfund.domain.lifecycle import Action, State
from loanfund.extensions import db
from loanfund.models import Application, RecoveryCode, SecondFactor, SecondFactorEvent, User, UserSession
from loanfund.services import lifecycle
from loanfund.services.people import second_factor, sessions
from loanfund.services.people.second_factor import Passed

pytestmark = pytest.mark.both_databases

ADDRESS = "10.0.0.9"
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 seed "12345678901234567890", in base32
WRONG = "动态验证码不正确或已使用过，请输入验证器应用当前显示的 6 位数字，或一个未用过的恢复码"
THROTTLED = "动态验证码连续错误 5 次，请 15 分钟后再试，或请系统管理员重置两步验证"


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def code_now(secret: str, shift_steps: int = 0) -> str:
    """What the user's app shows now (or ``shift_steps`` steps from now): the RFC's algorithm, as pyotp computes it."""
    return pyotp.TOTP(secret).at(int(clock.utcnow().timestamp()) + 30 * shift_steps)


def enrol(name: str) -> tuple[str, list[str]]:
    """Turn ``name``'s second factor on: the secret and the recovery codes."""
    who = user(name)
    enrolment = second_factor.begin_enrolment(who)
    codes = second_factor.confirm_enrolment(who, code_now(enrolment.secret), address=ADDRESS)
    return enrolment.secret, codes


def prepared(flows) -> Application:  # type: ignore[no-untyped-def]
    """An application approved and prepared by the maker: the checker's authorisation next."""
    application = flows.to(State.APPROVED)
    flows.step(application, "prepare")
    return application


def events(name: str) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(SecondFactorEvent).where(SecondFactorEvent.user_id == user(name).id).order_by(SecondFactorEvent.id)
    )
    return [(e.kind, e.purpose) for e in rows]


@pytest.mark.parametrize(
    ("at", "code", "step"),
    [  # RFC 6238, appendix B (SHA-1), the last six of its eight digits
        (59, "287082", 1),
        (1111111109, "081804", 37037036),
        (1111111111, "050471", 37037037),
        (1234567890, "005924", 41152263),
        (2000000000, "279037", 66666666),
    ],
)
def test_a_code_is_matched_to_its_30_second_step_as_rfc_6238_computes_it(at: int, code: str, step: int) -> None:
    now = datetime.fromtimestamp(at, UTC)
    assert second_factor._matching_step(RFC_SECRET, code, now) == step
    assert second_factor._matching_step(RFC_SECRET, code, now + timedelta(seconds=30)) == step  # a step late
    assert second_factor._matching_step(RFC_SECRET, code, now + timedelta(seconds=61)) is None  # two steps late
    assert second_factor._matching_step(RFC_SECRET, "12345", now) is None


def test_enrolment_is_on_only_after_a_first_code_and_shows_ten_recovery_codes_once(people, traveller):
    operator = user("operator")
    enrolment = second_factor.begin_enrolment(operator)
    assert enrolment.uri.startswith("otpauth://totp/") and f"secret={enrolment.secret}" in enrolment.uri
    assert enrolment.qr_svg.startswith("<svg") and len(enrolment.secret) == 32
    assert not second_factor.enrolled(operator)
    with pytest.raises(InvalidInput) as refused:
        second_factor.confirm_enrolment(
            operator, "000000" if code_now(enrolment.secret) != "000000" else "111111", address=ADDRESS
        )
    assert refused.value.errors == {"otp": ["动态验证码不正确：请输入验证器应用扫描二维码后显示的 6 位数字"]}
    db.session.rollback()
    codes = second_factor.confirm_enrolment(operator, code_now(enrolment.secret), address=ADDRESS)
    assert len(codes) == 10 and len(set(codes)) == 10 and all(len(c) == 11 and c[5] == "-" for c in codes)
    assert second_factor.enrolled(operator) and second_factor.unused_recovery_codes(operator) == 10
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == operator.id)))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}  # digests only
    with pytest.raises(NotAllowed, match="两步验证已启用"):
        second_factor.begin_enrolment(operator)
    with pytest.raises(NotAllowed, match="平台运营、领导小组和系统管理员"):
        second_factor.begin_enrolment(user("ent1"))  # an enterprise's account is not asked for one
    assert events("operator") == [("enrolled", "enrolment")]


def test_each_code_is_taken_once_and_a_recovery_code_stands_in_for_one(people, traveller):
    secret, codes = enrol("operator")
    operator = user("operator")
    traveller.shift(timedelta(seconds=30))  # the enrolment's code was this step's: the next one
    current = code_now(secret)
    passed = second_factor.check(operator, current, purpose="login", address=ADDRESS)
    assert passed == Passed(operator.id, clock.utcnow())
    with pytest.raises(InvalidInput) as again:
        second_factor.check(operator, current, purpose="login", address=ADDRESS)  # typed twice, or overheard
    assert again.value.errors == {"otp": [WRONG]}
    traveller.shift(timedelta(seconds=30))
    with pytest.raises(InvalidInput):  # the code before the one taken: its step is not after the last
        second_factor.check(operator, code_now(secret, -2), purpose="login", address=ADDRESS)
    second_factor.check(operator, code_now(secret, +1), purpose="login", address=ADDRESS)  # a phone a step ahead
    typed = " " + codes[0].upper() + " "  # as read off paper: case and spaces do not matter
    second_factor.check(operator, typed, purpose="login", address=ADDRESS)
    with pytest.raises(InvalidInput):
        second_factor.check(operator, codes[0], purpose="login", address=ADDRESS)
    assert second_factor.unused_recovery_codes(operator) == 9
    with pytest.raises(InvalidInput) as empty:
        second_factor.check(operator, "  ", purpose="login", address=ADDRESS)
    assert empty.value.errors == {"otp": ["请输入动态验证码"]}
    assert [kind for kind, _ in events("operator")] == [
        "enrolled",
        "passed",
        "wrong",
        "wrong",
        "passed",
        "recovery_used",
        "wrong",
    ]


def test_five_wrong_codes_make_the_user_wait_a_quarter_of_an_hour(people, traveller):
    secret, _ = enrol("operator2")
    operator2 = user("operator2")
    traveller.shift(timedelta(seconds=30))
    wrong = "123456" if code_now(secret) != "123456" else "654321"
    for _ in range(4):
        with pytest.raises(InvalidInput, match="动态验证码不正确"):
            second_factor.check(operator2, wrong, purpose="authorise-disbursement", address=ADDRESS)
    with pytest.raises(InvalidInput, match="动态验证码不正确"):  # the fifth is still checked, and locks
        second_factor.check(operator2, wrong, purpose="authorise-disbursement", address=ADDRESS)
    with pytest.raises(InvalidInput) as waiting:  # the right code, unchecked: the user waits
        second_factor.check(operator2, code_now(secret), purpose="authorise-disbursement", address=ADDRESS)
    assert waiting.value.errors == {"otp": [THROTTLED]}
    traveller.shift(timedelta(minutes=15, seconds=1))
    second_factor.check(operator2, code_now(secret), purpose="authorise-disbursement", address=ADDRESS)
    assert [kind for kind, _ in events("operator2")][-3:] == ["wrong", "throttled", "passed"]


def test_money_goes_out_only_with_the_checkers_code_checked_just_before(flows, traveller):
    prepared_ = prepared(flows)
    secret, _ = enrol("operator2")
    checker, operator = user("operator2"), user("operator")
    traveller.shift(timedelta(seconds=30))
    with pytest.raises(InvalidInput) as without:
        lifecycle.take(checker, prepared_.id, Action.AUTHORISE_DISBURSEMENT)
    assert without.value.errors == {"otp": ["请输入动态验证码"]}
    db.session.rollback()
    with pytest.raises(InvalidInput):  # a code checked for someone else is not the checker's
        lifecycle.take(checker, prepared_.id, Action.AUTHORISE_DISBURSEMENT, passed=Passed(operator.id, clock.utcnow()))
    db.session.rollback()
    passed = second_factor.check(checker, code_now(secret), purpose="authorise-disbursement", address=ADDRESS)
    traveller.shift(timedelta(minutes=5, seconds=1))
    with pytest.raises(InvalidInput):  # checked too long ago
        lifecycle.take(checker, prepared_.id, Action.AUTHORISE_DISBURSEMENT, passed=passed)
    db.session.rollback()
    assert db.session.get_one(Application, prepared_.id).state == State.APPROVED.value
    passed = second_factor.check(checker, code_now(secret), purpose="authorise-disbursement", address=ADDRESS)
    done = lifecycle.take(checker, prepared_.id, Action.AUTHORISE_DISBURSEMENT, passed=passed)
    assert done.application.state == State.DISBURSED.value


def test_where_one_is_required_a_user_without_one_is_refused_the_steps(app, flows, traveller):
    prepared_ = prepared(flows)
    app.config["SECOND_FACTOR_REQUIRED"] = True
    try:
        assert second_factor.must_enrol(user("operator2")) and not second_factor.must_enrol(user("ent1"))
        with pytest.raises(NotAllowed) as refused:
            lifecycle.take(user("operator2"), prepared_.id, Action.AUTHORISE_DISBURSEMENT)
        assert refused.value.message == "须先启用两步验证（账户 → 两步验证），才能办理此项"
        db.session.rollback()
        enrol("operator2")
        assert not second_factor.must_enrol(user("operator2"))
    finally:
        app.config["SECOND_FACTOR_REQUIRED"] = False


def test_a_write_off_asks_the_groups_code_too(flows, traveller):
    assert {a for a, s in lifecycle.STEPS.items() if s.second_factor} == {
        Action.AUTHORISE_DISBURSEMENT,
        Action.WRITE_OFF,
    }
    in_recovery = flows.to(State.RECOVERY)
    secret, _ = enrol("group")
    traveller.shift(timedelta(seconds=30))
    with pytest.raises(InvalidInput):
        lifecycle.take(user("group"), in_recovery.id, Action.WRITE_OFF, minutes_ref="纪要〔2026〕9号")
    db.session.rollback()
    passed = second_factor.check(user("group"), code_now(secret), purpose="write-off", address=ADDRESS)
    done = lifecycle.take(user("group"), in_recovery.id, Action.WRITE_OFF, passed=passed, minutes_ref="纪要〔2026〕9号")
    assert done.application.state == State.WRITTEN_OFF.value
    assert events("group")[-1] == ("passed", "write-off")


def test_an_administrator_resets_a_lost_phone_and_the_users_sessions_end(people, traveller):
    enrol("operator")
    operator = user("operator")
    sessions.begin(operator, address=ADDRESS, agent="test")
    assert second_factor.reset(user("admin"), operator, address="10.0.0.1") is True
    assert not second_factor.enrolled(operator) and second_factor.unused_recovery_codes(operator) == 0
    assert db.session.scalar(select(func.count()).select_from(SecondFactor)) == 0
    still_open = (
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == operator.id, UserSession.ended_at.is_(None))
    )
    assert db.session.scalar(still_open) == 0
    last = db.session.scalars(select(SecondFactorEvent).order_by(SecondFactorEvent.id.desc())).first()
    assert last is not None and (last.kind, last.by_id, last.address) == ("reset", user("admin").id, "10.0.0.1")
    assert second_factor.reset(user("admin"), operator, address="10.0.0.1") is False  # nothing to reset: no record
    assert [kind for kind, _ in events("operator")] == ["enrolled", "reset"]


def test_turning_it_off_or_renewing_the_codes_needs_a_code(people, traveller):
    secret, old = enrol("admin")
    admin = user("admin")
    traveller.shift(timedelta(seconds=30))
    with pytest.raises(InvalidInput):
        second_factor.remove(admin, None, address=ADDRESS)  # type: ignore[arg-type]
    db.session.rollback()
    passed = second_factor.check(admin, code_now(secret), purpose="renew", address=ADDRESS)
    new = second_factor.renew_recovery_codes(admin, passed, address=ADDRESS)
    assert set(new).isdisjoint(old) and second_factor.unused_recovery_codes(admin) == 10
    with pytest.raises(InvalidInput):
        second_factor.check(admin, old[1], purpose="login", address=ADDRESS)  # the old ones are void
    traveller.shift(timedelta(seconds=30))
    passed = second_factor.check(admin, code_now(secret), purpose="remove", address=ADDRESS)
    second_factor.remove(admin, passed, address=ADDRESS)
    assert not second_factor.enrolled(admin)
    assert [kind for kind, _ in events("admin")] == [
        "enrolled",
        "passed",
        "codes_renewed",
        "wrong",
        "passed",
        "removed",
    ]


@pytest.mark.migrated  # SQLite as a file, its writers serialised as in production (in memory it is one connection)
def test_one_code_typed_twice_at_once_is_taken_once(people, traveller, app):
    secret, _ = enrol("operator")
    traveller.shift(timedelta(seconds=30))
    code = code_now(secret)
    operator_id = user("operator").id
    db.session.remove()
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def use() -> None:
        with app.app_context():
            try:
                who = db.session.get_one(User, operator_id)
                db.session.rollback()
                barrier.wait(timeout=30)
                second_factor.check(who, code, purpose="authorise-disbursement", address=ADDRESS)
                result = "passed"
            except InvalidInput:
                db.session.rollback()
                result = "refused"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["passed", "refused"]
    assert sorted(kind for kind, _ in events("operator")) == ["enrolled", "passed", "wrong"]
