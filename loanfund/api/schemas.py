"""marshmallow schemas of the API (the OpenAPI document is generated from these)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from loanfund.api.fields import MoneyField, WholeNumber


class StrictSchema(Schema):
    """Refuses a body that is not a JSON object, in Chinese; ignores fields it does not know."""

    error_messages = {"type": "请求体须为 JSON 对象", "unknown": "未知字段"}

    class Meta:
        unknown = EXCLUDE


class QuoteRequestSchema(StrictSchema):
    amount = MoneyField(required=True, metadata={"description": "应急转贷资金额度（元），两位小数的字符串"})
    days = WholeNumber(required=True, metadata={"description": "用款天数", "example": 3})


class QuoteSchema(Schema):
    amount = MoneyField()
    days = fields.Integer()
    band = fields.Integer(metadata={"description": "费率档次（R1）"})
    rates_permille = fields.List(fields.String(), metadata={"description": "日综合费率（‰）：2天内、超出部分"})
    fee = MoneyField()
    total = MoneyField()
    needs_group_approval = fields.Boolean()
    policy = fields.String(metadata={"description": "政策版本"})
