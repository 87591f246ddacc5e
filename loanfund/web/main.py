"""The signed-in home: what each role works on."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from loanfund.domain.lifecycle import Role, State
from loanfund.extensions import db
from loanfund.models import Application, Bank, PolicyVersion, User
from loanfund.services.access import application_visibility, visible_applications

bp = Blueprint("main", __name__)


@bp.get("/home")
@login_required
def home() -> str:
    """Applications the user may see, newest first, with counts by state; the administrator sees the set-up."""
    user: User = current_user
    if user.role_enum is Role.ADMIN:
        return render_template(
            "main/admin_home.html",
            users=db.session.scalars(
                select(User)
                .options(joinedload(User.enterprise), joinedload(User.bank))
                .order_by(User.role, User.username)
            ).all(),
            banks=db.session.scalars(select(Bank).order_by(Bank.code)).all(),
            policies=db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.effective_from)).all(),
        )
    applications = db.session.scalars(
        visible_applications(user)
        .options(joinedload(Application.enterprise), joinedload(Application.bank))
        .order_by(Application.id.desc())
    ).all()
    counts = dict(
        db.session.execute(
            select(Application.state, func.count()).where(application_visibility(user)).group_by(Application.state)
        ).all()
    )
    return render_template(
        "main/home.html",
        applications=applications,
        counts=[(state, counts[state.value]) for state in State if counts.get(state.value)],
    )
