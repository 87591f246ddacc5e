"""Demo data for ``make run`` and scripted checks: banks, enterprises, users, the first contribution, applications.

Idempotent: what exists already is left alone. Refused under the production configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.eligibility import classify_size, normalise_credit_code
from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, Contributor, Enterprise, Fund, User
from loanfund.services import lifecycle, platform
from loanfund.services.applications import green_channel, materials
from loanfund.services.books.capital import contributor_named, record_contribution
from loanfund.services.group import group_register
from loanfund.services.lianyungang import FUND as CITY_FUND
from loanfund.services.lianyungang import ensure_city_fund
from loanfund.services.people.accounts import create_user
from loanfund.services.policies import ensure_default_policy
from loanfund.services.uow import finish

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

# ICBC cooperates with the county's fund too, through its Donghai branch: its own agreement and designated account
COUNTY_BANK = dict(
    code="ICBC-DH",
    name="中国工商银行东海县支行",
    agreement_no="DH-ZD-2025-001",
    account_name="中国工商银行东海县支行转贷资金过渡户",
    account_no="1107 0230 0900 0456 789",
    account_bank="中国工商银行东海县支行",
    officer_name="赵东明",
    officer_phone="0518-8741 0003",
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
    ("reviewer", Role.REVIEWER, "李审核"),
    ("operator", Role.OPERATOR, "张经办"),
    ("operator2", Role.OPERATOR, "赵复核"),
    ("group", Role.GROUP, "领导小组办公室"),
)

FIRST_CONTRIBUTOR = "连云港市工业投资集团有限公司"
FIRST_CONTRIBUTION = Money.yuan(200_000_000)  # 第五条: 首期2亿元


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(password: str = DEFAULT_PASSWORD, *, with_applications: bool = True) -> SeedReport:
    """Create the demo data that is missing and say what was created and who can log in. The applications are
    driven through the lifecycle services, each step committing as it would for a user."""
    if not current_app.config.get("DEMO_ALLOWED", False):
        raise NotAllowed("生产环境不允许写入演示数据", code="demo_refused")
    report = SeedReport()
    city = ensure_city_fund()
    ensure_default_policy(city)
    materials.ensure_checklist(city.id)
    banks = [_bank(spec, report, city) for spec in BANKS]
    enterprises = [_enterprise(spec, report) for spec in ENTERPRISES]
    for username, role, name in STAFF:
        _user(report, username, password, role, name, fund=city)
    for number, bank in enumerate(banks, start=1):
        _user(report, f"bank{number}", password, Role.BANK, bank.officer_name, bank=bank, fund=city)
    for number, enterprise in enumerate(enterprises, start=1):
        _user(report, f"ent{number}", password, Role.ENTERPRISE, enterprise.contact_name, enterprise=enterprise)
    finish(report)
    _first_contribution(report, city)
    _county(report, password)
    for fund in db.session.scalars(select(Fund).order_by(Fund.id)):
        _bank_formats(report, fund)
    if with_applications:
        _applications(report)
    return report


# Donghai county's own fund beside the city's (东政规发〔2025〕5号; DESIGN §7): 2000万 from the county's finance, priced
# like the city's 2023 rules — 0.2‰ a day for the first 5 days, 0.4‰ beyond, 95 % of the commitment — for the county
# only, with its own staff and an officer of ICBC, which cooperates with both funds.
COUNTY = platform.FundInput(
    code="DH",
    name="东海县中小微企业应急转贷资金",
    short_name="县应急转贷资金",
    regulation="东海县中小微企业应急转贷资金管理办法",
    regulation_number="东政规发〔2025〕5号",
    districts=["donghai"],
    authority="东海县工业和信息化局",
    group_office="东海县中小微企业应急转贷资金领导小组办公室",
    reviewing_body="县中小企业服务中心",
    operating_body="县财政投资公司",
    account_bank="中国工商银行东海支行",
    account_name="东海县中小微企业应急转贷资金专户",
    account_no="1107 0208 0900 0666 888",
    contact="咨询电话：0518-8720 0000",
)
COUNTY_POLICY: dict[str, object] = {
    "name": "东政规发〔2025〕5号",
    "effective_from": date(2025, 6, 1),
    "bands": [
        {"upper_bound": None, "upper_inclusive": False, "base_rate_permille": "0.2", "extended_rate_permille": "0.4"}
    ],
    "base_rate_days": 5,
    "max_days": 10,
    "cap_percent": "95",
    "group_threshold": "10000000.00",
    "group_for_overdue_loan": True,
    "renewal_sla_days": 2,
    "blacklist_years": 3,
    "rate_mode": "marginal",
    "description": "东海县中小微企业应急转贷资金管理办法（2025）",
    "loan_types": ["working_capital"],
}
COUNTY_STAFF = (
    ("dh_admin", Role.ADMIN, "县系统管理员"),
    ("dh_reviewer", Role.REVIEWER, "钱审核"),
    ("dh_operator", Role.OPERATOR, "孙经办"),
    ("dh_operator2", Role.OPERATOR, "周复核"),
    ("dh_group", Role.GROUP, "县领导小组办公室"),
)
COUNTY_CAPITAL = ("东海县财政局", Money.yuan(20_000_000))


def _county(report: SeedReport, password: str) -> None:
    """The platform's own people, and Donghai's fund with its staff and capital."""
    _user(report, "platform", password, Role.PLATFORM, "平台管理员")
    _user(report, "overseer", password, Role.OVERSEER, "市工业和信息化局")
    finish(report)
    county = db.session.scalar(select(Fund).where(Fund.code == COUNTY.code))
    if county is None:
        platform_admin = db.session.scalars(select(User).where(User.username == "platform")).one()
        county = platform.create_fund(platform_admin, COUNTY, COUNTY_POLICY)
        report.created.append(f"转贷资金 {COUNTY.name}")
    for username, role, name in COUNTY_STAFF:
        _user(report, username, password, role, name, fund=county)
    icbc = _bank(COUNTY_BANK, report, county)
    _user(report, "dh_bank1", password, Role.BANK, icbc.officer_name, bank=icbc, fund=county)
    finish(report)
    name, amount = COUNTY_CAPITAL
    if db.session.scalar(select(Contributor.id).where(Contributor.fund_id == county.id)) is None:
        record_contribution(contributor_named(county.id, name, "county"), amount, date(2025, 6, 30), "CZ20250630001")
        report.created.append(f"出资 {name} {amount.format()} 元")


# how 网银 exports the special account's statement: the headers of a typical detail export, and CAMT.053 (issue 29)
BANK_FORMATS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "网银明细（.xlsx / .csv）",
        "table",
        {
            "date": "交易日期",
            "credit": "贷方发生额",
            "debit": "借方发生额",
            "counterparty": "对方户名",
            "reference": "摘要",
            "balance": "余额",
            "bank_txn_id": "流水号",
        },
    ),
    ("CAMT.053", "camt053", {}),
)


def _bank_formats(report: SeedReport, fund: Fund) -> None:
    from loanfund.services.books import bank_statement

    if bank_statement.formats(fund.id):
        return
    admin = db.session.scalars(
        select(User).where(User.fund_id == fund.id, User.role == Role.ADMIN.value).order_by(User.id)
    ).first()
    if admin is None:
        return
    for name, kind, columns in BANK_FORMATS:
        bank_statement.save_format(admin, fund.id, name, kind, columns)
        report.created.append(f"银行流水格式 {name}（{fund.short_name}）")


def _bank(spec: dict[str, str], report: SeedReport, fund: Fund) -> Bank:
    bank = db.session.scalar(select(Bank).where(Bank.fund_id == fund.id, Bank.code == spec["code"]))
    if bank is None:
        # In force whenever the demo is started: from the fund's first year to two years ahead of today.
        end = date(clock.today().year + 2, 12, 31)
        bank = Bank(fund_id=fund.id, agreement_start=date(2019, 1, 1), agreement_end=end, **spec)
        db.session.add(bank)
        db.session.flush()
        report.created.append(f"合作银行 {spec['name']}（{fund.short_name}）")
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
    fund = scope.get("fund")
    shown = fund.role_title(role.value) if isinstance(fund, Fund) else role.label
    report.logins.append((username, f"{shown} · {fund.short_name}" if isinstance(fund, Fund) else shown))
    if db.session.scalar(select(User.id).where(User.username == username)) is None:
        db.session.flush()
        # an address per user, so a developer can watch the notices with a local SMTP sink (README)
        email = f"{username}@example.test"
        create_user(username, password, role, display_name=name, email=email, **scope)  # type: ignore[arg-type]
        report.created.append(f"用户 {username}")


def _first_contribution(report: SeedReport, city: Fund) -> None:
    if db.session.scalar(select(Contributor.id).where(Contributor.name == FIRST_CONTRIBUTOR)) is None:
        contributor = contributor_named(city.id, FIRST_CONTRIBUTOR, "municipal")
        record_contribution(contributor, FIRST_CONTRIBUTION, date(2018, 12, 20), "CZ20181220001")
        report.created.append(f"出资 {FIRST_CONTRIBUTOR} {FIRST_CONTRIBUTION.format()} 元")


def _sample(code: str) -> tuple[str, bytes]:
    """A small, valid PDF standing for a document of the demo (its name says which)."""
    named = {item[0]: item[1] for item in materials.DEFAULT_CHECKLIST} | {
        "minutes": "领导小组会议纪要",
        "rules": "业务操作规程",
    }
    title = named.get(code, code)
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    body += b"trailer<</Root 1 0 R>>\n%%EOF\n"
    return f"{title}（演示）.pdf", body


def _applications(report: SeedReport) -> None:
    """Applications in several states, each driven through the same services the users call."""
    if db.session.scalar(select(Application.id).limit(1)) is not None:
        return
    users = {u.username: u for u in db.session.scalars(select(User))}
    banks = {b.code: b for b in db.session.scalars(select(Bank))}
    today = clock.today()
    M = Money.parse

    def apply(
        username: str,
        bank: str,
        contract: str,
        due: str,
        amount: str,
        days: int,
        own: str,
        overdue: bool = False,
        due_on: date | None = None,
        documents: tuple[str, ...] = ("licence", "loan_contract", "financials"),
        mortgage: str = "none",
        fund: str = CITY_FUND["code"],
    ) -> int:
        data = lifecycle.ApplicationInput(
            bank_id=banks[bank].id,
            loan_contract_no=contract,
            loan_amount_due=M(due),
            loan_due_date=due_on or today + timedelta(days=3),
            loan_overdue=overdue,
            requested_amount=M(amount),
            requested_days=days,
            own_funds=M(own),
            purpose="归还到期流动资金贷款，银行续贷后归还",
            mortgage=mortgage,
            fund=fund,
        )
        app_id = lifecycle.submit_application(users[username], data).id
        for code in documents:
            materials.upload(users[username], app_id, code, [_sample(code)])
        return app_id

    def accept(app_id: int, note: str, reviewer: str = "reviewer") -> None:
        """The reviewer files the 征信 report and records the credit check (第八、十五条)."""
        materials.upload(users[reviewer], app_id, "credit_report", [_sample("credit_report")])
        lifecycle.accept(
            users[reviewer],
            app_id,
            credit_report_date=today - timedelta(days=1),
            credit_adverse="none",
            credit_industry="fits",
            credit_operating="good",
            credit_check_note="人行征信无不良信用记录，属鼓励类制造业，生产经营正常，符合受理条件",
            note=note,
        )

    def through_commit(app_id: int, bank_user: str, committed: str, reviewer: str = "reviewer") -> None:
        accept(app_id, "材料齐全，符合受理条件", reviewer)
        materials.upload(users[bank_user], app_id, "commitment", [_sample("commitment")])
        lifecycle.commit(users[bank_user], app_id, M(committed), "同意续贷，到期后按原条件续贷", "承诺函〔2026〕号")

    # ent1: one bridge all the way to the archive, and one out with the bank now.
    done = apply("ent1", "ICBC-LYG", "工银借字2025第0318号", "12,000,000.00", "10,000,000.00", 3, "2,000,000.00")
    through_commit(done, "bank1", "12,000,000.00")
    lifecycle.approve(users["operator"], done, M("9,600,000.00"), M("2,400,000.00"), "额度按承诺80%核定")
    lifecycle.prepare_disbursement(users["operator"], done, today, "ZD-HK-0001")
    lifecycle.authorise_disbursement(users["operator2"], done)
    lifecycle.confirm_renewal(users["bank1"], done, "工银借字2026第1129号", M("12,000,000.00"), today)
    fee = lifecycle.account_of(db.session.get(Application, done)).fee_due  # type: ignore[arg-type,union-attr]
    lifecycle.confirm_return(users["bank1"], done, today, M("9,600,000.00"), fee, "ICBC-HK-0001")
    lifecycle.archive(users["operator"], done, "资料已立卷归档")

    out = apply("ent1", "JSB-LYG", "苏银借字2025第0777号", "30,000,000.00", "24,000,000.00", 5, "6,000,000.00")
    through_commit(out, "bank2", "30,000,000.00")
    lifecycle.approve(users["operator"], out, M("24,000,000.00"), M("6,000,000.00"))
    lifecycle.prepare_disbursement(users["operator"], out, today, "ZD-HK-0002")
    lifecycle.authorise_disbursement(users["operator2"], out)

    # ent2: one waiting for review, one committed by the bank and waiting for the platform's approval.
    # (its financial statements not yet uploaded: the reviewer's checklist shows what is missing)
    apply(
        "ent2",
        "ICBC-LYG",
        "工银借字2025第0521号",
        "5,000,000.00",
        "4,000,000.00",
        3,
        "1,000,000.00",
        documents=("licence", "loan_contract"),
    )
    committed = apply(
        "ent2", "JSB-LYG", "苏银借字2025第0902号", "8,000,000.00", "6,000,000.00", 4, "2,000,000.00", mortgage="land"
    )
    through_commit(committed, "bank2", "8,000,000.00")
    green_channel.issue(users["operator"], committed)  # its renewal involves a land mortgage (第二十七条)

    # ent3: accepted and with the bank; and a loan already overdue at the bank, waiting for the leading group (R6).
    accepted = apply("ent3", "JSB-LYG", "苏银借字2025第1033号", "1,500,000.00", "1,200,000.00", 2, "300,000.00")
    accept(accepted, "材料齐全")
    late = apply(
        "ent3",
        "ICBC-LYG",
        "工银借字2025第0666号",
        "1,000,000.00",
        "800,000.00",
        3,
        "200,000.00",
        overdue=True,
        due_on=today - timedelta(days=2),
    )
    through_commit(late, "bank1", "1,000,000.00")
    lifecycle.approve(users["operator"], late, M("800,000.00"), M("200,000.00"), "贷款已逾期，报领导小组审批")
    # the Donghai firm asks its county's fund too: committed by ICBC, waiting for the county's approval
    county = apply(
        "ent2",
        "ICBC-DH",
        "工银东借字2026第0618号",
        "6,000,000.00",
        "5,000,000.00",
        6,
        "1,000,000.00",
        fund=COUNTY.code,
    )
    through_commit(county, "dh_bank1", "6,000,000.00", reviewer="dh_reviewer")
    report.created.append(
        "申请 7 笔（已归档、已放款、已提交、银行已承诺 2 笔、已受理、待领导小组审批；其中东海县 1 笔）"
    )
    _group_register(users, today)
    report.created.append("领导小组会议 1 次、管理制度 1 份、绿色通道函 1 份")


def _group_register(users: dict[str, User], today: date) -> None:
    """The group's last meeting (it heard nothing yet this month) and the platform's operating rules filed with it."""
    group_register.record_meeting(
        users["group"],
        today - timedelta(days=7),
        f"{today.year}年第3次领导小组会议",
        "组长、副组长及成员单位代表共 9 人",
        f"纪要〔{today.year}〕3号",
        [_sample("minutes")],
    )
    group_register.file_rules(
        users["operator"],
        "应急转贷资金业务操作规程",
        today - timedelta(days=7),
        "明确资格和信用审查、放款复核、逾期追偿的流程",
        [_sample("rules")],
    )
