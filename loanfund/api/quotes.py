"""POST /api/v1/quotes — a fee quote, open to everyone."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from loanfund.api import api_bp
from loanfund.api.documented import documented
from loanfund.api.schemas import QuoteRequestSchema, QuoteSchema
from loanfund.domain.rules import Quote
from loanfund.models import Fund
from loanfund.services import funds
from loanfund.services.applications.quotes import quote_fee


def quote_body(fund: Fund, q: Quote) -> dict[str, Any]:
    body: dict[str, Any] = QuoteSchema().dump(
        {
            "amount": q.amount,
            "days": q.days,
            "band": q.band,
            "rates_permille": [f"{q.base_rate_permille:.2f}", f"{q.extended_rate_permille:.2f}"],
            "fee": q.fee,
            "total": q.total,
            "needs_group_approval": q.needs_group_approval,
            "policy": q.policy_name,
            "fund": fund.code,
            "fund_name": fund.name,
        }
    )
    return body


@api_bp.post("/quotes")
@documented("用款费用测算", security="", body=QuoteRequestSchema, answer=QuoteSchema, problems=(404, 422))
def create_quote() -> Response:
    """Quote a bridge: ``{"amount": "30000000.00", "days": 3}``.

    :raise 404: no fund has the code given.
    :raise 422: a field is missing or wrong, or the body is not a JSON object, or the platform has several funds and
        none was named.
    """
    body: Any = request.get_json(silent=True)  # not a JSON object: the schema says so (422)
    data = QuoteRequestSchema().load(body)
    fund = funds.named_or_sole(data.get("fund"))
    return jsonify(quote_body(fund, quote_fee(fund, data["amount"], data["days"])))
