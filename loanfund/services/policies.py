"""Policy versions (R14): which one is in force, and the seeded 2018 default."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from loanfund.domain.policy import LIANYUNGANG_2018, Policy, policy_in_force
from loanfund.extensions import db
from loanfund.models import PolicyVersion


def policy_version_in_force(on: date) -> tuple[PolicyVersion, Policy]:
    """The stored version in force on ``on`` with its domain form; ``InvalidValue`` when none is."""
    rows = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.effective_from)).all()
    by_name = {row.name: row for row in rows}
    policy = policy_in_force([row.to_policy() for row in rows], on)
    return by_name[policy.name], policy


def ensure_default_policy() -> PolicyVersion:
    """Insert the 2018 policy when no version exists (the migration does this too; kept for fresh test schemas)."""
    row = db.session.scalar(select(PolicyVersion).where(PolicyVersion.name == LIANYUNGANG_2018.name))
    if row is None:
        row = PolicyVersion(
            name=LIANYUNGANG_2018.name,
            effective_from=LIANYUNGANG_2018.effective_from,
            parameters=LIANYUNGANG_2018.to_dict(),
        )
        db.session.add(row)
        db.session.flush()
    return row
