"""Who may see what (DESIGN §2). Every lookup of an application goes through here.

An object the user may not see is reported exactly like one that does not exist (``NotFound``), so ids leak nothing.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, false, literal, select
from sqlalchemy.sql.elements import ColumnElement

from loanfund.domain.errors import NotFound
from loanfund.domain.lifecycle import Role, State
from loanfund.extensions import db
from loanfund.models import Application, BridgeOut, User

STAFF_READERS = frozenset({Role.REVIEWER, Role.OPERATOR, Role.GROUP})
# The roles with applications to follow: an enterprise its own, a bank those routed to it, the platform and the group
# all. The administrator keeps users, banks, policies and contributions and has no list of applications (DESIGN §2).
APPLICATION_ROLES = frozenset({Role.ENTERPRISE, Role.BANK}) | STAFF_READERS


def application_visibility(user: User) -> ColumnElement[bool]:
    """A WHERE clause: the applications ``user`` may see.

    Enterprise users see their own enterprise's once vetted, in every fund they applied to; bank users see those of
    their fund routed to their bank (第十五条: forwarded once the platform accepts them); a fund's staff and leading
    group see all of their fund's (DESIGN §7: nothing of another fund); the administrator sees none.
    """
    role = user.role_enum
    if role is Role.ENTERPRISE:  # a sign-up not yet vetted sees nothing of the enterprise it names
        return Application.enterprise_id == user.enterprise_id if user.vetted else false()
    if role is Role.BANK:
        return and_(
            Application.fund_id == user.fund_id,
            Application.bank_id == user.bank_id,
            Application.reviewed_at.is_not(None),
            # written into the statement, not bound: SQLite uses the partial index of what a bank sees
            # (``ix_applications_bank_sees``) only when the query says the same constant
            Application.state != literal(State.REJECTED.value, literal_execute=True),
        )
    if role in STAFF_READERS:
        return Application.fund_id == user.fund_id
    return false()


def bridge_visibility(user: User) -> ColumnElement[bool]:
    """A WHERE clause: the bridges out (``bridges_out``) ``user`` may see — ``application_visibility`` said of the
    bridges' own columns, so a count or a queue of them need not join every bridge to its application. A bridge out is
    of an application disbursed, so accepted by the platform (reviewed, never rejected): what a bank's visibility
    adds to its fund and bank holds for every bridge. Both are held equal, role by role, by the tests."""
    role = user.role_enum
    if role is Role.ENTERPRISE:
        return BridgeOut.enterprise_id == user.enterprise_id if user.vetted else false()
    if role is Role.BANK:
        return and_(BridgeOut.fund_id == user.fund_id, BridgeOut.bank_id == user.bank_id)
    if role in STAFF_READERS:
        return BridgeOut.fund_id == user.fund_id
    return false()


def visible_applications(user: User) -> Select[Application]:
    return select(Application).where(application_visibility(user))


def application_for(user: User, application_id: int, *, for_update: bool = False) -> Application:
    """The application if ``user`` may see it; with ``for_update``, locked and read fresh from the database.

    :raise NotFound: when it does not exist or is not the user's to see.
    """
    query = visible_applications(user).where(Application.id == application_id)
    if for_update:
        # The row as it is once the lock is ours, not the copy this session may have loaded before (a view's 404
        # check): populate_existing overwrites it and resets its loaded collections (receipts), so a step checks the
        # state a concurrent twin committed while we waited for the lock.
        # FOR NO KEY UPDATE: a step never changes the key, so rows that only refer to the application (the sweep's
        # events, a material) need not wait for it — their foreign-key check takes KEY SHARE, which this lock allows.
        # With FOR UPDATE the sweep, holding the audit head, waited on the row while the step waited on the head.
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    application = db.session.scalar(query)
    if application is None:
        raise NotFound("未找到该申请")
    return application
