"""The JSON API under /api/v1: parse with marshmallow, call a service, serialise. Errors are problem+json."""

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from loanfund.api import (  # noqa: E402,F401  (routes register on import)
    account,
    applications,
    auth,
    bank_statement,
    documents,
    errors,
    funds,
    group,
    ledger_import,
    limits,
    openapi,
    oversight,
    quotes,
    reports,
)
