"""Demo data for ``make run`` and scripted checks: banks, enterprises, users, the first contribution, applications.

Idempotent: what exists already is left alone. Refused under the production configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from loanfund.domain.eligibility import classify_size, normalise_credit_code
from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Bank, Contribution, Contributor, Enterprise, User
from loanfund.services.accounts import create_user
from loanfund.services.policies import ensure_default_policy

DEFAULT_PASSWORD = "loanfund-demo"

BANKS = (
    dict(
        code="ICBC-LYG",
        name="中国工商银行连云港分行",
        agreement_no="LYG-ZD-2025-001",
        account_name="中国工商银行连云港分行转贷资金过渡户",
        account_no="1107 0201 0900 0123 456",
        account_bank="中国工商银行连云港海州支行",
        officer_name="王立新",
        officer_phone="0518-8521 0001",
    ),
    dict(
        code="JSB-LYG",
        name="江苏银行连云港分行",
        agreement_no="LYG-ZD-2025-002",
        account_name="江苏银行连云港分行转贷资金过渡户",
        account_no="7010 0188 0000 4567 8",
        account_bank="江苏银行连云港新浦支行",
        officer_name="陈晓静",
        officer_phone="0518-8552 0002",
    ),
)

ENTERPRISES = (
    dict(
        name="连云港海润机械制造有限公司",
        credit_code="91320706MA1Q8RXL4A",
        district="haizhou",
        industry="industry",
        employees=350,
        revenue="25000000.00",
        assets="48000000.00",
        legal_representative="刘海润",
        contact_name="孙会计",
        contact_phone="138 0518 1001",
        address="连云港市海州区新坝南路 18 号",
    ),
    dict(
        name="东海县晶华硅材料有限公司",
        credit_code="91320722MA1W3H5N2W",
        district="donghai",
        industry="industry",
        employees=120,
        revenue="15000000.00",
        assets="22000000.00",
        legal_representative="周晶华",
        contact_name="吴出纳",
        contact_phone="139 5130 2002",
        address="东海县牛山街道晶都大道 66 号",
    ),
    dict(
        name="赣榆区海丰水产贸易有限公司",
        credit_code="91320707MA20C7KD8A",
        district="ganyu",
        industry="wholesale",
        employees=12,
        revenue="8000000.00",
        assets="6000000.00",
        legal_representative="郑海丰",
        contact_name="郑海丰",
        contact_phone="137 7563 3003",
        address="连云港市赣榆区海头镇渔港路 9 号",
    ),
)

STAFF = (
    ("admin", Role.ADMIN, "系统管理员"),
    ("reviewer", Role.REVIEWER, "李审核（市中小企业发展中心）"),
    ("operator", Role.OPERATOR, "张经办（市工业投资集团）"),
    ("operator2", Role.OPERATOR, "赵复核（市工业投资集团）"),
    ("group", Role.GROUP, "领导小组办公室"),
)

FIRST_CONTRIBUTOR = "连云港市工业投资集团有限公司"
FIRST_CONTRIBUTION = Money.yuan(200_000_000)  # 第五条: 首期2亿元


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(password: str = DEFAULT_PASSWORD) -> SeedReport:
    """Create the demo data that is missing, commit once, and say what was created and who can log in."""
    if not current_app.config.get("DEMO_ALLOWED", False):
        raise NotAllowed("生产环境不允许写入演示数据", code="demo_refused")
    report = SeedReport()
    ensure_default_policy()
    banks = [_bank(spec, report) for spec in BANKS]
    enterprises = [_enterprise(spec, report) for spec in ENTERPRISES]
    for username, role, name in STAFF:
        _user(report, username, password, role, name)
    for number, bank in enumerate(banks, start=1):
        _user(report, f"bank{number}", password, Role.BANK, f"{bank.officer_name}（{bank.name}）", bank=bank)
    for number, enterprise in enumerate(enterprises, start=1):
        _user(report, f"ent{number}", password, Role.ENTERPRISE, enterprise.contact_name, enterprise=enterprise)
    _first_contribution(report)
    db.session.commit()
    return report


def _bank(spec: dict[str, str], report: SeedReport) -> Bank:
    bank = db.session.scalar(select(Bank).where(Bank.code == spec["code"]))
    if bank is None:
        bank = Bank(agreement_start=date(2025, 1, 1), agreement_end=date(2027, 12, 31), **spec)
        db.session.add(bank)
        report.created.append(f"合作银行 {spec['name']}")
    return bank


def _enterprise(spec: dict[str, object], report: SeedReport) -> Enterprise:
    code = normalise_credit_code(str(spec["credit_code"]))
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if enterprise is None:
        revenue, assets = Money.parse(spec["revenue"]), Money.parse(spec["assets"])
        size = classify_size(str(spec["industry"]), int(str(spec["employees"])), revenue, assets)
        enterprise = Enterprise(**(spec | {"revenue": revenue, "assets": assets, "size": size.value}))
        db.session.add(enterprise)
        report.created.append(f"企业 {spec['name']}（{size.label}）")
    return enterprise


def _user(report: SeedReport, username: str, password: str, role: Role, name: str, **scope: object) -> None:
    report.logins.append((username, role.label))
    if db.session.scalar(select(User.id).where(User.username == username)) is None:
        db.session.flush()
        create_user(username, password, role, display_name=name, **scope)  # type: ignore[arg-type]
        report.created.append(f"用户 {username}")


def _first_contribution(report: SeedReport) -> None:
    contributor = db.session.scalar(select(Contributor).where(Contributor.name == FIRST_CONTRIBUTOR))
    if contributor is None:
        contributor = Contributor(name=FIRST_CONTRIBUTOR, kind="municipal")
        db.session.add(contributor)
        db.session.add(
            Contribution(
                contributor=contributor,
                amount=FIRST_CONTRIBUTION,
                received_on=date(2018, 12, 20),
                reference="首期出资（第五条）",
            )
        )
        report.created.append(f"出资 {FIRST_CONTRIBUTOR} {FIRST_CONTRIBUTION.format()} 元")
