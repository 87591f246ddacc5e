"""Policy versions (R14): which of a fund's versions is in force, and the seeded 2018 default."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from loanfund.domain.policy import LIANYUNGANG_2018, Policy, policy_in_force
from loanfund.extensions import db
from loanfund.models import Fund, PolicyVersion


def policy_version_in_force(fund_id: int, on: date) -> tuple[PolicyVersion, Policy]:
    """The fund's stored version in force on ``on`` with its domain form; ``InvalidValue`` when none is."""
    rows = db.session.scalars(
        select(PolicyVersion).where(PolicyVersion.fund_id == fund_id).order_by(PolicyVersion.effective_from)
    ).all()
    by_name = {row.name: row for row in rows}
    policy = policy_in_force([row.to_policy() for row in rows], on)
    return by_name[policy.name], policy


class InForce:
    """Each fund's policy in force on one day, looked up once per fund (a list across funds asks for several)."""

    def __init__(self, on: date) -> None:
        self.on = on
        self._found: dict[int, Policy] = {}

    def __call__(self, fund_id: int) -> Policy:
        if fund_id not in self._found:
            self._found[fund_id] = policy_version_in_force(fund_id, self.on)[1]
        return self._found[fund_id]


def ensure_default_policy(fund: Fund) -> PolicyVersion:
    """Insert the 2018 policy for ``fund`` when it has none by that name (the migrations do this for the first fund;
    kept for fresh test schemas)."""
    row = db.session.scalar(
        select(PolicyVersion).where(PolicyVersion.fund_id == fund.id, PolicyVersion.name == LIANYUNGANG_2018.name)
    )
    if row is None:
        row = PolicyVersion(
            fund_id=fund.id,
            name=LIANYUNGANG_2018.name,
            effective_from=LIANYUNGANG_2018.effective_from,
            parameters=LIANYUNGANG_2018.to_dict(),
        )
        db.session.add(row)
        db.session.flush()
    return row
