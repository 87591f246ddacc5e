"""Every journal entry that moves the special account's money names the bank transfer that moved it (issue 29): the
month of ``flows.november_2026`` and the fund's first contribution, written out; an entry between other accounts names
none; a contribution, a payment of distributions and a dissolution's return are refused without one, field by field,
and nothing is booked. Migration 0059 fills the reference of the entries made before it from the rows that kept it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import func, select

from loanfund import clock
from loanfund.app import create_app
from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Contribution, JournalEntry
from loanfund.services.books import capital, fund
from tests.factories import city_fund_id
from tests.flows import Flows, november_2026
from tests.integration.test_upgrade_to_funds import _database, _filled

pytestmark = pytest.mark.both_databases

M = Money.parse


def test_each_movement_of_money_carries_its_transfer_and_nothing_else_does(people, traveller):
    made = november_2026(traveller)
    refs = {
        key: ref
        for key, ref in db.session.execute(
            select(JournalEntry.key, JournalEntry.bank_ref).where(JournalEntry.fund_id == city_fund_id())
        )
    }
    disbursed = {key: ref for key, ref in refs.items() if key.startswith("disbursement:")}
    returned = sorted(ref for key, ref in refs.items() if key.startswith("return:"))
    assert disbursed == {
        f"disbursement:{made['A0']}": "HK-A0",
        f"disbursement:{made['A1']}": "HK-A1",
        f"disbursement:{made['A2']}": "HK-A2",
        f"disbursement:{made['A3']}": "HK-A3",
        f"disbursement:{made['A5']}": "HK-A5",
    }
    assert returned == ["HS-A0", "HS-A1", "HS-A2"]
    assert [ref for key, ref in refs.items() if key.startswith("contribution:")] == ["CZ20181220001"]
    assert set(refs) == set(disbursed) | {k for k in refs if k.startswith(("return:", "contribution:"))}


def test_entries_between_other_accounts_carry_none_and_a_payment_its_own(people, traveller):
    flows = Flows(traveller)
    flows.to(State.WRITTEN_OFF)
    flows.to(State.REPAID)
    capital.run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    capital.pay_distributions(city_fund_id(), clock.today(), "  FP20261130001 ")
    refs = {
        key.split(":")[0]: ref
        for key, ref in db.session.execute(
            select(JournalEntry.key, JournalEntry.bank_ref).where(JournalEntry.fund_id == city_fund_id())
        )
    }
    assert refs["write_off"] is None
    assert refs["distribution"] is None
    assert refs["distribution_payment"] == "FP20261130001"


def test_money_in_or_out_without_a_reference_is_refused_by_field_and_nothing_is_booked(people, traveller):
    flows = Flows(traveller)
    flows.to(State.REPAID)
    cash = fund.position(city_fund_id()).cash
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    contributor = capital.contributor_named(city_fund_id(), "东海县财政局", "county")
    with pytest.raises(InvalidInput) as caught:
        capital.record_contribution(contributor, M("0.00"), clock.today(), "   ")
    assert caught.value.errors == {"amount": ["出资金额必须大于零"], "reference": ["请填写银行凭证号"]}
    db.session.rollback()
    capital.run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    with pytest.raises(InvalidInput) as caught:
        capital.pay_distributions(city_fund_id(), clock.today(), "")
    assert caught.value.errors == {"bank_ref": ["支付须填写银行凭证号"]}
    db.session.rollback()
    traveller.shift(__import__("datetime").timedelta(days=1))
    with pytest.raises(InvalidInput) as caught:
        capital.run_distribution(city_fund_id(), clock.today(), Decimal("0.06"), pay=True)
    assert caught.value.errors == {"bank_ref": ["支付须填写银行凭证号"]}
    db.session.rollback()
    assert fund.position(city_fund_id()).cash == cash
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == entries + 1  # the run, unpaid
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 1


def test_the_migration_fills_the_references_the_rows_kept(backend, tmp_path, request):
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": _database(backend, tmp_path, request)})
    with app.app_context():
        upgrade(revision="0058_closed_days")
        db.engine.dispose()
        meta = sa.MetaData()
        meta.reflect(db.engine)
        t = meta.tables
        with db.engine.begin() as connection:
            if backend == "postgresql":  # rows written as a restore would: past the guards and the foreign keys
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))

            def insert(table: str, **values: Any) -> None:
                connection.execute(t[table].insert().values(_filled(t[table], values)))

            insert("users", id=1, username="operator", password_hash="x", role="operator", fund_id=1)
            insert("banks", id=1, fund_id=1, code="B", name="银行", agreement_start=date(2019, 1, 1))
            insert(
                "enterprises", id=1, name="企业", credit_code="91320707MA1MB4FT6J", industry="industry",
                district="haizhou", size="small",
            )  # fmt: skip
            insert(
                "applications", id=7, fund_id=1, bank_id=1, enterprise_id=1, disbursement_ref="HK-7",
                loan_type="working_capital", mortgage="none", state="repaid", loan_amount_due=100, requested_amount=80,
                requested_days=3, own_funds_planned=20,
            )  # fmt: skip
            insert("receipts", id=3, application_id=7, transfer_ref="HS-3", principal=80, recorded_by_id=1)
            insert("contributors", id=1, fund_id=1, name="出资方", kind="municipal")
            insert("contributions", id=1, fund_id=1, contributor_id=1, reference=" CZ-1 ", amount=1)
            insert("contributions", id=2, fund_id=1, contributor_id=1, reference="", amount=1)
            insert("bank_claims", id=1, bank_id=1, application_id=7, principal=1, recorded_by_id=1)
            insert("bank_claim_payments", id=4, claim_id=1, transfer_ref="QC-4", amount=1, recorded_by_id=1)
            insert(
                "recovery_records",
                id=5,
                application_id=7,
                transfer_ref="ZH-5",
                kind="measure",
                amount=1,
                recorded_by_id=1,
            )
            keys = (
                "disbursement:7", "return:3", "contribution:1", "contribution:2", "bank_claim_payment:4",
                "recovered:5", "write_off:7", "bank_claim:4", "distribution:2026-11-30",
            )  # fmt: skip
            for n, key in enumerate(keys, start=1):
                insert("journal_entries", id=n, fund_id=1, key=key, posted_on=date(2026, 11, 30), description=key)
        upgrade(revision="0059_entry_bank_ref")
        found = dict(db.session.execute(sa.text("SELECT key, bank_ref FROM journal_entries")).all())
        assert found == {
            "disbursement:7": "HK-7",
            "return:3": "HS-3",
            "contribution:1": "CZ-1",
            "contribution:2": None,
            "bank_claim_payment:4": "QC-4",
            "recovered:5": "ZH-5",
            "write_off:7": None,
            "bank_claim:4": None,
            "distribution:2026-11-30": None,
        }
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError):  # the journal is append-only again
            db.session.execute(sa.text("UPDATE journal_entries SET bank_ref = 'X' WHERE id = 1"))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
