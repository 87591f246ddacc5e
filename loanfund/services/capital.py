"""Capital of the fund (第五、二十五、二十六条): contributors and what they pay in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from loanfund.domain.errors import InvalidInput
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Contribution, Contributor, User
from loanfund.services import fund
from loanfund.services.uow import finish

CONTRIBUTOR_KINDS = {"municipal": "市级", "county": "县区", "private": "社会资本"}


def contributor_named(name: str, kind: str = "municipal") -> Contributor:
    """The contributor of that name, created when new (flushed, not committed)."""
    if kind not in CONTRIBUTOR_KINDS:
        raise InvalidInput({"kind": ["出资方类型无效"]})
    contributor = db.session.scalar(select(Contributor).where(Contributor.name == name))
    if contributor is None:
        contributor = Contributor(name=name, kind=kind)
        db.session.add(contributor)
        db.session.flush()
    return contributor


def record_contribution(
    contributor: Contributor, amount: Money, received_on: date, reference: str = "", recorded_by: User | None = None
) -> Contribution:
    """Capital paid into the special account: it becomes cash the fund may lend."""
    if not amount.is_positive:
        raise InvalidInput({"amount": ["出资金额必须大于零"]})
    contribution = Contribution(
        contributor=contributor,
        amount=amount,
        received_on=received_on,
        reference=reference,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(contribution)
    fund.pay_in(amount)
    return finish(contribution)
