"""The usage statement (使用情况说明表, 第十九条; DESIGN §6): the complete account of one bridge, frozen when the
application is archived — its 填表日期 is the archive date, and every reprint is the same document. Before archiving
it is built from the record as it stands (a draft). It is a value (``Statement``) that turns into JSON and back, kept
in ``usage_statements`` with the note that it was filed with the leading group office.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from loanfund import clock
from loanfund.clock import cn_day
from loanfund.domain import credit
from loanfund.domain.events import event_label
from loanfund.domain.lifecycle import ACTION_LABELS, Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy, RateMode
from loanfund.domain.rules import Settlement, due_date, fee_parts
from loanfund.extensions import db
from loanfund.models import Application, Material, UsageStatement, User
from loanfund.services.applications import materials
from loanfund.services.group import group_register
from loanfund.services.lifecycle.reading import timeline

# a bridge has a statement once its money is settled: back (repaid, archived) or written off
STATEMENT_STATES = frozenset({State.REPAID, State.ARCHIVED, State.WRITTEN_OFF})
RATE_MODES = {RateMode.MARGINAL: "超出部分按较高费率", RateMode.WHOLE_PERIOD: "超过后全期按较高费率"}


@dataclass(frozen=True)
class Line:
    """One row of the statement: a label and its value as printed (amounts with 元, dates as 2026年11月29日)."""

    label: str
    value: str
    amount_fen: int | None = None  # the figure behind an amount, for the workbook's numeric cell


@dataclass(frozen=True)
class Statement:
    fund_name: str
    reference: str
    filed_on: str | None  # 填表日期: the archive date; None for a draft
    filed_with: str
    sections: list[tuple[str, list[Line]]]
    events: list[tuple[str, str, str, str]] = field(default_factory=list)  # (time, step, who, note)
    maker: str = ""  # 经办人: who prepared the disbursement (signs the statement)
    checker: str = ""  # 复核人: who authorised it

    @property
    def is_draft(self) -> bool:
        return self.filed_on is None

    @staticmethod
    def rows(lines: list[Line]) -> list[tuple[Line, Line | None]]:
        """A section's lines two to a row where both are short, one to a row where either is long: the same facts,
        on two A4 pages rather than three (issue 23)."""
        rows: list[tuple[Line, Line | None]] = []
        waiting: Line | None = None
        for line in lines:
            if not _short(line):
                if waiting is not None:
                    rows.append((waiting, None))
                    waiting = None
                rows.append((line, None))
            elif waiting is None:
                waiting = line
            else:
                rows.append((waiting, line))
                waiting = None
        if waiting is not None:
            rows.append((waiting, None))
        return rows

    def to_json(self) -> dict[str, Any]:
        return {
            "fund_name": self.fund_name,
            "reference": self.reference,
            "filed_on": self.filed_on,
            "filed_with": self.filed_with,
            "sections": [[title, [asdict(line) for line in lines]] for title, lines in self.sections],
            "events": [list(e) for e in self.events],
            "maker": self.maker,
            "checker": self.checker,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statement:
        return cls(
            data["fund_name"],
            data["reference"],
            data["filed_on"],
            data["filed_with"],
            [(title, [Line(**line) for line in lines]) for title, lines in data["sections"]],
            [tuple(e) for e in data["events"]],
            data.get("maker", ""),  # statements filed before issue 23 named them in the payout section only
            data.get("checker", ""),
        )


def _short(line: Line) -> bool:
    return len(line.label) <= 10 and len(line.value) <= 24


def _money(label: str, amount: Money | None) -> Line:
    return Line(label, "—" if amount is None else f"{amount.format()} 元", None if amount is None else amount.fen)


def _permille(rate: Decimal) -> str:
    return f"{rate}‰"


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "—"


def build(
    application: Application,
    account: Settlement | None,
    policy: Policy,
    filed_on: date | None,
    archived_by: User | None = None,
    archive_note: str = "",
) -> Statement:
    """The statement of ``application`` as its record stands. ``filed_on`` with ``archived_by``: the archive step
    being taken (its own line closes the 办理过程)."""
    a = application
    enterprise, bank = a.enterprise, a.bank
    people: dict[int | None, User] = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_(_people_ids(a))))
    }
    band_number, band = policy.band_for(a.approved_amount or a.requested_amount)
    bound = (
        f"{band.upper_bound.format_wan()} 万元{'及' if band.upper_inclusive else ''}以下"
        if band.upper_bound is not None
        else "不设上限"
    )
    subject = [
        Line("企业名称", enterprise.name),
        Line("统一社会信用代码", enterprise.credit_code),
        Line(
            "企业规模 / 所在地 / 行业",
            f"{enterprise.size_enum.label}企业 · {enterprise.district_name} · {enterprise.industry_name}",
        ),
        Line("法定代表人 / 联系人", f"{enterprise.legal_representative or '—'} / {enterprise.contact_name or '—'}"),
        Line("合作银行", bank.name),
        Line("到期贷款合同", a.loan_contract_no),
        Line("贷款种类", a.loan_type_label),
        Line(
            "土地、房产抵押",
            a.mortgage_label
            + (
                f" · 绿色通道函 {a.green_channel_letter.number}（{cn_day(a.green_channel_letter.issued_on)}）"
                if a.green_channel_letter
                else ""
            ),
        ),
        _money("到期贷款本息", a.loan_amount_due),
        Line("到期日", cn_day(a.loan_due_date)),
    ]
    review = [
        Line("受理意见", a.review_note or "—"),
        Line("征信报告日期", cn_day(a.credit_report_date)),
        Line("资格和信用审查", credit.findings(a.credit_adverse, a.credit_industry, a.credit_operating) or "—"),
        Line("审查结论", a.credit_check_note or "—"),
        Line("受理人 / 时间", f"{_name(people.get(a.reviewed_by_id))} / {cn_day(a.reviewed_at)}"),
        _money("银行承诺续贷额度", a.committed_amount),
        Line("银行意见", a.bank_opinion or "—"),
        Line("银行经办人 / 承诺函（盖章）编号", f"{a.bank_officer or '—'} / {a.bank_seal_ref or '—'}"),
    ]
    approval = [
        _money("批准使用金额", a.approved_amount),
        Line("批准金额大写", a.approved_amount.capitals() if a.approved_amount else "—"),
        _money("自筹资金到位", a.own_funds_confirmed),
        Line("审批人 / 日期", f"{_name(people.get(a.approved_by_id))} / {cn_day(a.approved_on)}"),
        Line("政策版本", policy.name),
        Line("费率档次", f"第 {band_number} 档（{bound}）"),
        Line(
            "日费率",
            f"前 {policy.base_rate_days} 天 {_permille(band.base_rate_permille)}，"
            f"其后 {_permille(band.extended_rate_permille)}（{RATE_MODES[policy.rate_mode]}）",
        ),
    ]
    if a.group_minutes_ref:
        approval.append(
            Line("领导小组审批", f"{a.group_reasons or ''} · 纪要 {a.group_minutes_ref} · {cn_day(a.group_decided_at)}")
        )
    decided = group_register.decisions_on(application_id=a.id)
    if decided:  # the group's register (第四条): each decision on this bridge by its number
        approval.append(
            Line("领导小组决定", "；".join(f"第 {d.id} 号 {d.outcome}（{cn_day(d.decided_on)}）" for d in decided))
        )
    due = due_date(policy, a.value_date) if a.value_date else None
    payout = [
        Line("起息日 / 最迟收回日", f"{cn_day(a.value_date)} / {cn_day(due)}"),
        Line("划出凭证号", a.disbursement_ref or "—"),
        Line("收款户名", a.destination_account_name or "—"),
        Line("收款账号", a.destination_account_no or "—"),
        Line("开户行", a.destination_account_bank or "—"),
        Line(
            "制单（经办） / 复核",
            f"{_name(people.get(a.prepared_by_id))} {cn_day(a.prepared_at)} / "
            f"{_name(people.get(a.authorised_by_id))} {cn_day(a.authorised_at)}",
        ),
    ]
    renewal = "—"
    if a.renewed_on:
        amount = a.new_loan_amount.format() if a.new_loan_amount else "—"
        renewal = f"{a.new_loan_contract_no} · {amount} 元 · {cn_day(a.renewed_on)}"
        renewal += "（超过银行续贷时限）" if a.renewal_late else ""
    settled = [Line("续贷合同 / 金额 / 日期", renewal)]
    for number, receipt in enumerate(a.receipts, start=1):
        settled.append(
            Line(
                f"收回（第 {number} 笔）",
                f"{cn_day(receipt.received_on)} 本金 {receipt.principal.format()} 元、费用 {receipt.fee.format()} 元 · "
                f"划回凭证号 {receipt.transfer_ref}",
            )
        )
    claim = a.bank_claim
    if claim is not None:
        settled.append(
            Line(
                "合作银行清偿责任（第二十三条）",
                f"{cn_day(claim.claimed_on)} 认定{bank.name}承担 {claim.amount.format()} 元"
                f"（本金 {claim.principal.format()} 元、费用 {claim.fee.format()} 元）",
                claim.amount.fen,
            )
        )
        for number, payment in enumerate(claim.payments, start=1):
            settled.append(
                Line(
                    f"银行清偿（第 {number} 笔）",
                    f"{cn_day(payment.paid_on)} {payment.amount.format()} 元 · 划回凭证号 {payment.transfer_ref}",
                )
            )
        if a.settled_by_bank_on:
            settled.append(Line("办结", f"{cn_day(a.settled_by_bank_on)} 合作银行全部清偿"))
    if account is not None and a.approved_amount is not None:
        by_bank = "（含合作银行清偿）" if claim is not None else ""
        settled += [
            Line("实际使用天数", f"{account.days} 天（算头不算尾）"),
            _money(f"收回本金{by_bank}", account.principal_received),
            _money("应收费用", account.fee_due),
            Line("费用计算", _fee_text(policy, a.approved_amount, account.days)),
            Line("费用大写", account.fee_due.capitals()),
            _money(f"实收费用{by_bank}", account.fee_received),
        ]
    if a.written_off_on:
        settled.append(Line("核销", f"{cn_day(a.written_off_on)} 经领导小组决定核销"))
    names = materials.labels(a.fund_id)
    files = [
        Line(
            names.get(m.category, m.category),
            f"{m.filename}（{cn_day(m.created_at)} 上传，SHA-256 {m.sha256[:12]}…）",
        )
        for m in db.session.scalars(select(Material).where(Material.application_id == a.id).order_by(Material.id))
    ] or [Line("材料", "未上传")]
    events = [
        (
            clock.local(e.at).strftime("%Y-%m-%d %H:%M"),
            event_label(e.action),
            f"{_name(e.actor)}（{_role(a, e.actor_role)}）",
            e.note,
        )
        for e in timeline(a)
    ]
    if archived_by is not None:
        events.append(
            (
                clock.local(clock.utcnow()).strftime("%Y-%m-%d %H:%M"),
                ACTION_LABELS[Action.ARCHIVE],
                f"{archived_by.display_name}（{a.fund.role_title(archived_by.role)}）",
                archive_note,
            )
        )
    return Statement(
        a.fund.name,
        a.reference,
        cn_day(filed_on) if filed_on else None,
        a.fund.group_office,
        [
            ("申请企业与到期贷款", subject),
            ("受理与银行承诺", review),
            ("审批与费率", approval),
            ("放款", payout),
            ("续贷与收回", settled),
            ("存档材料", files),
        ],
        events,
        _name(people.get(a.prepared_by_id)) if a.prepared_by_id else "",
        _name(people.get(a.authorised_by_id)) if a.authorised_by_id else "",
    )


def _fee_text(policy: Policy, amount: Money, days: int) -> str:
    parts = fee_parts(policy, amount, days)
    shown = [
        f"{amount.format()} 元 × {_permille(p.rate_permille)} × {p.days} 天 = "
        f"{Money.from_decimal_fen(p.exact_fen.quantize(Decimal(1), ROUND_HALF_UP)).format()} 元"
        for p in parts
    ]
    return "；".join(shown)


def _people_ids(a: Application) -> set[int]:
    return {
        i
        for i in (a.reviewed_by_id, a.approved_by_id, a.prepared_by_id, a.authorised_by_id, a.group_decided_by_id)
        if i is not None
    }


def _role(application: Application, role: str) -> str:
    return application.fund.role_title(role) if role in Role.__members__.values() else "系统"


def freeze(application: Application, statement: Statement, actor: User) -> UsageStatement:
    """Keep the statement as filed (in the archiving step's transaction)."""
    row = UsageStatement(
        application_id=application.id,
        filed_on=clock.today(),
        data=statement.to_json(),
        filed_with=application.fund.group_office,
        created_by_id=actor.id,
    )
    db.session.add(row)
    return row


def filed(application: Application) -> UsageStatement | None:
    return db.session.scalar(select(UsageStatement).where(UsageStatement.application_id == application.id))
