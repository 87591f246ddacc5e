"""The platform's own work (DESIGN §7): the platform administrator creates funds — each with its region, bodies,
special account and first policy version — and their administrators; an overseer reads every fund side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.eligibility import shared_code
from loanfund.domain.errors import FieldErrors, InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import MONEY_OUT_STATES, Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, District, Fund, User
from loanfund.services import policies
from loanfund.services.applications import materials
from loanfund.services.books import fund as position
from loanfund.services.books import ledger
from loanfund.services.people.accounts import create_user
from loanfund.services.reports import reporting
from loanfund.services.uow import finish

CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


@dataclass(frozen=True)
class FundInput:
    code: str
    name: str
    short_name: str
    regulation: str
    regulation_number: str
    districts: list[str]
    authority: str
    group_office: str
    reviewing_body: str
    operating_body: str
    account_bank: str = ""
    account_name: str = ""
    account_no: str = ""
    contact: str = ""
    region_name: str = ""  # left out: the one district's name
    region_code: str = ""  # left out: what the districts' codes share


def _platform(actor: User) -> None:
    if actor.role_enum is not Role.PLATFORM:
        raise NotAllowed("只有平台管理员可以设立转贷资金", code="role_not_allowed")


def create_fund(actor: User, data: FundInput, policy: dict[str, Any]) -> Fund:
    """A new fund with its first policy version, committed together.

    :raise NotAllowed: not the platform administrator.
    :raise InvalidInput: every wrong field at once — the policy's as ``policy.<field>``.
    """
    _platform(actor)
    errors = FieldErrors()
    code = data.code.strip().upper()
    if not CODE.match(code):
        errors.add("code", "代码须为 2–16 位大写字母或数字，以字母开头，如 DH")
    elif db.session.scalar(select(Fund.id).where(Fund.code == code)) is not None:
        errors.add("code", "已有该代码的转贷资金")
    texts = {
        key: str(getattr(data, key)).strip()
        for key in (
            "name",
            "short_name",
            "regulation",
            "regulation_number",
            "authority",
            "group_office",
            "reviewing_body",
            "operating_body",
            "account_bank",
            "account_name",
            "account_no",
            "contact",
            "region_name",
            "region_code",
        )
    }
    required = ("name", "short_name", "regulation", "regulation_number", "group_office", "reviewing_body")
    for key in (*required, "operating_body"):
        if not texts[key]:
            errors.add(key, "此项为必填项")
    if texts["name"] and db.session.scalar(select(Fund.id).where(Fund.name == texts["name"])) is not None:
        errors.add("name", "已有同名的转贷资金")
    chosen = list(db.session.scalars(select(District).where(District.key.in_(data.districts))))
    unknown = sorted(set(data.districts) - {d.key for d in chosen})
    if not data.districts:
        errors.add("districts", "至少选择一个服务的县区")
    elif unknown:
        errors.add("districts", f"未知县区：{'、'.join(unknown)}")
    region_code = texts["region_code"] or shared_code(d.region_code or d.within_code for d in chosen)
    if not re.fullmatch(r"\d{2,6}", region_code or ""):
        errors.add("region_code", "请填写服务区域的行政区划代码（2–6 位数字），如 320722")
    region_name = texts["region_name"] or (chosen[0].name if len(chosen) == 1 else "")
    if not region_name:
        errors.add("region_name", "服务多个县区时请填写服务区域的名称，如 某某市")
    for key, limit in (("name", 100), ("short_name", 40), ("regulation", 200), ("regulation_number", 60)):
        if len(texts[key]) > limit:
            errors.add(key, f"不能超过 {limit} 个字")
    fund = Fund(
        code=code,
        region_name=region_name,
        region_code=region_code,
        **{k: v for k, v in texts.items() if k not in ("region_name", "region_code")},
    )
    fund.districts = chosen
    try:  # every problem in one pass, the policy's included
        policies.policy_from_input(None, policy)
    except InvalidInput as exc:
        for key, messages in exc.errors.items():
            for message in messages:
                errors.add(f"policy.{key}", message)
    errors.raise_if_any()
    db.session.add(fund)
    db.session.flush()
    policies.new_policy_version(fund, policy)
    materials.ensure_checklist(fund.id)  # the default list, for its administrator to adjust
    return finish(fund)


def fund_for(actor: User, code: str) -> Fund:
    """The fund ``actor`` may administer: their own (a fund's administrator), any (the platform administrator).

    :raise NotFound: no such fund, or another fund's — reported alike."""
    fund = db.session.scalar(select(Fund).where(Fund.code == code.strip().upper()))
    if fund is None or not (actor.role_enum is Role.PLATFORM or actor.fund_id == fund.id):
        raise NotFound("未找到该转贷资金")
    return fund


def add_fund_user(
    actor: User, code: str, username: str, password: str, role: str, email: str, bank_id: int | None = None
) -> User:
    """A user of a fund: the platform administrator adds a fund's administrator; a fund's administrator adds any of
    its own staff and bank officers. Committed.

    :raise NotFound: as ``fund_for``. :raise NotAllowed: a role the actor may not give.
    :raise InvalidInput: as ``create_user``, or an unknown role or bank."""
    fund = fund_for(actor, code)
    if role not in Role.__members__.values():
        raise InvalidInput({"role": ["未知角色"]})
    wanted = Role(role)
    allowed = (
        {Role.ADMIN}
        if actor.role_enum is Role.PLATFORM
        else {Role.ADMIN, Role.REVIEWER, Role.OPERATOR, Role.GROUP, Role.BANK}
        if actor.role_enum is Role.ADMIN
        else set()
    )
    if wanted not in allowed:
        raise NotAllowed(f"不能设立“{wanted.label}”用户", code="role_not_allowed")
    bank = db.session.get(Bank, bank_id) if bank_id else None
    if bank_id and (bank is None or bank.fund_id != fund.id):
        raise InvalidInput({"bank_id": ["该资金没有这家合作银行"]})
    user = create_user(
        username, password, wanted, display_name=username, bank=bank, email=email.strip() or None, fund=fund
    )
    return finish(user)


@dataclass(frozen=True)
class FundFigures:
    """One fund's line of the consolidated view."""

    fund: Fund
    cash: Money
    reserved: Money
    out: Money
    bridges_out: int
    year: reporting.Summary

    @property
    def available(self) -> Money:
        return self.cash - self.reserved


def overview(actor: User) -> tuple[list[FundFigures], FundFigures | None]:
    """Every fund side by side — the special account, the money out, this year's figures — and their totals, for the
    overseer and the platform administrator. Reads only.

    :raise NotAllowed: anyone else."""
    if actor.role_enum not in (Role.OVERSEER, Role.PLATFORM):
        raise NotAllowed("只有监管部门和平台管理员可以查看各转贷资金的汇总", code="role_not_allowed")
    today = clock.today()
    out_now = dict(
        db.session.execute(
            select(Application.fund_id, func.count(Application.id))
            .where(Application.state.in_([s.value for s in MONEY_OUT_STATES]))
            .group_by(Application.fund_id)
        ).all()
    )
    lines = []
    for each in db.session.scalars(select(Fund).order_by(Fund.id)):
        held = position.position(each.id)
        lines.append(
            FundFigures(
                each,
                held.cash,
                held.reserved,
                ledger.line_balance(each.id, "receivable"),
                int(out_now.get(each.id, 0)),
                reporting.summary(each.id, today.replace(month=1, day=1), today),
            )
        )
    if not lines:
        return [], None
    return lines, _total(lines)


def _total(lines: list[FundFigures]) -> FundFigures:
    def add(name: str) -> Money:
        return sum((getattr(line, name) for line in lines), Money.zero())

    first = lines[0].year
    year = reporting.Summary(
        first.start,
        first.end,
        submitted=sum(line.year.submitted for line in lines),
        requested=sum((line.year.requested for line in lines), Money.zero()),
        bridges=sum(line.year.bridges for line in lines),
        disbursed=sum((line.year.disbursed for line in lines), Money.zero()),
        returned=sum((line.year.returned for line in lines), Money.zero()),
        fee_income=sum((line.year.fee_income for line in lines), Money.zero()),
        closed=sum(line.year.closed for line in lines),
        days_total=sum(line.year.days_total for line in lines),
        days_longest=max(line.year.days_longest for line in lines),
        fee_distributed=sum((line.year.fee_distributed for line in lines), Money.zero()),
    )
    return FundFigures(
        lines[0].fund, add("cash"), add("reserved"), add("out"), sum(line.bridges_out for line in lines), year
    )
