"""Migrations build the schema the models describe, with the 2018 policy; the demo seed is idempotent."""

from datetime import date
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, select

from loanfund.app import create_app
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Bank, Contribution, Enterprise, PolicyVersion, User
from loanfund.models.parties import not_name_search
from loanfund.services.demo import seed_demo
from loanfund.services.policies import policy_version_in_force
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases


def test_migrations_build_the_models_schema_and_seed_the_2018_policy(tmp_path):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": not_name_search})
            diff = compare_metadata(context, db.metadata)
            triggers = set(
                connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
            )
        # SQLite cannot add NOT NULL or a foreign key to a table without rebuilding it, and rebuilding applications
        # would lose its triggers and partial index: there migration 0035's triggers hold both (tested below)
        held_by_triggers = [
            ("modify_nullable", "applications", "fund_id"),
            ("add_fk", "fk_applications_policy_of_its_fund"),
            ("add_fk", "fk_applications_bank_of_its_fund"),  # 0045's triggers
            ("add_fk", "fk_users_bank_of_its_fund"),
        ]
        assert sorted(_named(d) for d in diff) == sorted(held_by_triggers)
        assert {"applications_fund_insert", "applications_fund_update"} <= triggers
        assert {"applications_bank_fund_insert", "users_bank_fund_update"} <= triggers
        row, policy = policy_version_in_force(1, date(2026, 11, 29))
        assert row.name == "连政办发〔2018〕162号"
        assert policy.max_days == 10


def county_id() -> int:
    from loanfund.models import Fund

    return db.session.scalars(select(Fund.id).where(Fund.code == "DH")).one()


def _named(difference: Any) -> tuple[str, ...]:
    if isinstance(difference, list):  # a column's changes come as a list of one
        (kind, _schema, table, column, *_rest) = difference[0]
        return (kind, table, column)
    return (difference[0], difference[1].name)


def test_seed_demo_creates_the_documented_logins(runner, app):
    result = runner.invoke(args=["loanfund", "seed-demo", "--password", "pw-for-test-1"])
    assert result.exit_code == 0, result.output
    for username in (
        *("admin", "reviewer", "operator", "operator2", "group", "bank1", "bank2", "ent1", "ent2", "ent3"),
        *("platform", "overseer", "dh_admin", "dh_reviewer", "dh_operator", "dh_operator2", "dh_group", "dh_bank1"),
    ):
        assert username in result.output
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert users["bank2"].bank.name == "江苏银行连云港分行"
    assert users["ent3"].enterprise.size == "micro"
    assert users["operator2"].role == Role.OPERATOR
    banks = {(b.fund.code, b.code, b.name) for b in db.session.scalars(select(Bank))}
    assert banks == {
        ("LYG", "ICBC-LYG", "中国工商银行连云港分行"),
        ("LYG", "JSB-LYG", "江苏银行连云港分行"),
        ("DH", "ICBC-DH", "中国工商银行东海县支行"),  # ICBC cooperates with both funds, an agreement with each
    }
    capital = {(c.fund.code, c.contributor.name): c.amount for c in db.session.scalars(select(Contribution))}
    assert capital == {
        ("LYG", "连云港市工业投资集团有限公司"): Money.parse("200,000,000.00"),
        ("DH", "东海县财政局"): Money.parse("20,000,000.00"),
    }
    # Donghai's fund beside the city's, one bank cooperating with both, the Donghai firm applying to each
    assert (users["platform"].fund, users["overseer"].fund) == (None, None)
    assert (users["dh_bank1"].bank.name, users["dh_bank1"].fund.code, users["bank1"].fund.code) == (
        "中国工商银行东海县支行",
        "DH",
        "LYG",
    )


def test_seed_demo_twice_changes_nothing(runner, app):
    runner.invoke(args=["loanfund", "seed-demo"])
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (User, Bank, Enterprise, Contribution)]
    result = runner.invoke(args=["loanfund", "seed-demo"])
    assert result.exit_code == 0
    assert "演示数据已存在" in result.output
    assert [
        db.session.scalar(select(func.count()).select_from(m)) for m in (User, Bank, Enterprise, Contribution)
    ] == counts


def test_seed_demo_is_refused_under_production(app):
    app.config["DEMO_ALLOWED"] = False
    result = app.test_cli_runner().invoke(args=["loanfund", "seed-demo"])
    assert result.exit_code != 0
    assert "生产环境不允许写入演示数据" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_enterprises_have_valid_codes_and_computed_sizes(app):
    seed_demo()
    sizes = {e.name: e.size for e in db.session.scalars(select(Enterprise))}
    assert sizes == {
        "连云港海润机械制造有限公司": "medium",
        "东海县晶华硅材料有限公司": "small",
        "赣榆区海丰水产贸易有限公司": "micro",
    }
    versions = {(v.fund_id, v.name) for v in db.session.scalars(select(PolicyVersion))}
    assert versions == {(city_fund_id(), "连政办发〔2018〕162号"), (county_id(), "东政规发〔2025〕5号")}


def test_demo_applications_are_in_several_states_and_the_fund_adds_up(app):
    from loanfund.models import Application
    from loanfund.services.books.fund import position

    seed_demo()
    states = sorted(
        a.state for a in db.session.scalars(select(Application).where(Application.fund_id == city_fund_id()))
    )
    assert states == ["accepted", "archived", "bank_committed", "disbursed", "group_review", "submitted"]
    (county,) = db.session.scalars(select(Application).where(Application.fund_id == county_id()))
    assert (county.enterprise.name, county.state) == ("东海县晶华硅材料有限公司", "bank_committed")
    assert position(county_id()).cash == Money.parse("20,000,000.00")
    fund = position(city_fund_id())
    archived = db.session.scalar(select(Application).where(Application.state == "archived"))
    # 2亿 − 24,000,000.00 out + the archived bridge's fee; 800,000.00 reserved for the group's decision
    assert fund.cash == Money.parse("200,000,000.00") - Money.parse("24,000,000.00") + archived.fee_due
    assert fund.reserved == Money.parse("800,000.00")
