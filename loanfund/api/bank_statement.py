"""The special account's bank statement over the API (issue 29): import the bank's file, read the month bank against
books, match by hand and undo; the formats the administrator keeps. The same service as the page."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.schemas import (
    BankFormatCreateSchema,
    BankFormatSchema,
    HandMatchSchema,
    MatchSchema,
    PeriodQuerySchema,
    RematchedSchema,
    RematchSchema,
    StandingSchema,
    StatementImportSchema,
    UndoSchema,
)
from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Role
from loanfund.services.books import bank_statement
from loanfund.services.funds import own_fund
from loanfund.uploads import uploaded

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
    sent = uploaded("file")
    if len(sent) != 1 or not sent[0][0]:
        raise InvalidInput({"file": ["请选择一个对账单文件"]})
    (filename, data) = sent[0]
    record = bank_statement.import_file(user, own_fund(user).id, request.form.get("bank_format", ""), filename, data)
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
    user = current_api_user()
    bank_statement.line_of(own_fund(user).id, line_id)
    data = HandMatchSchema().load(_body())
    row = bank_statement.match_by_hand(user, own_fund(user).id, line_id, data["entry_id"], data["reason"])
    return jsonify(MatchSchema().dump(row)), 201


@api_bp.post("/bank-statement/matches/<int(max=2147483647):match_id>/undo")
@documented("撤销对账", body=UndoSchema, answer=MatchSchema, problems=(403, 404, 409, 422))
@token_required(*bank_statement.KEEPERS)
def undo_bank_match(match_id: int) -> Response:
    """Undo a match, with the reason; the row stays, marked undone. :raise 404: another fund's.
    :raise 409: undone already."""
    user = current_api_user()
    bank_statement.match_of(own_fund(user).id, match_id)
    data = UndoSchema().load(_body())
    return jsonify(MatchSchema().dump(bank_statement.undo(user, own_fund(user).id, match_id, data["reason"])))


@api_bp.post("/bank-statement/rematch")
@documented("重新自动对账", body=RematchSchema, answer=RematchedSchema, problems=(403, 422))
@token_required(*bank_statement.KEEPERS)
def rematch_bank_statement() -> Response:
    """Match again what agrees from ``start`` to ``end`` (after an entry was booked, or a match undone): how many.
    :raise 422: a period upside down or over a year."""
    data = RematchSchema().load(_body())
    user = current_api_user()
    made = bank_statement.match_automatically(user, own_fund(user).id, data["start"], data["end"])
    return jsonify(RematchedSchema().dump({"matched": made}))


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


@api_bp.put("/bank-formats/<int(max=2147483647):format_id>")
@documented(
    "修改银行流水格式（系统管理员）", body=BankFormatCreateSchema, answer=BankFormatSchema, problems=(403, 404, 422)
)
@token_required(Role.ADMIN)
def put_bank_format(format_id: int) -> Response:
    """A bank changed its export: the format's name, kind and columns, all of them. :raise 404: another fund's.
    :raise 422: every problem at once."""
    user = current_api_user()
    bank_statement.format_of(own_fund(user).id, format_id)
    data = BankFormatCreateSchema().load(_body())
    row = bank_statement.save_format(user, own_fund(user).id, data["name"], data["kind"], data["columns"], format_id)
    return jsonify(BankFormatSchema().dump(row))
