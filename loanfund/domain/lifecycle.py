"""Roles and application states (DESIGN.md §2, §3), with their Chinese labels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from loanfund.domain.errors import NotAllowed


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    REVIEWER = "reviewer"
    OPERATOR = "operator"
    BANK = "bank"
    GROUP = "group"
    ADMIN = "admin"
    PLATFORM = "platform"  # the platform's administrator: creates funds and their administrators (DESIGN §7)
    OVERSEER = "overseer"  # reads every fund's reports and the consolidated view, acts on none (e.g. 工业和信息化局)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ENTERPRISE: "企业",
    Role.REVIEWER: "平台审核",  # each fund names the body that does it (Fund.reviewing_body, .operating_body)
    Role.OPERATOR: "平台运营",
    Role.BANK: "合作银行",
    Role.GROUP: "领导小组办公室",
    Role.ADMIN: "系统管理员",
    Role.PLATFORM: "平台管理员",
    Role.OVERSEER: "监管部门",
}

# the platform's own people work for no fund; everyone else but an enterprise's user works for one (DESIGN §7)
PLATFORM_ROLES = frozenset({Role.PLATFORM, Role.OVERSEER})
FUNDLESS_ROLES = PLATFORM_ROLES | {Role.ENTERPRISE}


class State(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    BANK_COMMITTED = "bank_committed"
    GROUP_REVIEW = "group_review"
    APPROVED = "approved"
    DISBURSED = "disbursed"
    RENEWED = "renewed"
    REPAID = "repaid"
    ARCHIVED = "archived"
    REJECTED = "rejected"
    BANK_DECLINED = "bank_declined"
    GROUP_REJECTED = "group_rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    RECOVERY = "recovery"
    WRITTEN_OFF = "written_off"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[State, str] = {
    State.SUBMITTED: "已提交",
    State.ACCEPTED: "已受理",
    State.BANK_COMMITTED: "银行已承诺",
    State.GROUP_REVIEW: "待领导小组审批",
    State.APPROVED: "已批准",
    State.DISBURSED: "已放款",
    State.RENEWED: "银行已续贷",
    State.REPAID: "已收回",
    State.ARCHIVED: "已归档",
    State.REJECTED: "不予受理",
    State.BANK_DECLINED: "银行不同意",
    State.GROUP_REJECTED: "领导小组否决",
    State.WITHDRAWN: "已撤回",
    State.CANCELLED: "已取消",
    State.RECOVERY: "追偿中",
    State.WRITTEN_OFF: "已核销",
}

SETTLED_BY_BANK_LABEL = "银行已清偿"  # DESIGN §3: a bridge repaid because its bank paid the claim in full (R12)


def shown_state_label(state: State, settled_by_bank: bool) -> str:
    """A state's label as people read it: repaid by the bank's payment of its claim is shown 银行已清偿."""
    return SETTLED_BY_BANK_LABEL if state is State.REPAID and settled_by_bank else state.label


# Money of the fund is out in these states: the application cannot simply end (DESIGN §3).
MONEY_OUT_STATES = frozenset({State.DISBURSED, State.RENEWED, State.RECOVERY})
# A bridge that went out and was never renewed is in one of these: the bank's R9 deadline is still held against it.
NOT_RENEWED_STATES = frozenset({State.DISBURSED, State.RECOVERY, State.WRITTEN_OFF})


class Action(StrEnum):
    """Every step an application can take (DESIGN §3). Values are the API's action names."""

    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    COMMIT = "commit"
    DECLINE = "decline"
    APPROVE = "approve"
    GROUP_APPROVE = "group-approve"
    GROUP_REJECT = "group-reject"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    PREPARE_DISBURSEMENT = "prepare-disbursement"
    AUTHORISE_DISBURSEMENT = "authorise-disbursement"
    RETURN_PREPARATION = "return-preparation"  # the checker sends a preparation back to the maker
    CONFIRM_RENEWAL = "confirm-renewal"
    CONFIRM_RETURN = "confirm-return"
    OPEN_RECOVERY = "open-recovery"
    WRITE_OFF = "write-off"
    ARCHIVE = "archive"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "提交申请",
    Action.ACCEPT: "受理",
    Action.REJECT: "不予受理",
    Action.COMMIT: "出具转贷承诺",
    Action.DECLINE: "银行不同意",
    Action.APPROVE: "批准",
    Action.GROUP_APPROVE: "领导小组批准",
    Action.GROUP_REJECT: "领导小组否决",
    Action.WITHDRAW: "撤回",
    Action.CANCEL: "取消",
    Action.PREPARE_DISBURSEMENT: "制单（放款）",
    Action.AUTHORISE_DISBURSEMENT: "复核放款",
    Action.RETURN_PREPARATION: "退回制单",
    Action.CONFIRM_RENEWAL: "确认续贷",
    Action.CONFIRM_RETURN: "确认收回",
    Action.OPEN_RECOVERY: "启动追偿",
    Action.WRITE_OFF: "核销",
    Action.ARCHIVE: "归档",
}


@dataclass(frozen=True)
class Transition:
    """``(state, action)`` leads to ``target`` when one of ``roles`` takes it.

    ``alternative`` is the other state the step may lead to, decided by a rule: approval goes to ``group_review``
    when R6 applies; a return that does not settle everything leaves the application where it is (shortfall).
    """

    target: State
    roles: frozenset[Role]
    alternative: State | None = None


def _t(target: State, *roles: Role, alternative: State | None = None) -> Transition:
    return Transition(target, frozenset(roles), alternative)


_E, _RV, _OP, _BK, _GR = Role.ENTERPRISE, Role.REVIEWER, Role.OPERATOR, Role.BANK, Role.GROUP
S = State

# The whole lifecycle. Anything not in this table is refused.
TRANSITIONS: dict[tuple[State, Action], Transition] = {
    (S.SUBMITTED, Action.ACCEPT): _t(S.ACCEPTED, _RV),
    (S.SUBMITTED, Action.REJECT): _t(S.REJECTED, _RV),
    (S.ACCEPTED, Action.COMMIT): _t(S.BANK_COMMITTED, _BK),
    (S.ACCEPTED, Action.DECLINE): _t(S.BANK_DECLINED, _BK),
    (S.BANK_COMMITTED, Action.APPROVE): _t(S.APPROVED, _OP, alternative=S.GROUP_REVIEW),
    (S.GROUP_REVIEW, Action.GROUP_APPROVE): _t(S.APPROVED, _GR),
    (S.GROUP_REVIEW, Action.GROUP_REJECT): _t(S.GROUP_REJECTED, _GR),
    (S.APPROVED, Action.PREPARE_DISBURSEMENT): _t(S.APPROVED, _OP),
    (S.APPROVED, Action.AUTHORISE_DISBURSEMENT): _t(S.DISBURSED, _OP),
    (S.APPROVED, Action.RETURN_PREPARATION): _t(S.APPROVED, _OP),
    (S.APPROVED, Action.CANCEL): _t(S.CANCELLED, _OP),
    (S.DISBURSED, Action.CONFIRM_RENEWAL): _t(S.RENEWED, _BK),
    (S.DISBURSED, Action.CONFIRM_RETURN): _t(S.REPAID, _BK, _OP, alternative=S.DISBURSED),
    (S.RENEWED, Action.CONFIRM_RETURN): _t(S.REPAID, _BK, _OP, alternative=S.RENEWED),
    (S.RECOVERY, Action.CONFIRM_RETURN): _t(S.REPAID, _BK, _OP, alternative=S.RECOVERY),
    (S.DISBURSED, Action.OPEN_RECOVERY): _t(S.RECOVERY, _OP),
    (S.RENEWED, Action.OPEN_RECOVERY): _t(S.RECOVERY, _OP),
    (S.RECOVERY, Action.WRITE_OFF): _t(S.WRITTEN_OFF, _GR),
    (S.REPAID, Action.ARCHIVE): _t(S.ARCHIVED, _OP),
    **{
        (state, Action.WITHDRAW): _t(S.WITHDRAWN, _E, _OP)
        for state in (S.SUBMITTED, S.ACCEPTED, S.BANK_COMMITTED, S.GROUP_REVIEW, S.APPROVED)
    },
}

# Who ever takes each action, whatever the state.
ACTION_ROLES: dict[Action, frozenset[Role]] = {}
for (_state, _action), _transition in TRANSITIONS.items():
    ACTION_ROLES[_action] = ACTION_ROLES.get(_action, frozenset()) | _transition.roles
ACTION_ROLES[Action.SUBMIT] = frozenset({Role.ENTERPRISE})

# A bridge's ordinary way through the table, from its submission to its archive, each step by the role that ordinarily
# takes it: what a past bridge of the fund's 台账 (issue 29), made before LoanFund, is recorded as having gone through.
ORDINARY_PATH: tuple[tuple[Action, Role], ...] = (
    (Action.SUBMIT, _E),
    (Action.ACCEPT, _RV),
    (Action.COMMIT, _BK),
    (Action.APPROVE, _OP),
    (Action.PREPARE_DISBURSEMENT, _OP),
    (Action.AUTHORISE_DISBURSEMENT, _OP),
    (Action.CONFIRM_RENEWAL, _BK),
    (Action.CONFIRM_RETURN, _BK),
    (Action.ARCHIVE, _OP),
)


def ordinary_path() -> list[tuple[Action, Role, State | None, State]]:
    """``ORDINARY_PATH`` walked through ``TRANSITIONS``: each step with the state it leaves and the one it reaches (a
    step the table does not allow from there fails here, at import, not in a record)."""
    walked: list[tuple[Action, Role, State | None, State]] = []
    state: State | None = None
    for action, role in ORDINARY_PATH:
        target = S.SUBMITTED if state is None else transition_for(state, action, role).target
        walked.append((action, role, state, target))
        state = target
    return walked


# States an application never leaves.
FINAL_STATES = frozenset(
    {S.ARCHIVED, S.REJECTED, S.BANK_DECLINED, S.GROUP_REJECTED, S.WITHDRAWN, S.CANCELLED, S.WRITTEN_OFF}
)
# Being decided or with money out: one such application per loan contract (a second is a duplicate submission).
OPEN_STATES = frozenset(
    {S.SUBMITTED, S.ACCEPTED, S.BANK_COMMITTED, S.GROUP_REVIEW, S.APPROVED, S.DISBURSED, S.RENEWED, S.RECOVERY}
)
# Approved (or awaiting the group) and not yet disbursed: the amount is reserved in the special account (R8).
RESERVING_STATES = frozenset({S.GROUP_REVIEW, S.APPROVED})


def transition_for(state: State, action: Action, role: Role) -> Transition:
    """The transition ``role`` may take with ``action`` from ``state``.

    :raise NotAllowed: ``role_not_allowed`` when the role never takes this action (→ 403);
        ``state_not_allowed`` when it does, but not from this state (→ 409).
    """
    if role not in ACTION_ROLES.get(action, frozenset()):
        raise NotAllowed(f"“{role.label}”无权执行“{action.label}”", code="role_not_allowed")
    transition = TRANSITIONS.get((state, action))
    if transition is None or role not in transition.roles:
        raise NotAllowed(f"当前状态“{state.label}”下不能执行“{action.label}”", code="state_not_allowed")
    return transition


def actions_for(state: State, role: Role) -> list[Action]:
    """What ``role`` may do from ``state`` — for showing the right buttons."""
    return [action for (s, action), t in TRANSITIONS.items() if s is state and role in t.roles]
