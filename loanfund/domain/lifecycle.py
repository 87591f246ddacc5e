"""Roles and application states (DESIGN.md §2, §3), with their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    REVIEWER = "reviewer"
    OPERATOR = "operator"
    BANK = "bank"
    GROUP = "group"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ENTERPRISE: "企业",
    Role.REVIEWER: "平台审核（市中小企业发展中心）",
    Role.OPERATOR: "平台运营（市工业投资集团）",
    Role.BANK: "合作银行",
    Role.GROUP: "领导小组办公室",
    Role.ADMIN: "系统管理员",
}


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

# Money of the fund is out in these states: the application cannot simply end (DESIGN §3).
MONEY_OUT_STATES = frozenset({State.DISBURSED, State.RENEWED, State.RECOVERY})
