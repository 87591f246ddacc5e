"""DESIGN §3's lifecycle written out by hand, as the tests' oracle (never read from ``TRANSITIONS``)."""

from __future__ import annotations

from loanfund.domain.lifecycle import Action, Role, State

# state              action                    who                 to              or, when a rule decides
TABLE = """
submitted            accept                    reviewer            accepted
submitted            reject                    reviewer            rejected
submitted            withdraw                  enterprise,operator withdrawn
accepted             commit                    bank                bank_committed
accepted             decline                   bank                bank_declined
accepted             withdraw                  enterprise,operator withdrawn
bank_committed       approve                   operator            approved        group_review
bank_committed       withdraw                  enterprise,operator withdrawn
group_review         group-approve             group               approved
group_review         group-reject              group               group_rejected
group_review         withdraw                  enterprise,operator withdrawn
approved             prepare-disbursement      operator            approved
approved             authorise-disbursement    operator            disbursed
approved             return-preparation        operator            approved
approved             cancel                    operator            cancelled
approved             withdraw                  enterprise,operator withdrawn
disbursed            confirm-renewal           bank                renewed
disbursed            confirm-return            bank,operator       repaid          disbursed
disbursed            open-recovery             operator            recovery
renewed              confirm-return            bank,operator       repaid          renewed
renewed              open-recovery             operator            recovery
recovery             confirm-return            bank,operator       repaid          recovery
recovery             write-off                 group               written_off
repaid               archive                   operator            archived
"""


def _rows() -> dict[tuple[State, Action], tuple[frozenset[Role], State, State | None]]:
    rows = {}
    for line in TABLE.strip().splitlines():
        state, action, who, target, *alternative = line.split()
        roles = frozenset(Role(r) for r in who.split(","))
        rows[(State(state), Action(action))] = (roles, State(target), State(alternative[0]) if alternative else None)
    return rows


LIFECYCLE = _rows()
