"""The reference data the screens pick from and list: banks, enterprises, users, policy versions, contributions,
distribution runs. Reads only; whoever may see a screen is checked by its view."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import joinedload

from loanfund.domain.eligibility import bank_agreement_violation
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import (
    Bank,
    BankLiaison,
    Contribution,
    Distribution,
    Enterprise,
    Fund,
    Material,
    PolicyVersion,
    User,
)
from loanfund.models.funds import fund_districts


def banks(fund_ids: int | list[int]) -> list[Bank]:
    """The banks cooperating with a fund (or with any of several), with the platform's 专人 for each (one query)."""
    wanted = [fund_ids] if isinstance(fund_ids, int) else fund_ids
    liaison = joinedload(Bank.liaison).joinedload(BankLiaison.user)
    return list(
        db.session.scalars(
            select(Bank).where(Bank.fund_id.in_(wanted)).options(liaison).order_by(Bank.fund_id, Bank.code)
        )
    )


def banks_taking_applications(fund_ids: int | list[int], on: date) -> list[Bank]:
    """The fund's cooperating banks whose agreement is in force on ``on`` (R10): the ones an enterprise may apply
    through."""
    return [
        b for b in banks(fund_ids) if bank_agreement_violation(b.name, b.agreement_start, b.agreement_end, on) is None
    ]


def bank(fund_id: int, bank_id: int) -> Bank | None:
    """A bank cooperating with the fund; None for another fund's (as for none)."""
    found = db.session.get(Bank, bank_id) if bank_id else None
    return found if found is not None and found.fund_id == fund_id else None


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code)) if credit_code else None


def enterprise(enterprise_id: int) -> Enterprise | None:
    return db.session.get(Enterprise, enterprise_id) if enterprise_id else None


def people_of(fund_id: int) -> ColumnElement[bool]:
    """Whom a fund's administrator keeps: the fund's staff and bank officers, and the users of the enterprises in
    the districts it serves (an enterprise's user belongs to the platform: every fund covering it keeps it)."""
    served = select(fund_districts.c.district_key).where(fund_districts.c.fund_id == fund_id)
    # each user's enterprise looked up by its key (EXISTS), not every enterprise of the districts gathered first: a
    # province's fund serves a quarter of a million of them (issue 28)
    local = exists().where(Enterprise.id == User.enterprise_id, Enterprise.district.in_(served))
    return or_(User.fund_id == fund_id, local)


def users(fund_id: int) -> list[User]:
    """The fund's people (``people_of``), by role and name."""
    return list(
        db.session.scalars(
            select(User)
            .where(people_of(fund_id))
            .options(joinedload(User.enterprise), joinedload(User.bank))
            .order_by(User.role, User.username)
        )
    )


def user_of(fund_id: int, user_id: int) -> User | None:
    """One of the fund's people; None for anyone else (as for nobody)."""
    return db.session.scalar(select(User).where(User.id == user_id, people_of(fund_id)))


def users_with_role(fund_id: int, role: Role) -> list[User]:
    """The fund's active users of one role, by name (an operator to name as a bank's 专人)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.fund_id == fund_id, User.role == role.value, User.active)
            .order_by(User.display_name)
        )
    )


def policy_versions(fund: Fund) -> list[PolicyVersion]:
    return list(
        db.session.scalars(
            select(PolicyVersion).where(PolicyVersion.fund_id == fund.id).order_by(PolicyVersion.effective_from)
        )
    )


def contributions(fund_id: int) -> list[Contribution]:
    return list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.fund_id == fund_id)
            .options(joinedload(Contribution.contributor))
            .order_by(Contribution.received_on)
        )
    )


def distribution_runs(fund_id: int) -> list[Distribution]:
    return list(
        db.session.scalars(
            select(Distribution).where(Distribution.fund_id == fund_id).order_by(Distribution.run_on.desc())
        )
    )


def materials_of(application_id: int) -> list[Material]:
    return list(
        db.session.scalars(select(Material).where(Material.application_id == application_id).order_by(Material.id))
    )
