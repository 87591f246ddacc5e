"""Administration: users, banks and agreements, policy versions, contributions, the e-mail queue. Administrator only
(404 otherwise)."""

from __future__ import annotations

from flask import Blueprint

from loanfund.domain.lifecycle import Role
from loanfund.web.roles import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMIN)

# the pages, one module per subject; importing them registers their routes on ``bp``
from loanfund.web.admin import (  # noqa: E402, F401
    bank_formats,
    banks,
    capital,
    checklist,
    ledger_import,
    mail,
    people,
    policies,
    thresholds,
)
