"""Before money moves: a step run up to the point of committing, looked at, and thrown away.

The confirmation a user reads is what the real step would do, worked out by the real step: ``rehearse`` runs the use
case with every rule and every guarded UPDATE, takes its picture inside the transaction (the application as the step
leaves it, the special account's position after it), and rolls back. Nothing is worked out twice, so the page cannot
promise something the step would not do; the step itself runs again when the user confirms (and may then be refused,
if somebody else moved first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Generic, TypeVar

from loanfund.domain.lifecycle import Action, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, User
from loanfund.services import fund, lifecycle, uow
from loanfund.services.access import STAFF_READERS

T = TypeVar("T")
R = TypeVar("R")


class _Rehearsed(Exception, Generic[R]):
    """Carries the picture out of the transaction it was taken in (and stops the commit)."""

    def __init__(self, picture: R) -> None:
        super().__init__("rehearsed")
        self.picture = picture


def rehearse(use_case: Callable[[], T], look: Callable[[T], R]) -> R:
    """Run ``use_case`` up to its commit, return ``look(result)`` taken inside its transaction, and roll back.

    A refusal (``InvalidInput``, ``RuleViolation``, ``NotAllowed``…) propagates as it would from the real call, with
    the session rolled back.
    """

    def stop(result: Any) -> None:
        raise _Rehearsed(look(result))

    try:
        with uow.committing_with(stop):
            use_case()
    except _Rehearsed as done:
        uow.discard()
        return done.picture  # type: ignore[no-any-return]
    except BaseException:
        uow.discard()
        raise
    uow.discard()
    raise RuntimeError("the use case returned without committing")  # every use case ends in uow.finish


@dataclass(frozen=True)
class Effect:
    """The special account before and after a step: its cash, and what is available (cash − reservations)."""

    before: fund.FundPosition
    after: fund.FundPosition

    @property
    def cash_change(self) -> Money:
        return self.after.cash - self.before.cash

    @property
    def available_change(self) -> Money:
        return self.after.available - self.before.available


@dataclass(frozen=True)
class Confirmation:
    """What a step will do, for the page that asks "确认？" before it is taken."""

    title: str  # the step, as its button names it: 批准, 复核放款, 登记出资
    amount_label: str = ""
    amount: Money | None = None
    lines: tuple[tuple[str, str], ...] = ()  # what else the step records, as label and value
    payee: tuple[str, str, str] | None = None  # account name, bank, account number
    date_label: str = ""
    on: date | None = None
    states: tuple[State, State] | None = None  # an application's state before and after
    effect: Effect | None = None  # for the platform's staff only (the fund's position is theirs, DESIGN §2)
    warning: str = ""  # what cannot be undone, in plain words
    danger: bool = False  # it closes or refuses something: the button is red

    @property
    def button(self) -> str:
        """The confirming button's words: 确认批准, 确认收回 (not 确认确认收回)."""
        return self.title if self.title.startswith("确认") else f"确认{self.title}"


def confirm_money(
    title: str, use_case: Callable[[], T], describe: Callable[[T], Confirmation], warning: str = ""
) -> Confirmation:
    """What a use case of the special account itself (a contribution, a distribution, a payment) would do: its own
    description with the account's position before and after (these pages are the platform's)."""
    before = fund.position()

    def look(result: T) -> Confirmation:
        return replace(describe(result), title=title, effect=Effect(before, fund.position()), warning=warning)

    return rehearse(use_case, look)


# Steps that close an application or refuse it: shown in red.
DANGER = frozenset(
    {Action.REJECT, Action.DECLINE, Action.GROUP_REJECT, Action.WITHDRAW, Action.CANCEL, Action.WRITE_OFF}
)

# Steps after which the application is closed for good, and what that means for the user.
FINAL = {
    Action.REJECT: "不予受理后申请即终止，企业需重新提交申请。",
    Action.DECLINE: "银行不同意续贷后申请即终止。",
    Action.GROUP_REJECT: "领导小组不同意后申请即终止，已预留的资金随即释放。",
    Action.WITHDRAW: "撤回后申请即终止，不能恢复；如仍需资金须重新申请。",
    Action.CANCEL: "取消后申请即终止，已预留的资金随即释放。",
    Action.WRITE_OFF: "核销后不再作为应收款项跟踪，损失计入专用账户。",
    Action.AUTHORISE_DISBURSEMENT: "复核后资金即从专用账户划出，不能撤销。",
    Action.CONFIRM_RETURN: "确认后收回款项即记入专用账户，不能撤销。",
    Action.ARCHIVE: "归档后申请不能再修改，使用情况说明表随即定稿。",
}


def confirm_step(actor: User, application_id: int, action: Action, **inputs: Any) -> Confirmation:
    """What taking ``action`` with ``inputs`` would do now (the same refusals as ``lifecycle.take``)."""
    staff = actor.role_enum in STAFF_READERS
    before = fund.position() if staff else None
    state_before = State(lifecycle.get(actor, application_id).state)

    def look(application: Application) -> Confirmation:
        label, amount, lines = _money(application, action, inputs)
        date_label, on = _day(application, action, inputs)
        payee = None
        paying = action in (Action.PREPARE_DISBURSEMENT, Action.AUTHORISE_DISBURSEMENT)
        if paying and application.destination_account_no:
            payee = (
                application.destination_account_name or "",
                application.destination_account_bank or "",
                application.destination_account_no,
            )
        return Confirmation(
            title=action.label,
            states=(state_before, State(application.state)),
            amount_label=label,
            amount=amount,
            date_label=date_label,
            on=on,
            payee=payee,
            lines=lines,
            effect=Effect(before, fund.position()) if before is not None else None,
            warning=_warning(application, action),
            danger=action in DANGER,
        )

    return rehearse(lambda: lifecycle.take(actor, application_id, action, **inputs), look)


def _money(
    application: Application, action: Action, inputs: dict[str, Any]
) -> tuple[str, Money | None, tuple[tuple[str, str], ...]]:
    """The amount the step is about, and its parts."""
    if action is Action.COMMIT:
        return (
            "承诺续贷额度",
            application.committed_amount,
            (("按此承诺", lifecycle.commitment(application).explain()),),
        )
    if action in (Action.APPROVE, Action.GROUP_APPROVE):
        return "批准金额", application.approved_amount, ()
    if action is Action.AUTHORISE_DISBURSEMENT:  # the checker sees what the maker prepared, and who did
        maker = db.session.get(User, application.prepared_by_id) if application.prepared_by_id else None
        maker_name = maker.display_name if maker else ""
        return (
            "放款金额",
            application.approved_amount,
            (("划款凭证号", application.disbursement_ref or ""), ("制单人", maker_name)),
        )
    if action in (Action.PREPARE_DISBURSEMENT, Action.RETURN_PREPARATION):
        return "放款金额", application.approved_amount, ()
    if action is Action.CONFIRM_RENEWAL:
        return "续贷金额", application.new_loan_amount, ()
    if action is Action.CONFIRM_RETURN:
        principal, fee = inputs["principal"], inputs["fee"]
        account = lifecycle.account_of(application)
        lines = [("其中本金", f"{principal.format()} 元"), ("其中用款费用", f"{fee.format()} 元")]
        if account is not None and not account.settled:
            lines.append(
                (
                    "收回后尚欠",
                    f"本金 {account.principal_outstanding.format()} 元、用款费用 {account.fee_outstanding.format()} 元",
                )
            )
        return "本次收回", principal + fee, tuple(lines)
    if action in (Action.OPEN_RECOVERY, Action.WRITE_OFF):
        account = lifecycle.account_of(application)
        return "尚未收回", account.outstanding if account else None, ()
    if action is Action.ARCHIVE:
        return "", None, ()
    return (
        ("批准金额", application.approved_amount, ())
        if application.approved_amount
        else (
            "申请金额",
            application.requested_amount,
            (),
        )
    )


def _warning(application: Application, action: Action) -> str:
    """What the user must know before pressing 确认: what cannot be undone, or — a bank committing less than the
    enterprise needs — the shortfall it leaves."""
    if action is Action.COMMIT:
        short = lifecycle.commitment(application).short
        if short.is_positive:
            return (
                f"按此承诺，应急转贷资金不足以覆盖企业的申请：企业还需另筹 {short.format()} 元"
                f"（{short.capitals()}），企业将收到通知。如企业无法筹足，续贷可能无法办理。"
            )
    return FINAL.get(action, "")


def _day(application: Application, action: Action, inputs: dict[str, Any]) -> tuple[str, date | None]:
    if action in (Action.PREPARE_DISBURSEMENT, Action.AUTHORISE_DISBURSEMENT):
        return "起息日", application.value_date
    if action is Action.CONFIRM_RETURN:
        return "收回日期", inputs["received_on"]
    if action is Action.CONFIRM_RENEWAL:
        return "续贷发放日", application.renewed_on
    return "", None
