"""Test data from factories, not from the demo seed: the demo may change for ``make run`` without moving a test.

Parties (banks, enterprises, users) are rows a factory writes directly. Money never is: the fund's capital and every
application are driven through the services (``record_contribution``, ``tests.flows``), so the books stay balanced.

``cast()`` builds the named people most tests speak of — ``admin``, ``reviewer``, ``operator``/``operator2``,
``group``, ``bank1`` (ICBC) / ``bank2`` (JSB), ``ent1``–``ent3`` — with every value written out here.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import factory
from factory.alchemy import SQLAlchemyModelFactory

from loanfund.domain.lifecycle import FUNDLESS_ROLES, Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Bank, District, Enterprise, Fund, PolicyVersion, User
from loanfund.services.applications.materials import ensure_checklist
from loanfund.services.books.capital import contributor_named, record_contribution
from loanfund.services.lianyungang import FUND as CITY
from loanfund.services.people.passwords import hash_password
from loanfund.services.uow import finish

PASSWORD = "demo-pass-123"

# GB 32100-2015: the 31 characters of a unified social credit code and the weight of each of its first 17 positions.
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def past_the_guards() -> None:
    """For a test that writes a row as an edit past the application would (history from before a rule, a tamperer):
    on PostgreSQL the rest of this transaction runs with the triggers off, as the tables' owner could (the test
    server's role is a superuser); SQLite's raw writes need nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SET LOCAL session_replication_role = replica"))


def credit_code(body: str) -> str:
    """A valid 18-character credit code from its first 17 characters (the check character appended)."""
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + _CODE_CHARS[(31 - total % 31) % 31]


def city_fund() -> Fund:
    """The fund every test database starts with."""
    return db.session.scalars(db.select(Fund).where(Fund.code == CITY["code"])).one()


def city_fund_id() -> int:
    return city_fund().id


# A county's fund beside the city's (DESIGN §7): Donghai's, priced like the 2023 rules — 0.2‰ a day for the first 5
# days, 0.4‰ beyond, at most 95 % of the commitment, one band whatever the amount — for the county only.
COUNTY_POLICY = {
    "name": "东政规发〔2025〕5号",
    "effective_from": "2025-01-01",
    "bands": [
        {"upper_bound": None, "upper_inclusive": False, "base_rate_permille": "0.2", "extended_rate_permille": "0.4"}
    ],
    "base_rate_days": 5,
    "max_days": 10,
    "cap_ratio": "0.95",
    "group_threshold": "10000000.00",
    "group_for_overdue_loan": True,
    "renewal_sla_days": 2,
    "blacklist_years": 3,
    "rate_mode": "marginal",
    "description": "东海县中小微企业应急转贷资金管理办法",
    "loan_types": ["working_capital"],
}


def county_fund() -> Fund:
    """Donghai county's fund, with its policy version: a second fund on the platform."""
    fund = Fund(
        code="DH",
        name="东海县中小微企业应急转贷资金",
        short_name="县应急转贷资金",
        region_name="东海县",
        region_code="320722",
        regulation="东海县中小微企业应急转贷资金管理办法",
        regulation_number="东政规发〔2025〕5号",
        authority="东海县工业和信息化局",
        group_office="东海县中小微企业应急转贷资金领导小组办公室",
        reviewing_body="县中小企业服务中心",
        operating_body="县财政投资公司",
    )
    fund.districts = [db.session.get(District, "donghai")]
    db.session.add(fund)
    db.session.flush()
    ensure_checklist(fund.id)
    BankFactory(  # ICBC cooperates with the county too, through its Donghai branch, on an agreement of its own
        fund_id=fund.id,
        code="ICBC-DH",
        name="中国工商银行东海县支行",
        agreement_no="DH-ZD-2025-001",
        agreement_end=date(2028, 12, 31),
        account_name="中国工商银行东海县支行转贷资金过渡户",
        account_no="1107 0230 0900 0456 789",
        account_bank="中国工商银行东海县支行",
        officer_name="赵东明",
    )
    db.session.add(
        PolicyVersion(
            fund_id=fund.id,
            name=COUNTY_POLICY["name"],
            effective_from=date(2025, 1, 1),
            parameters=COUNTY_POLICY,
        )
    )
    finish(None)
    return fund


@cache
def _hash(password: str) -> str:
    """One hash per password for the whole run: hashing is the slowest part of making a user."""
    return hash_password(password)


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 — the app context's session, looked up late
        sqlalchemy_session_persistence = "flush"


class BankFactory(_Factory):
    class Meta:
        model = Bank

    fund_id = factory.LazyAttribute(lambda b: city_fund_id())  # a bank of the city fund unless the test names one
    code = factory.Sequence(lambda n: f"BANK-{n:03d}")
    name = factory.Sequence(lambda n: f"测试合作银行{n:03d}分行")
    agreement_no = factory.Sequence(lambda n: f"LYG-ZD-T{n:03d}")
    agreement_start = date(2019, 1, 1)
    agreement_end = date(2030, 12, 31)
    account_name = factory.LazyAttribute(lambda b: f"{b.name}转贷资金过渡户")
    account_no = factory.Sequence(lambda n: f"6222 0000 0000 {n:04d}")
    account_bank = factory.LazyAttribute(lambda b: f"{b.name}营业部")
    officer_name = "信贷经理"
    officer_phone = "0518-8500 0000"


class EnterpriseFactory(_Factory):
    """A small industrial company: 120 people, 1,500万 revenue, 2,200万 assets (小型, 工信部联企业〔2011〕300号)."""

    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"连云港测试实业{n:03d}有限公司")
    credit_code = factory.Sequence(lambda n: credit_code(f"91320706MA{n:07d}"))
    district = "haizhou"
    industry = "industry"
    employees = 120
    revenue = Money.parse("15,000,000.00")
    assets = Money.parse("22,000,000.00")
    size = "small"
    legal_representative = factory.Sequence(lambda n: f"法定代表人{n:03d}")
    contact_name = "财务联系人"
    contact_phone = "138 0000 0000"
    address = "连云港市海州区"


class UserFactory(_Factory):
    class Meta:
        model = User
        exclude = ("password",)

    username = factory.Sequence(lambda n: f"user{n:03d}")
    password = PASSWORD
    password_hash = factory.LazyAttribute(lambda u: _hash(u.password))
    role = Role.OPERATOR.value
    display_name = factory.LazyAttribute(lambda u: u.username)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    active = True
    # everyone but an enterprise's user works for a fund: the city fund unless the test names another
    fund_id = factory.LazyAttribute(lambda u: None if Role(u.role) in FUNDLESS_ROLES else city_fund_id())


class BankUserFactory(UserFactory):
    role = Role.BANK.value
    bank = factory.SubFactory(BankFactory)
    fund_id = factory.LazyAttribute(lambda u: u.bank.fund_id)  # an officer works for the fund of its bank's agreement


class EnterpriseUserFactory(UserFactory):
    role = Role.ENTERPRISE.value
    enterprise = factory.SubFactory(EnterpriseFactory)


STAFF = (
    ("admin", Role.ADMIN, "系统管理员"),
    ("reviewer", Role.REVIEWER, "李审核"),
    ("operator", Role.OPERATOR, "张经办"),
    ("operator2", Role.OPERATOR, "赵复核"),
    ("group", Role.GROUP, "领导小组办公室"),
)


FIRST_CAPITAL = Money.yuan(200_000_000)


def cast(*, capital: Money | None = FIRST_CAPITAL) -> dict[str, User]:
    """The named people, and the fund's first contribution (200,000,000.00, 第五条) unless ``capital`` is None."""
    icbc = BankFactory(
        code="ICBC-LYG",
        name="中国工商银行连云港分行",
        agreement_no="LYG-ZD-2025-001",
        agreement_end=date(2028, 12, 31),
        account_name="中国工商银行连云港分行转贷资金过渡户",
        account_no="1107 0201 0900 0123 456",
        account_bank="中国工商银行连云港海州支行",
        officer_name="王立新",
    )
    jsb = BankFactory(
        code="JSB-LYG",
        name="江苏银行连云港分行",
        agreement_no="LYG-ZD-2025-002",
        agreement_end=date(2028, 12, 31),
        account_name="江苏银行连云港分行转贷资金过渡户",
        account_no="7010 0188 0000 4567 8",
        account_bank="江苏银行连云港新浦支行",
        officer_name="陈晓静",
    )
    machinery = EnterpriseFactory(
        name="连云港海润机械制造有限公司",
        credit_code="91320706MA1Q8RXL4A",
        employees=350,
        revenue=Money.parse("25,000,000.00"),
        assets=Money.parse("48,000,000.00"),
        size="medium",
        legal_representative="刘海润",
        contact_name="孙会计",
    )
    silicon = EnterpriseFactory(
        name="东海县晶华硅材料有限公司",
        credit_code="91320722MA1W3H5N2W",
        district="donghai",
        legal_representative="周晶华",
        contact_name="吴出纳",
    )
    seafood = EnterpriseFactory(
        name="赣榆区海丰水产贸易有限公司",
        credit_code="91320707MA20C7KD8A",
        district="ganyu",
        industry="wholesale",
        employees=12,
        revenue=Money.parse("8,000,000.00"),
        assets=Money.parse("6,000,000.00"),
        size="micro",
        legal_representative="郑海丰",
        contact_name="郑海丰",
    )
    people = {name: UserFactory(username=name, role=role.value, display_name=shown) for name, role, shown in STAFF}
    for number, bank in enumerate((icbc, jsb), start=1):
        people[f"bank{number}"] = BankUserFactory(username=f"bank{number}", bank=bank, display_name=bank.officer_name)
    for number, enterprise in enumerate((machinery, silicon, seafood), start=1):
        people[f"ent{number}"] = EnterpriseUserFactory(
            username=f"ent{number}", enterprise=enterprise, display_name=enterprise.contact_name
        )
    finish(None)
    if capital is not None:
        contributor = contributor_named(city_fund_id(), "连云港市工业投资集团有限公司", "municipal")
        record_contribution(contributor, capital, date(2018, 12, 20), "CZ20181220001")
    return people
