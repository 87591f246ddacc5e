"""Issue 25, finding 9: one transfer reference was accepted as the return of two different bridges of the same bank
(``CROSS-1``) and reconcile passed. A bank's transfer is now booked once across all its returns, claim payments and
recoveries — the database's unique (bank, reference) decides — and reconcile counts any twins left from before."""

from __future__ import annotations

import pytest

from loanfund.domain.errors import Conflict
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Receipt
from loanfund.services import lifecycle
from loanfund.services.books import reconcile
from tests.factories import city_fund_id, past_the_guards
from tests.flows import Flows

pytestmark = pytest.mark.both_databases


def renewed(flows: Flows, enterprise: str):  # type: ignore[no-untyped-def]
    return flows.to(State.RENEWED, enterprise=enterprise)


def test_one_transfer_cannot_return_two_bridges_of_the_same_bank(flows: Flows) -> None:
    first, second = renewed(flows, "ent1"), renewed(flows, "ent2")  # both through ICBC
    bank = flows.bank_user(first)
    owed = lifecycle.account_of(db.session.get(type(first), first.id))  # type: ignore[arg-type]
    assert owed is not None
    today = first.value_date
    lifecycle.confirm_return(bank, first.id, today, owed.principal_outstanding, owed.fee_outstanding, "CROSS-1")
    other = lifecycle.account_of(db.session.get(type(second), second.id))  # type: ignore[arg-type]
    assert other is not None
    with pytest.raises(Conflict) as caught:
        lifecycle.confirm_return(bank, second.id, today, other.principal_outstanding, other.fee_outstanding, "CROSS-1")
    db.session.rollback()
    assert caught.value.field == "transfer_ref"
    assert caught.value.message == (
        f"划款凭证号 CROSS-1 已于 {today.isoformat()} 登记为收回（应急转贷 {first.reference}），同一笔划款不能重复登记"
    )
    assert db.session.get(type(second), second.id).state == "renewed"  # type: ignore[union-attr]
    assert reconcile.reconcile(city_fund_id()).ok


def test_reconcile_names_a_twin_booked_before_the_rule(flows: Flows) -> None:
    first, second = renewed(flows, "ent1"), renewed(flows, "ent2")
    bank = flows.bank_user(first)
    for application, ref in ((first, "CROSS-1"), (second, "CROSS-2")):
        owed = lifecycle.account_of(db.session.get(type(application), application.id))  # type: ignore[arg-type]
        assert owed is not None
        lifecycle.confirm_return(
            bank, application.id, application.value_date, owed.principal_outstanding, owed.fee_outstanding, ref
        )
    # as a receipt booked before the rule would stand: the second bridge's transfer under the first one's reference
    past_the_guards()
    db.session.execute(
        Receipt.__table__.insert().from_select(
            ["application_id", "received_on", "principal", "fee", "transfer_ref", "recorded_by_id", "created_at"],
            db.select(
                Receipt.application_id,
                Receipt.received_on,
                Receipt.principal,
                Receipt.fee,
                db.literal("CROSS-1"),
                Receipt.recorded_by_id,
                Receipt.created_at,
            ).where(Receipt.application_id == second.id),
        )
    )
    db.session.commit()
    check = next(
        c for c in reconcile.reconcile(city_fund_id()).checks if c.name == "同一银行的划款凭证号只用于一笔应急转贷"
    )
    assert (check.expected, check.actual, check.detail) == (0, 1, "CROSS-1")
