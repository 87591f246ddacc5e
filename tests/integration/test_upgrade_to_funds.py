"""Upgrade in place (issue 27, migration 0035): a database made by the migrations from before funds were data, with
its data, becomes one fund holding all of it — its policy versions, applications and staff — and the enterprises'
districts become the platform's list. Built with the old migrations first, rows written as that schema had them."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from loanfund.app import create_app
from loanfund.extensions import db
from tests.pg import create_database

pytestmark = pytest.mark.both_databases

BEFORE = "0034_audit_pack_runs"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _filled(table: sa.Table, given: dict[str, Any]) -> dict[str, Any]:
    """The row ``given`` says, every other required column filled with a plain value of its type."""
    row = dict(given)
    for column in table.c:
        if column.name in row or column.nullable or column.server_default is not None or column.primary_key:
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
        row[column.name] = {
            int: 0,
            str: "",
            bool: False,
            date: date(2026, 11, 20),
            datetime: NOW,
            dict: {},
        }[kind]
    return row


def _database(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> str:
    if backend == "postgresql":
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        return create_database(request.getfixturevalue("pg_server"), f"loanfund_upgrade_funds{worker}")
    return f"sqlite:///{tmp_path / 'old.db'}"


def test_an_old_database_becomes_one_fund_holding_everything(backend, tmp_path, request):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": _database(backend, tmp_path, request)})
    with app.app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()  # the migration's connection goes: the rows below are written as another program would
        meta = sa.MetaData()
        meta.reflect(db.engine)
        t = meta.tables
        with db.engine.begin() as connection:
            if backend == "postgresql":  # rows written as a restore would, past the audit record's guard
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))

            def insert(table: str, **values: Any) -> None:
                connection.execute(t[table].insert().values(_filled(t[table], values)))

            insert(
                "banks", id=1, code="ICBC", name="中国工商银行连云港分行", agreement_start=date(2019, 1, 1),
                agreement_end=date(2030, 12, 31),
            )  # fmt: skip
            insert(
                "enterprises", id=1, name="连云港海润机械制造有限公司", credit_code="91320707MA1MB4FT6J",
                district="ganyu", industry="industry", size="small",
            )  # fmt: skip
            for user_id, username, role, scope in (
                (1, "reviewer", "reviewer", {}),
                (2, "ent1", "enterprise", {"enterprise_id": 1}),
                (3, "bank1", "bank", {"bank_id": 1}),
                (4, "admin", "admin", {}),
            ):
                insert("users", id=user_id, username=username, password_hash="x", role=role, **scope)
            insert(
                "applications", id=1, enterprise_id=1, bank_id=1, policy_version_id=1, state="approved",
                version=1, loan_contract_no="借字2026第1号", requested_amount=1, requested_days=3, loan_amount_due=2,
            )  # fmt: skip
        upgrade()

        with db.engine.connect() as connection:
            fund = connection.execute(sa.text("SELECT id, code, name, region_code FROM funds")).one()
            assert tuple(fund) == (1, "LYG", "连云港市中小企业应急转贷资金", "3207")
            served = connection.execute(
                sa.text("SELECT district_key FROM fund_districts WHERE fund_id = 1 ORDER BY district_key")
            ).scalars()
            assert list(served) == sorted(
                [
                    "haizhou",
                    "lianyun",
                    "ganyu",
                    "donghai",
                    "guanyun",
                    "guannan",
                    "etdz",
                    "hitech",
                    "xuwei",
                    "yuntaishan",
                ]
            )
            users = dict(connection.execute(sa.text("SELECT username, fund_id FROM users")).all())
            assert users == {"reviewer": 1, "ent1": None, "bank1": 1, "admin": 1}
            assert connection.execute(sa.text("SELECT fund_id FROM applications")).scalar() == 1
            assert connection.execute(sa.text("SELECT fund_id, name FROM policy_versions")).all() == [
                (1, "连政办发〔2018〕162号")
            ]
        # the database now holds it: an application without a fund, or priced under another fund's policy, is
        # refused (a trigger on SQLite, constraints on PostgreSQL)
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(sa.text("UPDATE applications SET fund_id = NULL"))
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(sa.text("UPDATE users SET fund_id = NULL WHERE username = 'reviewer'"))
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(sa.text("UPDATE enterprises SET district = 'nanjing'"))
        with db.engine.begin() as connection:  # a second fund, with a policy version of its own
            if backend == "postgresql":
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            funds = sa.Table("funds", sa.MetaData(), autoload_with=connection)
            versions = sa.Table("policy_versions", sa.MetaData(), autoload_with=connection)
            connection.execute(
                funds.insert().values(
                    _filled(funds, {"id": 2, "code": "DH", "name": "县", "short_name": "县", "region_code": "320722"})
                )
            )
            connection.execute(versions.insert().values(_filled(versions, {"id": 2, "fund_id": 2, "name": "县政策"})))
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(sa.text("UPDATE applications SET policy_version_id = 2"))
        db.engine.dispose()


def test_a_bank_another_fund_used_is_copied_into_that_fund(backend, tmp_path, request):
    """Migration 0045: before it, a county fund's ICBC officer and its application could use the city's ICBC row (the
    demo did); after it, each is on a copy of that bank in the county's fund, with a signed record of each move."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": _database(backend, tmp_path, request)})
    with app.app_context():
        upgrade(revision="0044_fund_group_register")
        db.engine.dispose()
        meta = sa.MetaData()
        meta.reflect(db.engine)
        t = meta.tables
        with db.engine.begin() as connection:
            if backend == "postgresql":
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))

            def insert(table: str, **values: Any) -> None:
                connection.execute(t[table].insert().values(_filled(t[table], values)))

            insert("funds", id=2, code="DH", name="县", short_name="县", region_code="320722")
            insert("policy_versions", id=2, fund_id=2, name="县政策")
            insert(
                "banks", id=1, code="ICBC", name="中国工商银行连云港分行", agreement_start=date(2019, 1, 1),
                agreement_end=date(2030, 12, 31), account_no="1107",
            )  # fmt: skip
            insert(
                "enterprises", id=1, name="东海企业", credit_code="91320722MA1MB4FT6J", district="donghai",
                industry="industry", size="small",
            )  # fmt: skip
            insert("users", id=1, username="bank1", password_hash="x", role="bank", bank_id=1, fund_id=1)
            insert("users", id=2, username="dh_bank1", password_hash="x", role="bank", bank_id=1, fund_id=2)
            insert("users", id=3, username="ent1", password_hash="x", role="enterprise", enterprise_id=1)
            insert(
                "applications", id=1, fund_id=2, enterprise_id=1, bank_id=1, policy_version_id=2, state="approved",
                version=1, loan_contract_no="借字2026第1号", requested_amount=1, requested_days=3, loan_amount_due=2,
            )  # fmt: skip
            if backend == "postgresql":  # the ids written out above: the sequences go on from them
                for table in ("banks", "users", "applications", "policy_versions", "funds", "enterprises"):
                    connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 3)"))
        upgrade()

        with db.engine.connect() as connection:
            banks = connection.execute(sa.text("SELECT id, fund_id, code, account_no FROM banks ORDER BY id")).all()
            assert [tuple(b)[1:] for b in banks] == [(1, "ICBC", "1107"), (2, "ICBC", "1107")]
            copy = banks[1][0]
            users = dict(
                connection.execute(sa.text("SELECT username, bank_id FROM users WHERE bank_id IS NOT NULL")).all()
            )
            assert users == {"bank1": 1, "dh_bank1": copy}
            assert connection.execute(sa.text("SELECT bank_id FROM applications")).scalar() == copy
            moved = connection.execute(
                sa.text(
                    "SELECT action, subject, subject_id, fund_id FROM audit_records WHERE note LIKE '迁移 0045%' "
                    "ORDER BY seq"
                )
            ).all()
            # each filed under the county's fund by migration 0046: the rows are the county's now
            assert [tuple(m) for m in moved] == [
                ("insert", "banks", copy, 2),
                ("update", "users", 2, 2),
                ("update", "applications", 1, 2),
            ]
            head = connection.execute(sa.text("SELECT seq FROM audit_head")).scalar()
            assert head == connection.execute(sa.text("SELECT max(seq) FROM audit_records")).scalar()
        # from here the database keeps an officer and an application on a bank of their own fund
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(sa.text("UPDATE applications SET bank_id = 1"))
        with db.engine.connect() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin():
            connection.execute(sa.text("UPDATE users SET bank_id = 1 WHERE username = 'dh_bank1'"))
        db.engine.dispose()
