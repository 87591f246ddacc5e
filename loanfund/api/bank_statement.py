"""The special account's bank statement over the API (issue 29): import the bank's file, read the month bank against
books, match by hand and undo; the formats the administrator keeps. The same service as the page."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import RAISE, Schema, fields, validate

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.fields import Day, MoneyField, Text
from loanfund.api.schemas import StrictSchema
from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Role
from loanfund.services.books import bank_statement, statement_files
from loanfund.services.funds import own_fund


class BankFormatSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "table（.xlsx / .csv）或 camt053"})
    columns = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "各项的列名"})


class BankFormatCreateSchema(StrictSchema):
    name = Text(60, required=True, metadata={"description": "格式名称，如 工商银行网银明细"})
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(statement_files.KINDS), error="文件类型须为 table 或 camt053"),
    )
    columns = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(statement_files.FIELDS), error="未知的列：{input}")),
        values=Text(60),
        load_default=dict,
        metadata={
            "description": "表格文件各项的列名（表头文字）："
            + "，".join(f"{k} {v}" for k, v in statement_files.FIELDS.items())
        },
    )


class StatementImportSchema(Schema):
    id = fields.Integer()
    format_name = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    lines_read = fields.Integer()
    lines_added = fields.Integer(metadata={"description": "新增的流水（此前未导入过的）"})
    lines_known = fields.Integer(metadata={"description": "此前已导入、本次未重复记入的流水"})
    matched = fields.Integer(metadata={"description": "导入后自动对账的笔数"})
    notes = fields.List(fields.String())
    imported_at = fields.DateTime()


class PeriodQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    start = Day(required=True)
    end = Day(required=True)


class DaySchema(Schema):
    day = fields.Date()
    bank_in = MoneyField()
    bank_out = MoneyField()
    books_in = MoneyField()
    books_out = MoneyField()
    bank_closing = MoneyField(allow_none=True, metadata={"description": "银行日终余额（对账单未给出时为 null）"})
    books_closing = MoneyField()
    difference = MoneyField(allow_none=True)
    unmatched_lines = fields.Integer()
    unmatched_movements = fields.Integer()
    reconciled = fields.Boolean()


class MovementSchema(Schema):
    entry_id = fields.Integer()
    posted_on = fields.Date()
    amount = MoneyField(metadata={"description": "收入为正、支出为负"})
    bank_ref = fields.String(allow_none=True)
    description = fields.String()


class NearSchema(Schema):
    movement = fields.Nested(MovementSchema)
    differences = fields.List(fields.String())


class LineSchema(Schema):
    id = fields.Integer()
    booked_on = fields.Date()
    amount = MoneyField(metadata={"description": "收入为正、支出为负"})
    counterparty = fields.String()
    reference = fields.String()
    balance = MoneyField(allow_none=True)


class OpenLineSchema(Schema):
    line = fields.Nested(LineSchema)
    near = fields.List(fields.Nested(NearSchema))


class StandingSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    covered = fields.Function(lambda s: [{"start": a.isoformat(), "end": b.isoformat()} for a, b in s.covered])
    lines = fields.Integer()
    matched = fields.Integer()
    reconciled = fields.Boolean()
    days = fields.List(fields.Nested(DaySchema))
    open_lines = fields.List(fields.Nested(OpenLineSchema))
    open_movements = fields.List(fields.Nested(MovementSchema))


class HandMatchSchema(StrictSchema):
    entry_id = fields.Integer(required=True, strict=True, metadata={"description": "记账分录号"})
    reason = Text(500, required=True, metadata={"description": "人工对账理由"})


class UndoSchema(StrictSchema):
    reason = Text(500, required=True, metadata={"description": "撤销理由"})


class MatchSchema(Schema):
    id = fields.Integer()
    line_id = fields.Integer()
    entry_id = fields.Integer()
    how = fields.String(metadata={"description": "auto 自动 / hand 人工"})
    reason = fields.String()
    matched_at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)
    undo_reason = fields.String()


UPLOAD_FORM = {
    "type": "object",
    "required": ["bank_format", "file"],
    "properties": {
        "bank_format": {"type": "string", "description": "银行流水格式的名称（系统管理员设置）"},
        "file": {
            "type": "string",
            "format": "binary",
            "description": "对账单：.xlsx、.csv 或 CAMT.053 .xml，10 MB 以内",
        },
    },
}


def _body() -> Any:
    return request.get_json(silent=True)


@api_bp.get("/bank-statement")
@documented("专用账户银行对账（逐日、未对账明细）", query=PeriodQuerySchema, answer=StandingSchema, problems=(403, 422))
@token_required(*bank_statement.READERS)
def bank_standing() -> Response:
    """Bank against books over ``start``–``end`` (at most a year): each day the statements cover, the lines and the
    book movements not matched, each line with the movements it nearly agrees with. :raise 422: a period upside
    down or over a year."""
    query = PeriodQuerySchema().load(request.args)
    user = current_api_user()
    found = bank_statement.standing(user, own_fund(user).id, query["start"], query["end"])
    return jsonify(StandingSchema().dump(found))


@api_bp.post("/bank-statement/imports")
@documented("导入专用账户对账单", form=UPLOAD_FORM, status=201, answer=StatementImportSchema, problems=(403, 422))
@token_required(*bank_statement.KEEPERS)
def import_bank_statement() -> tuple[Response, int]:
    """The bank's file (multipart/form-data), in a format the administrator set; matched automatically where the
    reference, amount and day agree. :raise 422: no such format, or every problem of the file by row and column —
    nothing stored."""
    user = current_api_user()
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidInput({"file": ["请选择对账单文件"]})
    record = bank_statement.import_file(
        user,
        own_fund(user).id,
        request.form.get("bank_format", ""),
        sent.filename,
        sent.read(bank_statement.MAX_UPLOAD + 1),
    )
    return jsonify(StatementImportSchema().dump(record)), 201


@api_bp.get("/bank-statement/imports")
@documented("对账单导入记录", answer=items_of(StatementImportSchema), problems=(403,))
@token_required(*bank_statement.READERS)
def list_bank_statement_imports() -> Response:
    """The fund's last 50 imports, the newest first."""
    user = current_api_user()
    return jsonify({"items": StatementImportSchema(many=True).dump(bank_statement.imports(own_fund(user).id))})


@api_bp.post("/bank-statement/lines/<int(max=2147483647):line_id>/match")
@documented("人工对账", body=HandMatchSchema, status=201, answer=MatchSchema, problems=(403, 404, 409, 422))
@token_required(*bank_statement.KEEPERS)
def match_bank_line(line_id: int) -> tuple[Response, int]:
    """A line matched to a book movement of the same amount, with the reason. :raise 404: another fund's line.
    :raise 409: the line or the entry is matched already. :raise 422: amounts differ, no reason."""
    data = HandMatchSchema().load(_body())
    user = current_api_user()
    row = bank_statement.match_by_hand(user, own_fund(user).id, line_id, data["entry_id"], data["reason"])
    return jsonify(MatchSchema().dump(row)), 201


@api_bp.post("/bank-statement/matches/<int(max=2147483647):match_id>/undo")
@documented("撤销对账", body=UndoSchema, answer=MatchSchema, problems=(403, 404, 409, 422))
@token_required(*bank_statement.KEEPERS)
def undo_bank_match(match_id: int) -> Response:
    """Undo a match, with the reason; the row stays, marked undone. :raise 404: another fund's.
    :raise 409: undone already."""
    data = UndoSchema().load(_body())
    user = current_api_user()
    return jsonify(MatchSchema().dump(bank_statement.undo(user, own_fund(user).id, match_id, data["reason"])))


@api_bp.get("/bank-formats")
@documented("银行流水格式", answer=items_of(BankFormatSchema), problems=(403,))
@token_required(*bank_statement.READERS)
def list_bank_formats() -> Response:
    user = current_api_user()
    return jsonify({"items": BankFormatSchema(many=True).dump(bank_statement.formats(own_fund(user).id))})


@api_bp.post("/bank-formats")
@documented(
    "添加银行流水格式（系统管理员）",
    body=BankFormatCreateSchema,
    status=201,
    answer=BankFormatSchema,
    problems=(403, 422),
)
@token_required(Role.ADMIN)
def create_bank_format() -> tuple[Response, int]:
    """How a bank exports the special account's statement: the header text of each column, or CAMT.053.
    :raise 422: every problem at once (the date column, the amount columns, a name taken)."""
    data = BankFormatCreateSchema().load(_body())
    user = current_api_user()
    row = bank_statement.save_format(user, own_fund(user).id, data["name"], data["kind"], data["columns"])
    return jsonify(BankFormatSchema().dump(row)), 201
