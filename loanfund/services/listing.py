"""Lists of applications as an actor may see them (DESIGN §2): one query for the page, the API and their filters."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, User
from loanfund.services.access import application_visibility


def _where(actor: User, state: State | None) -> list[object]:
    where: list[object] = [application_visibility(actor)]
    if state is not None:
        where.append(Application.state == state.value)
    return where


def applications(actor: User, state: State | None = None, *, limit: int = 20, offset: int = 0) -> list[Application]:
    """Newest first, with what a list row shows loaded in the same round trips (no query per row)."""
    return list(
        db.session.scalars(
            select(Application)
            .where(*_where(actor, state))  # type: ignore[arg-type]
            .options(
                joinedload(Application.enterprise),
                joinedload(Application.bank),
                joinedload(Application.policy_version),
                selectinload(Application.receipts),
                selectinload(Application.bank_claim),
            )
            .order_by(Application.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def count(actor: User, state: State | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(Application).where(*_where(actor, state))) or 0  # type: ignore[arg-type]
