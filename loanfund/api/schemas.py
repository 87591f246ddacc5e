"""marshmallow schemas of the API (the OpenAPI document is generated from these)."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from loanfund.api.fields import REQUIRED, Day, MoneyField, Text, WholeNumber
from loanfund.domain.eligibility import INDUSTRIES, Size
from loanfund.domain.green_channel import Mortgage
from loanfund.domain.policy import LoanType
from loanfund.services.books import statement_files
from loanfund.services.funds import district_names
from loanfund.services.lifecycle.step import StepDef


class StrictSchema(Schema):
    """Refuses a body that is not a JSON object, in Chinese; ignores fields it does not know."""

    error_messages = {"type": "请求体须为 JSON 对象", "unknown": "未知字段"}

    class Meta:
        unknown = EXCLUDE


class QuoteRequestSchema(StrictSchema):
    amount = MoneyField(required=True, metadata={"description": "应急转贷资金额度（元），两位小数的字符串"})
    days = WholeNumber(required=True, metadata={"description": "用款天数", "example": 3})
    fund = fields.String(
        validate=validate.Length(max=16), metadata={"description": "转贷资金代码；平台只有一个转贷资金时可省略"}
    )


class QuoteSchema(Schema):
    amount = MoneyField()
    days = fields.Integer()
    band = fields.Integer(metadata={"description": "费率档次（R1）"})
    rates_permille = fields.List(fields.String(), metadata={"description": "日综合费率（‰）：2天内、超出部分"})
    fee = MoneyField()
    total = MoneyField()
    needs_group_approval = fields.Boolean()
    policy = fields.String(metadata={"description": "政策版本"})
    fund = fields.String(metadata={"description": "转贷资金代码"})
    fund_name = fields.String(metadata={"description": "转贷资金名称"})


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()


class TokenInfoSchema(Schema):
    """One of the caller's live tokens (never the token itself: only its hash is kept)."""

    id = fields.Integer()
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    address = fields.String()
    current = fields.Boolean()


class BankSchema(Schema):
    id = fields.Integer()
    fund = fields.Function(lambda bank: bank.fund.code, metadata={"description": "合作的转贷资金（代码）"})
    code = fields.String()
    name = fields.String()
    agreement_start = fields.Date()
    agreement_end = fields.Date()
    account_name = fields.String(metadata={"description": "指定账户户名"})
    account_no = fields.String(metadata={"description": "指定账户账号"})
    account_bank = fields.String(metadata={"description": "开户行"})


class MaterialSchema(Schema):
    id = fields.Integer()
    category = fields.String(metadata={"description": "材料清单中的类别代码"})
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "字节"})
    sha256 = fields.String()
    uploaded_at = fields.DateTime(attribute="created_at")


class EnterpriseSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String(metadata={"description": "统一社会信用代码"})
    district = fields.String()
    district_name = fields.String()
    industry = fields.String()
    industry_name = fields.String()
    employees = fields.Integer()
    revenue = MoneyField()
    assets = MoneyField()
    size = fields.String(metadata={"description": "企业规模：large, medium, small, micro"})


class ApplicationCreateSchema(StrictSchema):
    fund = fields.String(
        load_default=None,
        validate=validate.Length(max=16),
        metadata={"description": "申请的转贷资金代码（DESIGN §7）；企业所在县区只有一个转贷资金时可省略"},
    )
    bank_id = WholeNumber(required=True)
    loan_contract_no = Text(64, required=True, metadata={"description": "到期贷款合同编号"})
    loan_type = fields.String(
        load_default=LoanType.WORKING_CAPITAL.value,
        validate=validate.OneOf([t.value for t in LoanType], error="未知贷款种类：{input}"),
        metadata={
            "description": "到期贷款种类（R16，第三条）："
            + "，".join(f"{t.value} {t.label}" for t in LoanType)
            + "；现行政策只受理流动资金贷款"
        },
    )
    mortgage = fields.String(
        load_default=Mortgage.NONE.value,
        validate=validate.OneOf([m.value for m in Mortgage], error="未知抵押情况：{input}"),
        metadata={
            "description": "续贷涉及的土地、房产抵押（第二十七条，涉及的由平台开具绿色通道函）："
            + "，".join(f"{m.value} {m.label}" for m in Mortgage)
        },
    )
    loan_amount_due = MoneyField(required=True, metadata={"description": "到期贷款本息（元）"})
    loan_due_date = Day(required=True)
    loan_overdue = fields.Boolean(
        required=True,
        error_messages=REQUIRED | {"invalid": "须为 true 或 false"},
        metadata={"description": "贷款是否已在银行逾期"},
    )
    requested_amount = MoneyField(required=True, metadata={"description": "申请金额（元）"})
    requested_days = WholeNumber(required=True, metadata={"description": "申请用款天数"})
    own_funds = MoneyField(required=True, metadata={"description": "自筹资金（元）"})
    purpose = Text(2000, load_default="", metadata={"description": "用途说明"})


def known_district(key: str) -> None:
    """A district of the platform's list (R10). :raise ValidationError: it is not one."""
    if key not in district_names():
        raise ValidationError(f"未知县区：{key}")


def _date(**kwargs: object) -> Day:
    return Day(**kwargs)  # type: ignore[arg-type]


def _text(required: bool = False, max_length: int = 2000, **kwargs: object) -> Text:
    if not required:
        kwargs["load_default"] = ""
    return Text(max_length, required=required, **kwargs)


@cache
def step_schema(step: StepDef) -> type[Schema]:
    """A lifecycle step's request body, drawn from its inputs (``services.lifecycle.step``): a money input is a
    two-decimal string, a date ``YYYY-MM-DD``, a choice one of its kind's values; the step's own labels describe
    them in the OpenAPI document. Built once per step."""
    return _built(step)


def _built(step: StepDef) -> type[Schema]:
    fields_: dict[str, fields.Field[Any]] = {}
    for given in step.inputs:
        meta = {"metadata": {"description": given.description}}
        if given.kind == "money":
            fields_[given.name] = MoneyField(required=given.required, **meta)
        elif given.kind == "date":
            fields_[given.name] = _date(required=True, **meta) if given.required else _date(load_default=None, **meta)
        else:
            fields_[given.name] = _text(required=given.required, max_length=given.max_length, **meta)
    name = "".join(part.capitalize() for part in step.action.value.split("-"))
    return StrictSchema.from_dict(fields_, name=f"{name}Schema")


class EventSchema(Schema):
    at = fields.AwareDateTime()
    actor = fields.String()
    actor_role = fields.String()
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    note = fields.String()
    payload = fields.Dict()


class AccountSchema(Schema):
    destination_name = fields.String()
    destination_no = fields.String()
    destination_bank = fields.String()


class CreditCheckSchema(Schema):
    report_date = fields.Date(metadata={"description": "征信报告日期"})
    adverse = fields.String(metadata={"description": "不良信用记录：none / resolved / current"})
    industry = fields.String(metadata={"description": "产业政策：fits / outside"})
    operating = fields.String(metadata={"description": "运营状况：good / poor"})
    findings = fields.String(metadata={"description": "审查结果（文字）"})
    conclusion = fields.String(metadata={"description": "审查结论"})


class GreenChannelLetterSchema(Schema):
    number = fields.String(metadata={"description": "函号"})
    issued_on = fields.Date(metadata={"description": "开具日期"})
    departments = fields.String(metadata={"description": "致送部门"})


class StageTimeSchema(Schema):
    """One stage of an application against the fund's time limits (issue 30), in working days."""

    stage = fields.String(metadata={"description": "acceptance / commitment / approval / group / disbursement / whole"})
    stage_label = fields.String()
    party = fields.String(metadata={"description": "办理方"})
    started_at = fields.AwareDateTime()
    due_by = fields.Date(metadata={"description": "应于该日（含）前办结"})
    limit_working_days = fields.Integer()
    ended_at = fields.AwareDateTime(allow_none=True, metadata={"description": "办结时间；办理中为 null"})
    working_days = fields.Integer(metadata={"description": "已用工作日（自开始之次日起计）"})
    over = fields.Boolean(metadata={"description": "超过时限"})


class ApplicationSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    fund = fields.String(metadata={"description": "转贷资金代码"})
    state = fields.String()
    state_label = fields.String()
    enterprise = fields.Nested(EnterpriseSchema(only=("id", "name", "credit_code", "size")))
    bank = fields.Nested(BankSchema(only=("id", "code", "name")))
    loan_contract_no = fields.String()
    loan_type = fields.String(metadata={"description": "到期贷款种类（R16）"})
    loan_type_label = fields.String()
    mortgage = fields.String(metadata={"description": "续贷涉及的抵押（第二十七条）：none, land, house, both"})
    mortgage_label = fields.String()
    loan_amount_due = MoneyField()
    loan_due_date = fields.Date()
    loan_overdue = fields.Boolean()
    requested_amount = MoneyField()
    requested_days = fields.Integer()
    own_funds_planned = MoneyField()
    purpose = fields.String()
    submitted_at = fields.AwareDateTime()
    committed_amount = MoneyField(allow_none=True)
    bank_opinion = fields.String(allow_none=True)
    approved_amount = MoneyField(allow_none=True)
    own_funds_confirmed = MoneyField(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    policy = fields.String(allow_none=True)
    needs_group_approval = fields.Boolean()
    group_reasons = fields.List(fields.String())
    group_minutes_ref = fields.String(allow_none=True)
    value_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True, metadata={"description": "最迟收回日（R4）"})
    disbursement_ref = fields.String(allow_none=True)
    destination_account = fields.Nested(AccountSchema, allow_none=True)
    disbursement_prepared = fields.Boolean()
    new_loan_contract_no = fields.String(allow_none=True)
    new_loan_amount = MoneyField(allow_none=True)
    renewed_on = fields.Date(allow_none=True)
    renewal_late = fields.Boolean(
        metadata={"description": "银行续贷超时（R9）：已逾期续贷，或截止日已过仍未续贷（与每日巡查一致）"}
    )
    overdue = fields.Boolean(metadata={"description": "是否逾期（R4）"})
    days_used = fields.Integer(allow_none=True)
    expected_fee = MoneyField(metadata={"description": "应收用款费用：放款后按实际天数，放款前按申请天数估算"})
    credit_check = fields.Nested(
        CreditCheckSchema,
        allow_none=True,
        metadata={"description": "平台资格和信用审查（第八、十五条）：平台、合作银行和领导小组可见"},
    )
    green_channel_letter = fields.Nested(
        GreenChannelLetterSchema,
        allow_none=True,
        metadata={"description": "平台开具的绿色通道函（第二十七条；仅单笔申请）"},
    )
    principal_received = MoneyField()
    fee_received = MoneyField()
    outstanding = MoneyField(allow_none=True, metadata={"description": "尚未收回的本金和费用"})
    received_on = fields.Date(allow_none=True)
    time_limits = fields.List(
        fields.Nested(StageTimeSchema), metadata={"description": "办理时限：各环节的开始、应办结日、用时（仅单笔申请）"}
    )
    events = fields.List(fields.Nested(EventSchema))


class ApplicationPageSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema(exclude=("events", "time_limits"))))
    page = fields.Integer(allow_none=True, metadata={"description": "页码（按 cursor 翻页时为 null）"})
    next_cursor = fields.Integer(allow_none=True, metadata={"description": "下一页的 cursor；null：没有更多"})
    per_page = fields.Integer()
    total = fields.Integer(metadata={"description": "How many match — exactly, or the cap when total_capped"})
    total_capped = fields.Boolean(
        metadata={"description": "More than total match (the count stops at 10,000: filter to narrow)"}
    )


# -- oversight (第二十至二十三条): messages, blacklist, bank liability, early warning --------------------------------


class MessageSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    body = fields.String()
    application_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class BlacklistEntrySchema(Schema):
    id = fields.Integer()
    credit_code = fields.String()
    enterprise_name = fields.String()
    ground = fields.String()
    reason = fields.String()
    basis = fields.String()
    listed_on = fields.Date()
    ends_on = fields.Date()
    state = fields.String()
    status = fields.String(metadata={"description": "proposed, rejected, scheduled, in_force, lifted, ended"})
    lifted_on = fields.Date(allow_none=True)
    lift_reason = fields.String()


class BlacklistProposalSchema(StrictSchema):
    enterprise_id = WholeNumber(required=True, metadata={"description": "企业 ID"})
    ground = _text(
        required=True, max_length=16, metadata={"description": "false_statement/concealment/fraud/not_returned"}
    )
    basis = _text(required=True, metadata={"description": "列入依据（事实与材料）"})
    listed_on = _date(required=True, metadata={"description": "列入日期"})


class BlacklistDecisionSchema(StrictSchema):
    confirm = fields.Boolean(required=True, error_messages=REQUIRED, metadata={"description": "确认列入或不予确认"})
    note = _text(metadata={"description": "意见（不予确认须填写）"})
    minutes_ref = _text(max_length=64, metadata={"description": "会议纪要编号（如有）"})


class BlacklistLiftSchema(StrictSchema):
    reason = _text(required=True, metadata={"description": "提前解除的理由"})
    minutes_ref = _text(max_length=64, metadata={"description": "会议纪要编号（如有）"})


class BankClaimPaymentSchema(Schema):
    paid_on = fields.Date()
    amount = MoneyField()
    transfer_ref = fields.String()


class BankClaimSchema(Schema):
    id = fields.Integer()
    bank_id = fields.Integer()
    application_id = fields.Integer()
    claimed_on = fields.Date()
    principal = MoneyField()
    fee = MoneyField()
    amount = MoneyField()
    paid = MoneyField()
    outstanding = MoneyField()
    basis = fields.String()
    payments = fields.List(fields.Nested(BankClaimPaymentSchema))


class BankClaimCreateSchema(StrictSchema):
    basis = _text(metadata={"description": "补充说明"})


class BankClaimPaymentCreateSchema(StrictSchema):
    amount = MoneyField(required=True, metadata={"description": "清偿金额（元）"})
    paid_on = _date(required=True, metadata={"description": "到账日期"})
    transfer_ref = _text(required=True, max_length=64, metadata={"description": "划款凭证号"})


class WarningSchema(Schema):
    risk = fields.Function(lambda w: w.risk.value)
    label = fields.Function(lambda w: w.risk.label)
    subject = fields.String()
    why = fields.String()
    application_id = fields.Integer(allow_none=True)


class RecoveryRecordSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "cause（原因分析）或 measure（追偿措施）"})
    taken_on = fields.Date()
    text = fields.String()
    amount = MoneyField()
    transfer_ref = fields.String(allow_none=True)


class RecoveryCauseSchema(StrictSchema):
    cause = _text(required=True, metadata={"description": "逾期原因分析"})


class RecoveryMeasureSchema(StrictSchema):
    taken_on = _date(required=True, metadata={"description": "日期"})
    measure = _text(required=True, metadata={"description": "追偿措施"})
    amount = MoneyField(required=True, metadata={"description": "追回金额（元），没有则为 0.00"})
    transfer_ref = _text(max_length=64, metadata={"description": "划款凭证号（有追回资金时必填）"})


# -- reports (第六、二十一条) ----------------------------------------------------------------------------------------


class ReportSummarySchema(Schema):
    start = fields.Date()
    end = fields.Date()
    submitted = fields.Integer(metadata={"description": "本期提交的申请笔数"})
    requested = MoneyField(metadata={"description": "本期提交的申请金额（元）"})
    bridges = fields.Integer(metadata={"description": "本期放款笔数"})
    disbursed = MoneyField(metadata={"description": "本期放款金额（元，账簿）"})
    returned = MoneyField(metadata={"description": "本期收回本金（元，账簿）"})
    fee_income = MoneyField(metadata={"description": "本期实现的用款费用收入（元，账簿；收益分配不计在内）"})
    fee_distributed = MoneyField(
        metadata={"description": "本期收益分配分出的费用收入（元，账簿：缴税、弥补核销损失、分给出资方）"}
    )
    closed = fields.Integer(metadata={"description": "本期收回的笔数"})
    days_average = fields.Decimal(as_string=True, metadata={"description": "本期收回各笔的平均使用天数（R2）"})
    days_longest = fields.Integer()


class ReportLineSchema(Schema):
    key = fields.String()
    label = fields.String()
    submitted = fields.Integer()
    requested = MoneyField()
    disbursed_count = fields.Integer()
    disbursed = MoneyField()


class ReportBreakdownSchema(Schema):
    key = fields.String(metadata={"description": "state, bank, district, size, industry"})
    title = fields.String()
    lines = fields.List(fields.Nested(ReportLineSchema))
    total = fields.Nested(ReportLineSchema)


class ReportDaySchema(Schema):
    day = fields.Date()
    cash = MoneyField(metadata={"description": "日终专用账户资金（元）"})
    reserved = MoneyField(metadata={"description": "日终已批准待放款（元）"})
    out = MoneyField(metadata={"description": "日终在外资金（元）"})
    utilisation = fields.Decimal(as_string=True, metadata={"description": "使用率（%）"})


class ReportOverdueSchema(Schema):
    application_id = fields.Integer()
    reference = fields.String()
    enterprise = fields.String()
    bank = fields.String()
    value_date = fields.Date()
    due = fields.Date()
    days_overdue = fields.Integer()
    outstanding = MoneyField(metadata={"description": "未收回金额（元）：本金；银行承担清偿责任后为银行尚欠的金额"})
    state = fields.String()
    cause = fields.String()
    plan = fields.String()
    steps = fields.List(fields.String())
    claim = fields.String(metadata={"description": "合作银行清偿责任及其清偿情况（无则为空）"})


class ReportBreachSchema(Schema):
    bank = fields.String()
    renewals_late = fields.List(
        fields.String(), metadata={"description": "逾期续贷（R9）：全部，或（lines=first）前 20 笔"}
    )
    renewals_late_count = fields.Integer(attribute="late_number", metadata={"description": "逾期续贷笔数（全部）"})
    claims = fields.List(fields.String(), metadata={"description": "清偿责任（R12）"})
    claimed = MoneyField()


class ReportBankCheckSchema(Schema):
    period_days = fields.Integer()
    covered_days = fields.Integer(metadata={"description": "对账单覆盖的天数"})
    reconciled_days = fields.Integer()
    bank_in = MoneyField()
    bank_out = MoneyField()
    books_in = MoneyField()
    books_out = MoneyField()
    unmatched_lines = fields.Integer()
    unmatched_movements = fields.Integer()
    closing_day = fields.Date()
    bank_closing = MoneyField(allow_none=True)
    books_closing = MoneyField()
    difference = MoneyField(allow_none=True)
    apart = fields.List(fields.String(), metadata={"description": "未对平的日子及原因"})


class ReportSchema(Schema):
    fund_name = fields.String()
    title = fields.String()
    start = fields.Date()
    end = fields.Date()
    made_at = fields.DateTime()
    as_of = fields.Date(
        allow_none=True, metadata={"description": "本期尚未结束时，数据统计至的日期（今天）；已结束的期间为 null"}
    )
    summary = fields.Nested(ReportSummarySchema)
    previous = fields.Nested(ReportSummarySchema, metadata={"description": "上期（上月）"})
    last_year = fields.Nested(ReportSummarySchema, metadata={"description": "去年同期"})
    breakdowns = fields.List(fields.Nested(ReportBreakdownSchema))
    days = fields.List(fields.Nested(ReportDaySchema))
    overdue = fields.List(
        fields.Nested(ReportOverdueSchema),
        metadata={"description": "逾期未收回：全部，或（lines=first）按起息日最早的前 50 笔"},
    )
    overdue_count = fields.Integer(attribute="overdue_number", metadata={"description": "逾期未收回笔数（全部）"})
    overdue_owed = MoneyField(attribute="overdue_total", metadata={"description": "逾期未收回金额合计（元，全部）"})
    breaches = fields.List(fields.Nested(ReportBreachSchema))
    bank = fields.Nested(
        ReportBankCheckSchema,
        allow_none=True,
        metadata={"description": "专用账户与银行对账单核对（本期未导入对账单，或报送时尚无此项：null）"},
    )


class MonthlyRevisionSchema(Schema):
    revision = fields.Integer()
    submitted_at = fields.DateTime()
    submitted_by = fields.Function(lambda r: r.submitted_by.display_name)
    note = fields.String()


class ReportLinesSchema(Schema):
    """Which lines of a report's long lists (overdue, late renewals): ``first`` (the default, as the page lists
    them, with the count and amount of all) or ``all`` — the whole document, as the workbook and a filed revision."""

    class Meta:
        unknown = EXCLUDE  # the overseer's ``fund`` is read beside it

    lines = fields.String(
        load_default="first", validate=validate.OneOf(["first", "all"], error="lines 须为 first 或 all")
    )


class StatisticsQuerySchema(ReportLinesSchema):
    class Meta:
        unknown = RAISE

    start = Day(required=True)
    end = Day(required=True)


class ApplicationFiltersSchema(Schema):
    """The list's filters in the query string (as the page's): bank, district, size, industry, submission days and
    requested amounts (both ends included), and ``q`` — a number, a credit code or part of a name."""

    class Meta:
        unknown = EXCLUDE  # state, page and per_page are read beside it

    bank_id = fields.Integer(
        strict=False,
        validate=validate.Range(min=1, max=2**31 - 1, error="合作银行编号不正确"),
        error_messages={"invalid": "须为正整数"},
    )
    district = fields.String(validate=known_district)
    size = fields.String(validate=validate.OneOf([s.value for s in Size], error="未知企业规模：{input}"))
    industry = fields.String(validate=validate.OneOf(list(INDUSTRIES), error="未知行业：{input}"))
    loan_type = fields.String(validate=validate.OneOf([t.value for t in LoanType], error="未知贷款种类：{input}"))
    submitted_from = Day(bounded=True)
    submitted_to = Day(bounded=True)
    amount_min = MoneyField()
    amount_max = MoneyField()
    q = Text(max_length=100, metadata={"description": "申请编号、统一社会信用代码或企业名称的一部分"})

    @validates_schema
    def _ranges(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and end < start:
            errors["submitted_to"] = ["结束日期不能早于开始日期"]
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and high < low:
            errors["amount_max"] = ["最高金额不能低于最低金额"]
        if errors:
            raise ValidationError(errors)


class GroupMeetingSchema(Schema):
    id = fields.Integer()
    held_on = fields.Date(metadata={"description": "会议日期"})
    title = fields.String()
    attendees = fields.String(metadata={"description": "出席人员"})
    minutes_ref = fields.String(metadata={"description": "会议纪要编号"})
    filename = fields.String(metadata={"description": "会议纪要文件"})
    sha256 = fields.String()


class GroupDecisionRecordSchema(Schema):
    id = fields.Integer(metadata={"description": "决定编号"})
    decided_on = fields.Date()
    minutes_ref = fields.String(metadata={"description": "会议纪要编号（空：未经会议）"})
    kind = fields.String(metadata={"description": "application, blacklist, report, rules, other"})
    subject = fields.String(metadata={"description": "决定事项"})
    outcome = fields.String(metadata={"description": "决定"})
    note = fields.String(metadata={"description": "表决情况与说明"})
    application_id = fields.Integer(allow_none=True)
    blacklist_entry_id = fields.Integer(allow_none=True)
    monthly_report_id = fields.Integer(allow_none=True)
    rules_document_id = fields.Integer(allow_none=True)


class RulesDocumentSchema(Schema):
    id = fields.Integer()
    title = fields.String(metadata={"description": "制度名称"})
    version = fields.Integer(metadata={"description": "版本"})
    filed_on = fields.Date(metadata={"description": "报领导小组备案日期"})
    note = fields.String(metadata={"description": "修订说明"})
    filename = fields.String()
    sha256 = fields.String()


# -- funds on the platform (DESIGN §7) ----------------------------------------------------------------------------


class BandSchema(StrictSchema):
    upper_bound = MoneyField(
        allow_none=True, load_default=None, metadata={"description": "本档上限（元）；最后一档为 null"}
    )
    upper_inclusive = fields.Boolean(load_default=False, metadata={"description": "上限是否含本数（以下含）"})
    base_rate_permille = Text(
        12, required=True, metadata={"description": "前若干天的日综合费率（‰）", "example": "0.2"}
    )
    extended_rate_permille = Text(12, required=True, metadata={"description": "超出天数的日综合费率（‰）"})


class PolicyVersionSchema(StrictSchema):
    """A policy version (R14) as the administrator writes it: any number of bands, the last without an upper bound."""

    name = Text(100, required=True, metadata={"description": "版本名称（如文件文号）"})
    effective_from = Day(required=True, metadata={"description": "施行日期"})
    bands = fields.List(
        fields.Nested(BandSchema), required=True, validate=validate.Length(min=1, max=20, error="费率档次须为 1–20 档")
    )
    base_rate_days = WholeNumber(required=True, validate=validate.Range(min=0, max=30, error="须在 0–30 天之间"))
    max_days = WholeNumber(required=True, validate=validate.Range(min=1, max=90, error="须在 1–90 天之间"))
    cap_ratio = Text(12, required=True, metadata={"description": "占银行承诺续贷额度的最高比例，如 0.95"})
    group_threshold = MoneyField(required=True, metadata={"description": "超过此金额需领导小组审批（元）"})
    group_for_overdue_loan = fields.Boolean(load_default=True)
    renewal_sla_days = WholeNumber(required=True, validate=validate.Range(min=1, max=30, error="须在 1–30 天之间"))
    blacklist_years = WholeNumber(required=True, validate=validate.Range(min=1, max=10, error="须在 1–10 年之间"))
    rate_mode = fields.String(
        load_default="marginal", validate=validate.OneOf(["marginal", "whole_period"], error="未知计费方式：{input}")
    )
    loan_types = fields.List(fields.String(), load_default=lambda: [LoanType.WORKING_CAPITAL.value])
    description = Text(200, load_default="")


class PolicyRevisionSchema(PolicyVersionSchema):
    reason = Text(500, required=True, metadata={"description": "更正的原因"})


class ReasonSchema(StrictSchema):
    reason = Text(500, required=True, metadata={"description": "原因"})


class PolicyVersionOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    effective_from = fields.Date()
    parameters = fields.Dict(metadata={"description": "参数（费率档次、天数、比例等）"})
    revised_at = fields.AwareDateTime(allow_none=True)
    revision_reason = fields.String()
    withdrawn_at = fields.AwareDateTime(allow_none=True, metadata={"description": "撤回时间；撤回的版本不会施行"})
    withdrawal_reason = fields.String()


class FundBodiesSchema(StrictSchema):
    authority = Text(100, load_default="", metadata={"description": "主管部门"})
    group_office = Text(100, required=True, metadata={"description": "领导小组办公室"})
    reviewing_body = Text(100, required=True, metadata={"description": "资格审核机构"})
    operating_body = Text(100, required=True, metadata={"description": "资金运营机构"})


class SpecialAccountSchema(StrictSchema):
    bank = Text(100, load_default="", metadata={"description": "开户行"})
    account_name = Text(100, load_default="")
    account_no = Text(40, load_default="")


class FundCreateSchema(StrictSchema):
    code = Text(16, required=True, metadata={"description": "转贷资金代码，如 DH", "example": "DH"})
    name = Text(100, required=True)
    short_name = Text(40, required=True)
    regulation = Text(200, required=True, metadata={"description": "所依据的管理办法"})
    regulation_number = Text(60, required=True, metadata={"description": "文号"})
    districts = fields.List(fields.String(), required=True, metadata={"description": "服务的县区（平台县区表的键）"})
    region_name = Text(40, load_default="", metadata={"description": "服务区域名称；只服务一个县区时可省略"})
    region_code = Text(6, load_default="", metadata={"description": "服务区域的行政区划代码前缀；可省略"})
    bodies = fields.Nested(FundBodiesSchema, required=True)
    special_account = fields.Nested(SpecialAccountSchema, load_default=lambda: {})
    contact = Text(500, load_default="", metadata={"description": "联系方式，每行一条"})
    policy = fields.Nested(PolicyVersionSchema, required=True)


class FundSchema(Schema):
    code = fields.String()
    name = fields.String()
    short_name = fields.String()
    regulation = fields.String()
    regulation_number = fields.String()
    region_name = fields.String()
    region_code = fields.String()
    districts = fields.Function(lambda f: [d.key for d in f.districts])
    bodies = fields.Function(
        lambda f: {
            "authority": f.authority,
            "group_office": f.group_office,
            "reviewing_body": f.reviewing_body,
            "operating_body": f.operating_body,
        }
    )
    special_account = fields.Function(
        lambda f: {"bank": f.account_bank, "account_name": f.account_name, "account_no": f.account_no}
    )


class FundUserCreateSchema(StrictSchema):
    username = Text(64, required=True)
    password = fields.String(required=True, validate=validate.Length(max=200), error_messages=REQUIRED)
    role = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "角色：admin、reviewer 等"})
    email = Text(254, load_default="")
    bank_id = WholeNumber(load_default=None, allow_none=True, metadata={"description": "银行用户所属的合作银行"})


class FundUserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    fund = fields.Function(lambda u: u.fund.code if u.fund else None)


class FundContributionCreateSchema(StrictSchema):
    contributor = Text(100, required=True, metadata={"description": "出资方"})
    kind = fields.String(
        load_default="municipal",
        validate=validate.OneOf(["municipal", "county", "private"], error="未知出资方类型：{input}"),
    )
    amount = MoneyField(required=True)
    contributed_on = Day(required=True, metadata={"description": "到账日期"})
    reference = Text(64, required=True, metadata={"description": "银行凭证号（专用账户收款流水的凭证号）"})


class ContributionSchema(Schema):
    id = fields.Integer()
    contributor = fields.Function(lambda c: c.contributor.name)
    amount = MoneyField()
    received_on = fields.Date()
    reference = fields.String()


class FundFiguresSchema(Schema):
    fund = fields.String()
    name = fields.String()
    cash = MoneyField()
    reserved = MoneyField()
    out = MoneyField(metadata={"description": "在外转贷本金"})
    bridges_out = fields.Integer()
    submitted = fields.Integer(metadata={"description": "本年受理申请笔数"})
    disbursed = MoneyField(metadata={"description": "本年放款金额"})
    fee_income = MoneyField(metadata={"description": "本年用款费用收入"})


class BankAgreementSchema(StrictSchema):
    """A bank's cooperation with the fund as the banks page has it: the agreement (第十六条) and the designated account
    (第十七条). A change of an existing bank's account is proposed, for another person to confirm."""

    bank = Text(100, required=True, metadata={"description": "银行名称", "example": "中国工商银行东海县支行"})
    code = Text(20, required=True, metadata={"description": "银行代码（资金内唯一）", "example": "ICBC-DH"})
    agreement_no = Text(64, required=True, metadata={"description": "合作协议编号"})
    agreement_from = Day(required=True, metadata={"description": "协议开始日"})
    agreement_to = Day(required=True, metadata={"description": "协议结束日"})
    account_name = Text(100, required=True, metadata={"description": "指定账户户名"})
    account_no = Text(40, required=True, metadata={"description": "指定账户账号"})
    account_bank = Text(100, required=True, metadata={"description": "开户行"})
    officer_name = Text(50, load_default="", metadata={"description": "银行联系人"})
    officer_phone = Text(30, load_default="", metadata={"description": "联系电话"})
    liaison_id = WholeNumber(load_default=None, allow_none=True, metadata={"description": "平台专人（运营人员 id）"})


class AccountChangeSchema(Schema):
    id = fields.Integer()
    bank_id = fields.Integer()
    bank = fields.Function(lambda c: c.bank.name)
    old_account_name = fields.String()
    old_account_no = fields.String()
    old_account_bank = fields.String()
    new_account_name = fields.String()
    new_account_no = fields.String()
    new_account_bank = fields.String()
    requested_by = fields.Function(lambda c: c.requested_by.display_name)
    decision = fields.String(metadata={"description": "pending 待确认 / confirmed 已确认 / rejected 已退回"})
    decided_by = fields.Function(lambda c: c.decided_by.display_name if c.decided_by else None)
    decided_at = fields.AwareDateTime(allow_none=True)
    note = fields.String()


class AccountDecisionSchema(StrictSchema):
    confirm = fields.Boolean(required=True, error_messages=REQUIRED, metadata={"description": "true 确认，false 退回"})
    note = Text(500, load_default="", metadata={"description": "说明"})


class BankAgreementOutSchema(Schema):
    id = fields.Integer()
    fund = fields.Function(lambda b: b.fund.code)
    bank = fields.String(attribute="name")
    code = fields.String()
    agreement_no = fields.String()
    agreement_from = fields.Date(attribute="agreement_start")
    agreement_to = fields.Date(attribute="agreement_end")
    account_name = fields.String()
    account_no = fields.String()
    account_bank = fields.String()
    officer_name = fields.String()
    officer_phone = fields.String()
    liaison_id = fields.Function(lambda b: b.liaison.user_id if b.liaison else None)
    proposed = fields.Nested(
        AccountChangeSchema, allow_none=True, metadata={"description": "待另一人确认的指定账户变更"}
    )


class ThresholdsSchema(StrictSchema):
    """The fund's early-warning thresholds (R15), as the settings page has them: text, checked by the service."""

    due_within_days = Text(8, required=True, metadata={"description": "到期前预警天数（0–30）", "example": "3"})
    concentration_percent = Text(
        8, required=True, metadata={"description": "集中度预警线（%，0–100，至多 1 位小数）", "example": "30"}
    )
    utilisation_percent = Text(
        8, required=True, metadata={"description": "资金使用率预警线（%，0–100，至多 1 位小数）", "example": "80"}
    )
    statement_days = Text(
        8,
        load_default=None,
        metadata={
            "description": "银行对账宽限天数（0–30）：某日超过该天数仍未与对账单对平即预警；不填则不变",
            "example": "2",
        },
    )
    # 办理时限 (issue 30): working days promised per stage; a field left out is left as it is
    limit_acceptance = Text(4, load_default=None, metadata={"description": "受理审查时限（工作日，0–30）"})
    limit_commitment = Text(4, load_default=None, metadata={"description": "银行续贷承诺时限（工作日）"})
    limit_approval = Text(4, load_default=None, metadata={"description": "审批时限（工作日）"})
    limit_group = Text(4, load_default=None, metadata={"description": "领导小组审批时限（工作日）"})
    limit_disbursement = Text(4, load_default=None, metadata={"description": "放款时限（工作日）"})
    limit_whole = Text(4, load_default=None, metadata={"description": "申请至放款时限（工作日）"})


class ChecklistItemSchema(StrictSchema):
    code = Text(32, load_default="", metadata={"description": "代码（英文小写），新增时必填，保存后不变"})
    label = Text(100, required=True, metadata={"description": "材料名称"})
    provided_by = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "提供方"})
    needed_for = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "何时需要（步骤）"})
    required = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)
    position = WholeNumber(load_default=0)


class ChecklistItemOutSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    label = fields.String()
    provided_by = fields.String()
    needed_for = fields.String()
    required = fields.Boolean()
    active = fields.Boolean()
    position = fields.Integer()


# -- the account, the enterprise's own details, signing up and vetting ----------------------------------------------


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "当前密码"})
    new_password = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "新密码"})


class NoticeSettingsSchema(StrictSchema):
    email = Text(254, load_default="", metadata={"description": "电子邮箱（可为空）"})
    by_email = fields.Boolean(load_default=False, metadata={"description": "通知同时发送电子邮件"})
    mobile = Text(20, load_default="", metadata={"description": "手机号码（可为空）"})
    by_sms = fields.Boolean(
        load_default=False, metadata={"description": "放款、到期前一日、逾期和归还不足时同时发送短信"}
    )


class AccountSessionSchema(Schema):
    id = fields.Integer()
    created_at = fields.AwareDateTime()
    last_seen_at = fields.AwareDateTime()
    address = fields.String()
    agent = fields.String()


class EnterpriseDetailsSchema(StrictSchema):
    """An enterprise's details as the sign-up and the enterprise's page have them (the name, credit code and district
    are the platform's to change once registered)."""

    name = Text(100, required=True, metadata={"description": "企业名称"})
    credit_code = Text(32, required=True, metadata={"description": "统一社会信用代码"})
    district = Text(32, required=True, metadata={"description": "所在县区（代码，见平台县区列表）"})
    industry = Text(32, required=True, metadata={"description": "行业（代码）"})
    employees = WholeNumber(required=True, metadata={"description": "从业人员"})
    revenue = MoneyField(required=True, metadata={"description": "营业收入（元）"})
    assets = MoneyField(required=True, metadata={"description": "资产总额（元）"})
    legal_representative = Text(50, load_default="")
    contact_name = Text(50, load_default="")
    contact_phone = Text(30, load_default="")
    address = Text(200, load_default="")


class SignUpCreateSchema(EnterpriseDetailsSchema):
    username = Text(64, required=True, metadata={"description": "用户名"})
    password = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "密码"})
    email = Text(254, load_default="", metadata={"description": "电子邮箱"})


class SignUpSchema(Schema):
    id = fields.Integer()
    username = fields.Function(lambda s: s.user.username)
    state = fields.String(metadata={"description": "pending 待审核 / vetted 已通过 / returned 已退回"})
    note = fields.String()
    joins_existing = fields.Boolean(metadata={"description": "申请加入已登记的企业"})
    submitted = fields.Dict(metadata={"description": "注册时填写的企业信息"})
    enterprise = fields.Nested(EnterpriseSchema)
    licence_name = fields.String(allow_none=True)
    licence = fields.Function(
        lambda s: f"/api/v1/sign-ups/{s.id}/licence" if s.licence_sha256 else None,
        metadata={"description": "营业执照下载地址"},
    )
    decided_at = fields.AwareDateTime(allow_none=True)


class SignUpDecisionSchema(StrictSchema):
    approve = fields.Boolean(required=True, error_messages=REQUIRED, metadata={"description": "true 通过，false 退回"})
    note = Text(500, load_default="", metadata={"description": "审核意见（退回须说明）"})


class IdentitySchema(StrictSchema):
    name = Text(100, required=True)
    credit_code = Text(32, required=True)
    district = Text(32, required=True)


# -- the administrator's remaining work (issue 27) -------------------------------------------------------------------


class DistributionCreateSchema(StrictSchema):
    tax_rate = Text(12, required=True, metadata={"description": "税率，如 0.06", "example": "0.06"})
    pay = fields.Boolean(load_default=False, metadata={"description": "分配后立即从专用账户支付"})
    bank_ref = Text(64, load_default="", metadata={"description": "银行凭证号（同时支付时必填）"})


class DistributionPaymentSchema(StrictSchema):
    bank_ref = Text(64, required=True, metadata={"description": "银行凭证号（支付流水的凭证号）"})


class DistributionShareSchema(Schema):
    contributor = fields.String()
    amount = MoneyField()


class DistributionResultSchema(Schema):
    id = fields.Integer()
    income = MoneyField(metadata={"description": "分配的收益"})
    tax = MoneyField(metadata={"description": "税费"})
    losses_covered = MoneyField(metadata={"description": "弥补核销损失"})
    shares = fields.List(fields.Nested(DistributionShareSchema))
    paid = MoneyField(allow_none=True, metadata={"description": "本次支付；null 为暂不支付，记为应付"})


class PaidSchema(Schema):
    paid = MoneyField()


class UserActiveSchema(StrictSchema):
    active = fields.Boolean(required=True, error_messages=REQUIRED, metadata={"description": "true 启用，false 停用"})


class FundPersonSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    bank = fields.Function(lambda u: u.bank.name if u.bank else None)
    enterprise = fields.Function(lambda u: u.enterprise.name if u.enterprise else None)


class SecondFactorSchema(Schema):
    state = fields.String(metadata={"description": "off 未启用 / pending 待确认（已生成密钥）/ on 已启用"})
    confirmed_at = fields.AwareDateTime(allow_none=True, metadata={"description": "启用时间"})
    unused_recovery_codes = fields.Integer(metadata={"description": "未用的恢复码个数"})
    required = fields.Boolean(metadata={"description": "本系统要求该账户启用两步验证"})


class EnrolmentSchema(Schema):
    secret = fields.String(metadata={"description": "TOTP 密钥（Base32），可手动输入验证器应用"})
    uri = fields.String(metadata={"description": "otpauth:// 地址（二维码的内容）"})


class CodeSchema(StrictSchema):
    otp = Text(20, required=True, metadata={"description": "验证器应用显示的 6 位动态验证码"})


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(
        fields.String(), metadata={"description": "恢复码：每个可代替动态验证码使用一次，只返回这一次"}
    )


class LiftedSchema(Schema):
    lifted = fields.Integer(metadata={"description": "解除的登录限制处数"})


class MailDeliverySchema(Schema):
    id = fields.Integer()
    to_address = fields.String()
    subject = fields.Function(lambda d: d.message.subject)
    state = fields.String(metadata={"description": "queued 待发送 / failed 发送失败"})
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()


# -- the group's register, the fund's dissolution, the month's filing, the audit pack and record ----------------------


class GroupDecisionCreateSchema(StrictSchema):
    minutes_ref = Text(64, required=True, metadata={"description": "会议纪要编号（须已登记会议）"})
    subject = Text(2000, required=True, metadata={"description": "决定事项"})
    outcome = Text(40, required=True, metadata={"description": "决定"})
    note = Text(2000, load_default="", metadata={"description": "表决情况与说明"})


class ReportHeardSchema(StrictSchema):
    minutes_ref = Text(64, required=True, metadata={"description": "会议纪要编号（须已登记会议）"})
    note = Text(2000, load_default="", metadata={"description": "领导小组意见"})


class DissolutionSchema(Schema):
    id = fields.Integer()
    state = fields.String(metadata={"description": "proposed, decided, rejected, approved, closed"})
    reason = fields.String()
    proposed_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    approval_ref = fields.String(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)


class DissolutionProposalSchema(StrictSchema):
    reason = Text(2000, required=True, metadata={"description": "提议解散的理由"})


class DissolutionDecisionSchema(StrictSchema):
    dissolve = fields.Boolean(required=True, error_messages=REQUIRED, metadata={"description": "true 同意解散"})
    minutes_ref = Text(64, required=True, metadata={"description": "会议纪要编号（须已登记会议）"})
    note = Text(2000, load_default="", metadata={"description": "说明（不同意须说明理由）"})


class DissolutionApprovalSchema(StrictSchema):
    approval_ref = Text(64, required=True, metadata={"description": "政府批复文号"})
    approved_on = Day(required=True, metadata={"description": "批准日期"})


class DissolutionClosingSchema(StrictSchema):
    closed_on = Day(load_default=None, metadata={"description": "结清日期（默认今天）"})
    bank_ref = Text(64, load_default="", metadata={"description": "银行凭证号（返还净资产的支付流水；有净资产时必填）"})


class MonthlySubmissionSchema(StrictSchema):
    analysis = Text(20000, required=True, metadata={"description": "运营人员的分析（第二十一条）"})
    note = Text(2000, load_default="", metadata={"description": "更正理由（报送第 2 版起须填写）"})


class MonthlyFiledSchema(Schema):
    id = fields.Integer()
    month = fields.Function(lambda r: f"{r.month:%Y-%m}")
    revision = fields.Integer()
    submitted_at = fields.AwareDateTime()
    note = fields.String()


class AuditPackRunSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    state = fields.String(metadata={"description": "queued 排队, running 生成中, done 已完成, failed 失败"})
    requested_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    applications = fields.Integer(allow_none=True)
    files = fields.Integer(allow_none=True)
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    error = fields.String()
    download = fields.Function(
        lambda r: f"/api/v1/reports/audit-pack/runs/{r.id}.zip" if r.state == "done" and not r.removed_at else None
    )


class AuditVerdictSchema(Schema):
    ok = fields.Boolean(metadata={"description": "审计记录链完整，且各表与其审计记录一致"})
    records = fields.Integer()
    head = fields.String()
    broken_seq = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
    differences = fields.List(fields.String(), metadata={"description": "与审计记录不符的行"})


# -- the special account's bank statement (issue 29) ----------------------------------------------------------


class BankFormatSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "table（.xlsx / .csv）或 camt053"})
    columns = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "各项的列名"})


class BankFormatCreateSchema(StrictSchema):
    name = Text(60, required=True, metadata={"description": "格式名称，如 工商银行网银明细"})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(statement_files.KINDS), error="文件类型须为 table 或 camt053"),
    )
    columns = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(statement_files.FIELDS), error="未知的列：{input}")),
        values=Text(60),
        load_default=dict,
        metadata={
            "description": "表格文件各项的列名（表头文字）："
            + "，".join(f"{k} {v}" for k, v in statement_files.FIELDS.items())
        },
    )


class StatementImportSchema(Schema):
    id = fields.Integer()
    format_name = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    lines_read = fields.Integer()
    lines_added = fields.Integer(metadata={"description": "新增的流水（此前未导入过的）"})
    lines_known = fields.Integer(metadata={"description": "此前已导入、本次未重复记入的流水"})
    matched = fields.Integer(metadata={"description": "导入后自动对账的笔数"})
    notes = fields.List(fields.String())
    imported_at = fields.DateTime()


class PeriodQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    start = Day(required=True)
    end = Day(required=True)


class DaySchema(Schema):
    day = fields.Date()
    bank_in = MoneyField()
    bank_out = MoneyField()
    books_in = MoneyField()
    books_out = MoneyField()
    bank_closing = MoneyField(allow_none=True, metadata={"description": "银行日终余额（对账单未给出时为 null）"})
    books_closing = MoneyField()
    difference = MoneyField(allow_none=True)
    unmatched_lines = fields.Integer()
    unmatched_movements = fields.Integer()
    reconciled = fields.Boolean()


class MovementSchema(Schema):
    entry_id = fields.Integer()
    posted_on = fields.Date()
    amount = MoneyField(metadata={"description": "收入为正、支出为负"})
    bank_ref = fields.String(allow_none=True)
    description = fields.String()


class NearSchema(Schema):
    movement = fields.Nested(MovementSchema)
    differences = fields.List(fields.String())


class LineSchema(Schema):
    id = fields.Integer()
    booked_on = fields.Date()
    amount = MoneyField(metadata={"description": "收入为正、支出为负"})
    counterparty = fields.String()
    reference = fields.String()
    balance = MoneyField(allow_none=True)


class OpenLineSchema(Schema):
    line = fields.Nested(LineSchema)
    near = fields.List(fields.Nested(NearSchema))


class StandingSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    covered = fields.Function(lambda s: [{"start": a.isoformat(), "end": b.isoformat()} for a, b in s.covered])
    lines = fields.Integer()
    matched = fields.Integer()
    reconciled = fields.Boolean()
    days = fields.List(fields.Nested(DaySchema))
    open_lines = fields.List(fields.Nested(OpenLineSchema))
    open_movements = fields.List(fields.Nested(MovementSchema))


class HandMatchSchema(StrictSchema):
    entry_id = fields.Integer(required=True, strict=True, metadata={"description": "记账分录号"})
    reason = Text(500, required=True, metadata={"description": "人工对账理由"})


class UndoSchema(StrictSchema):
    reason = Text(500, required=True, metadata={"description": "撤销理由"})


class MatchSchema(Schema):
    id = fields.Integer()
    line_id = fields.Integer()
    entry_id = fields.Integer()
    how = fields.String(metadata={"description": "auto 自动 / hand 人工"})
    reason = fields.String()
    matched_at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)
    undo_reason = fields.String()


class RematchSchema(StrictSchema):
    start = Day(required=True)
    end = Day(required=True)


class RematchedSchema(Schema):
    matched = fields.Integer(metadata={"description": "本次自动对账的笔数"})


class LedgerProblemSchema(Schema):
    row = fields.Integer(metadata={"description": "台账工作表的行号（第 1 行为表格第一行）"})
    column = fields.String(metadata={"description": "列的表头，如“收取用款费用（元）”"})
    message = fields.String()


class LedgerCheckSchema(Schema):
    """What a 台账 would import (``dry_run``): nothing written."""

    rows_read = fields.Function(lambda r: len(r.rows), metadata={"description": "读取的数据行"})
    importable = fields.Function(lambda r: len(r.fresh), metadata={"description": "没有问题、此前未导入的行"})
    created = fields.Integer(metadata={"description": "照此导入将新增的笔数（文件有问题且非逐行导入时为 0）"})
    skipped = fields.Integer(metadata={"description": "此前已导入、将跳过的行"})
    refused = fields.Function(lambda r: len(r.refused), metadata={"description": "有问题的行"})
    amount = MoneyField(metadata={"description": "可导入各笔的转贷金额合计"})
    fees = MoneyField(metadata={"description": "可导入各笔的用款费用合计"})
    problems = fields.List(fields.Nested(LedgerProblemSchema))


class LedgerImportSchema(Schema):
    """An import's record (who, when, which file, what became of its rows)."""

    id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    row_by_row = fields.Boolean()
    outcome = fields.String(metadata={"description": "imported（已导入）、partial（逐行导入）、refused（整份拒收）"})
    rows_read = fields.Integer()
    rows_created = fields.Integer()
    rows_skipped = fields.Integer()
    rows_refused = fields.Integer()
    problems = fields.List(fields.String())
    imported_by = fields.Function(lambda r: r.imported_by.display_name)
    imported_at = fields.DateTime()


class PasswordForgotSchema(StrictSchema):
    identifier = Text(254, required=True, metadata={"description": "用户名或账户登记的邮箱"})


class PasswordResetSchema(StrictSchema):
    token = Text(64, required=True, metadata={"description": "重置邮件中链接的最后一段"})
    new_password = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "新密码"})
    new_password_again = fields.String(required=True, error_messages=REQUIRED, metadata={"description": "再次输入"})


class ReceiptLineSchema(Schema):
    label = fields.String()
    text = fields.String()


class ReceiptSchema(Schema):
    """A 受理回执 or an 电子回单 of an application (issue 30), with its download link."""

    kind = fields.String(
        metadata={"description": "accepted 受理、refused 不予受理、disbursed 放款、returned 归还、claim_paid 银行清偿"}
    )
    number = fields.String(metadata={"description": "编号（唯一）"})
    title = fields.String()
    issued_on = fields.Date()
    amount = MoneyField(allow_none=True)
    lines = fields.List(fields.Nested(ReceiptLineSchema))
    download = fields.String(metadata={"description": "PDF 的下载地址"})
