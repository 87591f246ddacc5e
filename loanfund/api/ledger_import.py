"""The fund's past from its Excel 台账 over the API (issue 29): check a file, import it, read the import records. The
same service as the page and ``loanfund import-ledger``."""

from __future__ import annotations

from flask import Response, jsonify, request

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.schemas import LedgerCheckSchema, LedgerImportSchema
from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Role
from loanfund.services.books import ledger_import
from loanfund.services.funds import own_fund
from loanfund.uploads import uploaded

FLAG = {"type": "string", "enum": ["true", "false"], "default": "false"}
UPLOAD_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "台账：.xlsx，按模板（docs/ledger-import.md）"},
        "row_by_row": FLAG | {"description": "true：有问题的行不导入，其余照常导入（记录在案）"},
    },
}


def _sent(sent: list[tuple[str, bytes]], row_by_row: str) -> tuple[str, bytes, bool]:
    """The one file and ``row_by_row`` as read from the form. :raise InvalidInput: no file, or a flag that is neither
    true nor false — both named at once."""
    errors: dict[str, list[str]] = {}
    flag = row_by_row.strip().lower()
    if flag not in ("true", "false"):
        errors["row_by_row"] = ["只能是 true 或 false"]
    if len(sent) != 1 or not sent[0][0]:
        errors["file"] = ["请选择一个台账文件"]
    if errors:
        raise InvalidInput(errors)
    return sent[0][0], sent[0][1], flag == "true"


@api_bp.post("/ledger-imports/check")
@documented("检查往年台账（不写入）", form=UPLOAD_FORM, answer=LedgerCheckSchema, problems=(403, 422))
@token_required(Role.ADMIN)
def check_ledger() -> Response:
    """What the 台账 would import, every problem by row and column; nothing written. :raise 422: not a 台账."""
    user = current_api_user()
    filename, data, row_by_row = _sent(uploaded("file"), request.form.get("row_by_row", "false"))
    result = ledger_import.run(user, own_fund(user).id, filename, data, dry_run=True, row_by_row=row_by_row)
    return jsonify(LedgerCheckSchema().dump(result))


@api_bp.post("/ledger-imports")
@documented("导入往年台账", form=UPLOAD_FORM, status=201, answer=LedgerImportSchema, problems=(403, 422))
@token_required(Role.ADMIN)
def import_ledger() -> tuple[Response, int]:
    """Check the 台账 against the policy of each bridge's day and import it; a row imported before is skipped.
    :raise 422: not a 台账, or — not row by row — every problem by row and column (the refusal is recorded, nothing
    imported)."""
    user = current_api_user()
    filename, data, row_by_row = _sent(uploaded("file"), request.form.get("row_by_row", "false"))
    result = ledger_import.run(user, own_fund(user).id, filename, data, row_by_row=row_by_row)
    assert result.record is not None
    if result.record.outcome == "refused":
        raise InvalidInput({"file": [str(problem) for problem in result.problems]})
    return jsonify(LedgerImportSchema().dump(result.record)), 201


@api_bp.get("/ledger-imports")
@documented("往年台账导入记录", answer=items_of(LedgerImportSchema), problems=(403,))
@token_required(Role.ADMIN)
def list_ledger_imports() -> Response:
    """The fund's last 50 imports, the newest first."""
    user = current_api_user()
    return jsonify({"items": LedgerImportSchema(many=True).dump(ledger_import.records(own_fund(user).id))})
