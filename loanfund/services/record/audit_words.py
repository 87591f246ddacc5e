"""The audit record in the words of the people who read it (the administrator and the leading group; issue 23): each
change as its field's name, the value before and after as they read elsewhere — states by their labels, amounts in
元, times in the fund's local time, yes and no — instead of column names, fen and UTC. The record itself is kept
exactly as written (``services.record.audit``); this only reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.credit import AdverseRecord, IndustryFit, Operating
from loanfund.domain.eligibility import BLACKLIST_GROUNDS, INDUSTRIES, Size
from loanfund.domain.events import event_label
from loanfund.domain.green_channel import Mortgage
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType
from loanfund.extensions import db
from loanfund.models import AuditRecord, Bank, District, Enterprise, User
from loanfund.services.applications.materials import PROVIDER_LABELS
from loanfund.services.group.group_register import KIND_LABELS as GROUP_DECISION_KINDS
from loanfund.types import MoneyType

FIELDS = {
    "account_bank": "开户行",
    "account_id": "科目",
    "account_name": "户名",
    "account_no": "账号",
    "action": "操作",
    "active": "启用",
    "actor_id": "操作人",
    "actor_role": "操作人角色",
    "address": "地址",
    "agreement_end": "协议截止日",
    "agreement_no": "协议编号",
    "agreement_start": "协议起始日",
    "amount": "金额",
    "analysis": "运行情况分析",
    "application_id": "申请",
    "approved_amount": "批准金额",
    "approved_by_id": "审批人",
    "approved_on": "批准日期",
    "archived_at": "归档时间",
    "assets": "资产总额",
    "at": "时间",
    "attendees": "出席人员",
    "authorised_at": "复核时间",
    "authorised_by_id": "复核人",
    "bank_id": "合作银行",
    "bank_name": "银行名称",
    "bank_officer": "银行经办人",
    "bank_opinion": "银行意见",
    "bank_seal_ref": "盖章文件编号",
    "basis": "依据",
    "blacklist_entry_id": "黑名单记录",
    "category": "材料类别",
    "claim_id": "清偿责任",
    "claimed_on": "认定日期",
    "code": "代码",
    "committed_amount": "承诺续贷额度",
    "committed_at": "承诺时间",
    "committed_by_id": "银行办理人",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "content_type": "文件类型",
    "contributor_id": "出资方",
    "created_at": "创建时间",
    "created_by_id": "创建人",
    "credit": "贷方",
    "credit_adverse": "不良信用记录",
    "credit_check_note": "审查结论",
    "credit_code": "统一社会信用代码",
    "credit_industry": "产业政策",
    "credit_operating": "运营状况",
    "credit_report_date": "征信报告日期",
    "data": "内容",
    "days": "天数",
    "debit": "借方",
    "decided_at": "决定时间",
    "decided_by_id": "决定人",
    "decided_on": "决定日期",
    "decision": "决定",
    "decision_id": "领导小组决定编号",
    "decision_note": "决定意见",
    "departments": "致送部门",
    "description": "摘要",
    "destination_account_bank": "收款开户行",
    "destination_account_name": "收款户名",
    "destination_account_no": "收款账号",
    "disbursement_ref": "划款凭证号",
    "display_name": "姓名",
    "district": "县区",
    "effective_from": "施行日期",
    "email": "邮箱",
    "email_notices": "接收邮件通知",
    "employees": "从业人员",
    "ends_on": "限制期至",
    "enterprise_id": "企业",
    "fund_id": "转贷资金",
    "enterprise_name": "企业名称",
    "entry_id": "分录",
    "fee": "用款费用",
    "fee_due": "应收用款费用",
    "filed_on": "填表日期",
    "filed_with": "报送单位",
    "filename": "文件名",
    "from_state": "原状态",
    "fund_name": "资金名称",
    "ground": "列入原因",
    "group_decided_at": "领导小组决定时间",
    "group_decided_by_id": "领导小组经办人",
    "group_minutes_ref": "会议纪要编号",
    "group_reasons": "报领导小组原因",
    "held_on": "会议日期",
    "id": "编号",
    "income": "分配的收入",
    "industry": "行业",
    "issued_by_id": "开具人",
    "issued_on": "开具日期",
    "journal_entry_id": "记账分录",
    "key": "设置项",
    "kind": "类型",
    "label": "名称",
    "late": "超时",
    "legal_representative": "法定代表人",
    "lift_reason": "解除理由",
    "lifted_by_id": "解除人",
    "lifted_on": "解除日期",
    "listed_on": "列入日期",
    "loan_amount_due": "到期贷款本息",
    "loan_contract_no": "到期贷款合同",
    "loan_due_date": "贷款到期日",
    "loan_overdue": "贷款已在银行逾期",
    "loan_type": "贷款种类",
    "losses_covered": "弥补核销损失",
    "minutes_ref": "会议纪要编号",
    "missing_materials": "缺少的必需材料",
    "missing_materials_reason": "缺少材料仍予办理的理由",
    "month": "月份",
    "monthly_report_id": "月度报告",
    "mortgage": "续贷涉及的抵押",
    "name": "名称",
    "needed_for": "何时需要",
    "new_account_bank": "新开户行",
    "new_account_name": "新户名",
    "new_account_no": "新账号",
    "new_loan_amount": "续贷金额",
    "new_loan_contract_no": "新贷款合同",
    "note": "意见",
    "number": "编号",
    "officer_name": "银行专人",
    "officer_phone": "银行专人电话",
    "old_account_bank": "原开户行",
    "old_account_name": "原户名",
    "old_account_no": "原账号",
    "outcome": "决定",
    "own_funds_confirmed": "自筹资金（已到位）",
    "own_funds_planned": "自筹资金（计划）",
    "paid": "已清偿",
    "paid_on": "到账日期",
    "parameters": "政策参数",
    "password_hash": "密码",
    "payload": "记录内容",
    "plan": "追偿方案",
    "policy": "政策版本",
    "policy_version_id": "政策版本",
    "position": "顺序",
    "posted_on": "记账日期",
    "prepared_at": "制单时间",
    "prepared_by_id": "制单人",
    "principal": "本金",
    "principal_outstanding": "未收回本金",
    "provided_by": "提供方",
    "purpose": "用途说明",
    "reason": "原因",
    "received_on": "收回日期",
    "recorded_by_id": "登记人",
    "recovery_opened_on": "启动追偿日期",
    "recovery_plan": "追偿方案",
    "reference": "凭证号",
    "regulation": "依据",
    "renewal_late": "续贷超时",
    "renewed_on": "续贷日期",
    "requested_amount": "申请金额",
    "requested_by_id": "提出人",
    "requested_days": "申请天数",
    "required": "必需",
    "revenue": "营业收入",
    "review_note": "受理意见",
    "reviewed_at": "受理时间",
    "reviewed_by_id": "受理人",
    "revision": "版次",
    "role": "角色",
    "rules_document_id": "管理制度",
    "run_on": "分配日期",
    "seal_ref": "盖章文件编号",
    "seq": "序号",
    "settled_by_bank_on": "银行清偿结清日期",
    "sha256": "SHA-256",
    "shortfall": "差额",
    "size": "企业规模",
    "state": "状态",
    "subject": "决定事项",
    "submitted_at": "提交时间",
    "submitted_by_id": "提交人",
    "taken_on": "日期",
    "tax": "税费",
    "tax_rate": "税费率",
    "text": "内容",
    "title": "名称",
    "to_state": "新状态",
    "transfer_ref": "划款凭证号",
    "updated_at": "更新时间",
    "updated_by_id": "更新人",
    "uploaded_by_id": "上传人",
    "username": "用户名",
    "value": "值",
    "value_date": "起息日",
    "version": "版本号",
    "vetted": "已审核",
    "written_off_on": "核销日期",
    "year": "年度",
}
# bookkeeping columns that tell a reader nothing the record does not already say
HIDDEN = frozenset({"id", "version", "updated_at", "created_at"})

_STATES = {s.value: s.label for s in State}
_ENUMS: dict[str, dict[str, str]] = {
    "state": _STATES
    | {"proposed": "待领导小组确认", "confirmed": "已确认", "rejected": "未予确认", "pending": "待审核"}
    | {"vetted": "已通过", "returned": "已退回"},
    "from_state": _STATES,
    "to_state": _STATES,
    "role": {r.value: r.label for r in Role},
    "actor_role": {r.value: r.label for r in Role} | {"system": "系统", "public": "公众"},
    "industry": {key: industry.name for key, industry in INDUSTRIES.items()},
    "size": {s.value: f"{s.label}企业" for s in Size},
    "ground": BLACKLIST_GROUNDS,
    "decision": {"pending": "待确认", "confirmed": "已确认", "rejected": "已退回"},
    "provided_by": PROVIDER_LABELS,
    "mortgage": {m.value: m.label for m in Mortgage},
    "loan_type": {t.value: t.label for t in LoanType},
    "credit_adverse": {a.value: a.label for a in AdverseRecord},
    "credit_industry": {f.value: f.label for f in IndustryFit},
    "credit_operating": {o.value: o.label for o in Operating},
    "kind": {"municipal": "市级", "county": "县区", "private": "社会资本", "cause": "原因分析", "measure": "追偿措施"}
    | GROUP_DECISION_KINDS,
}


@dataclass(frozen=True)
class Change:
    field: str  # the field's name in words
    before: str  # as it read before ("" for an insert)
    after: str  # as it reads after ("" for a delete)


@dataclass(frozen=True)
class Names:
    """Who and what the records point at, by id: people, banks, enterprises (a page of records looks them up once)."""

    users: dict[int, str]
    banks: dict[int, str]
    enterprises: dict[int, str]

    def of(self, key: str, raw: int) -> str | None:
        if key == "bank_id":
            return self.banks.get(raw)
        if key == "enterprise_id":
            return self.enterprises.get(raw)
        if key == "actor_id" or key.endswith("_by_id"):
            return self.users.get(raw)
        return None


_NOBODY = Names({}, {}, {})


def names(records: list[AuditRecord]) -> Names:
    """The names behind the ids a page of records refers to: three queries, whatever the page's length."""
    wanted: dict[str, set[int]] = {"users": set(), "banks": set(), "enterprises": set()}
    for record in records:
        for values in (record.old or {}, record.new or {}):
            for key, raw in values.items():
                if not isinstance(raw, int) or isinstance(raw, bool):
                    continue
                if key == "bank_id":
                    wanted["banks"].add(raw)
                elif key == "enterprise_id":
                    wanted["enterprises"].add(raw)
                elif key == "actor_id" or key.endswith("_by_id"):
                    wanted["users"].add(raw)
    return Names(
        _named(select(User.id, User.display_name).where(User.id.in_(wanted["users"]))),
        _named(select(Bank.id, Bank.name).where(Bank.id.in_(wanted["banks"]))),
        _named(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(wanted["enterprises"]))),
    )


def _named(query: Any) -> dict[int, str]:
    return {int(key): str(name) for key, name in db.session.execute(query)}


# a column whose name means something else in one table ("key" is a setting's name, but a journal entry's once-key)
_IN_TABLE = {("journal_entries", "key"): "记账键（同一笔只记一次）"}


def label(subject: str, key: str) -> str:
    return _IN_TABLE.get((subject, key)) or FIELDS.get(key, key)


def changes(record: AuditRecord, known: Names = _NOBODY) -> list[Change]:
    """What one audit record changed, field by field, in words (``known``: the names behind its ids)."""
    old, new = record.old or {}, record.new or {}
    if record.action == "update":
        # a row's version and time alone moving shows nothing; a setting's name rides along unchanged to say which
        keys = [k for k in new if k not in HIDDEN and (k not in old or old[k] != new[k])]
    else:
        written = new if record.action == "insert" else old
        keys = [k for k, v in written.items() if k not in HIDDEN and v not in (None, "")]
    return [
        Change(
            label(record.subject, key),
            value(record.subject, key, old.get(key), known) if record.action != "insert" else "",
            value(record.subject, key, new.get(key), known) if record.action != "delete" else "",
        )
        for key in keys
    ]


def difference(found: Any) -> str:
    """A row that is not what its audit record says (``audit.Difference``), as the one who checks reads it."""
    from loanfund.services.record.audit import SUBJECTS

    row = f"“{found.row_key}”" if found.row_key else f"第 {found.row_id} 行"
    where = f"{SUBJECTS.get(found.subject, found.subject)}（{found.subject}）{row}"
    columns = "、".join(f"{label(found.subject, c)}（{c}）" for c in found.columns)
    return f"{where}：{found.problem}" + (f"：{columns}" if columns else "")


def value(subject: str, key: str, raw: Any, known: Names = _NOBODY) -> str:
    """One stored value as a reader reads it."""
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, int) and not isinstance(raw, bool) and known.of(key, raw):
        return f"{known.of(key, raw)}（#{raw}）"
    if key == "password_hash":
        return "（已更改）"
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if key in ("action",) and isinstance(raw, str):
        return event_label(raw)
    if key in _ENUMS and isinstance(raw, str):
        return _ENUMS[key].get(raw, raw)
    if key in ("district", "district_key") and isinstance(raw, str):
        district = db.session.get(District, raw)
        return district.name if district else raw
    if isinstance(raw, int) and _is_money(subject, key):
        return f"{Money(raw).format()} 元"
    if isinstance(raw, str) and len(raw) >= 19 and raw[4] == "-" and "T" in raw:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment.tzinfo else raw
    if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-":
        try:
            return clock.cn_day(date.fromisoformat(raw))
        except ValueError:
            return raw
    if isinstance(raw, dict | list):
        return _nested(raw)
    return str(raw)


def _nested(raw: dict[str, Any] | list[Any]) -> str:
    if isinstance(raw, list):
        return "、".join(_nested(v) if isinstance(v, dict | list) else str(v) for v in raw)
    return "；".join(f"{FIELDS.get(k, k)}：{_nested(v) if isinstance(v, dict | list) else v}" for k, v in raw.items())


def _is_money(subject: str, key: str) -> bool:
    table = db.metadata.tables.get(subject)
    return table is not None and key in table.c and isinstance(table.c[key].type, MoneyType)
