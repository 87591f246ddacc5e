"""The documents the pages hand out, over the API (issue 27): an application's 使用情况说明表 (PDF and .xlsx, 第十九条)
and its green-channel letter (第二十七条), which the operator issues here too; its 受理回执 and 电子回单 (issue 30).
The same services as the pages."""

from __future__ import annotations

from flask import Response, jsonify, url_for

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.errors import problem
from loanfund.api.schemas import GreenChannelLetterSchema, ReceiptSchema
from loanfund.domain.errors import Conflict, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.services import lifecycle
from loanfund.services.applications import green_channel, receipts
from loanfund.services.reports import documents
from loanfund.web.downloads import XLSX, attachment

PDF = "application/pdf"


def _statement(application_id: int) -> lifecycle.statement.Statement:
    application = lifecycle.get(current_api_user(), application_id)
    if application.state_enum not in lifecycle.statement.STATEMENT_STATES:
        raise NotFound("资金尚未归还或核销，还没有使用情况说明表")
    return lifecycle.usage_statement(application)


def _pdf_unavailable(exc: documents.PdfUnavailable) -> Response:
    return problem(503, detail=str(exc))


@api_bp.get("/applications/<int(max=2147483647):application_id>/statement.pdf")
@documented("使用情况说明表（PDF）", answer=PDF, problems=(404, 503))
@token_required()
def statement_pdf(application_id: int) -> Response:
    """As filed at archiving, or a draft before, once the money is back or written off (第十九条).
    :raise 404: not the caller's application, or not settled yet. :raise 503: this server cannot write PDF."""
    document = _statement(application_id)
    try:
        content = documents.statement_pdf(document)
    except documents.PdfUnavailable as exc:
        return _pdf_unavailable(exc)
    return attachment(content, PDF, f"使用情况说明表-{document.reference}.pdf")


@api_bp.get("/applications/<int(max=2147483647):application_id>/statement.xlsx")
@documented("使用情况说明表（.xlsx）", answer=XLSX, problems=(404,))
@token_required()
def statement_xlsx(application_id: int) -> Response:
    """:raise 404: not the caller's application, or not settled yet."""
    document = _statement(application_id)
    return attachment(documents.statement_workbook(document), XLSX, f"使用情况说明表-{document.reference}.xlsx")


@api_bp.post("/applications/<int(max=2147483647):application_id>/green-channel")
@documented("开具绿色通道函（运营人员）", status=201, answer=GreenChannelLetterSchema, problems=(403, 404, 409))
@token_required(Role.OPERATOR)
def issue_green_channel(application_id: int) -> tuple[Response, int]:
    """The letter to the land and housing departments for a renewal with a mortgage (第二十七条), numbered within
    the year; the bank and the enterprise are told. :raise 404: not the caller's fund's application.
    :raise 403: not now (no mortgage, not accepted yet). :raise 409: issued already."""
    user = current_api_user()
    if lifecycle.get(user, application_id).green_channel_letter is not None:
        raise Conflict("该申请已开具绿色通道函", code="state_not_allowed")
    letter = green_channel.issue(user, application_id)
    return jsonify(GreenChannelLetterSchema().dump(letter)), 201


@api_bp.get("/applications/<int(max=2147483647):application_id>/green-channel.pdf")
@documented("绿色通道函（PDF）", answer=PDF, problems=(404, 503))
@token_required()
def green_channel_pdf(application_id: int) -> Response:
    """The letter as issued, for every party to the application. :raise 404: none, or not the caller's to see."""
    letter = green_channel.letter_for(current_api_user(), application_id)
    try:
        content = green_channel.letter_pdf(letter)
    except documents.PdfUnavailable as exc:
        return _pdf_unavailable(exc)
    return attachment(content, PDF, f"绿色通道函-{letter.number}.pdf")


@api_bp.get("/applications/<int(max=2147483647):application_id>/receipts")
@documented("回执与回单", answer=items_of(ReceiptSchema), problems=(404,))
@token_required()
def list_receipts(application_id: int) -> Response:
    """The application's 受理回执 and 电子回单, each with its download link, in the order they were issued.
    :raise 404: not the caller's application."""
    slips = receipts.for_application(current_api_user(), application_id)
    items = [
        {
            "kind": s.kind,
            "number": s.number,
            "title": s.title,
            "issued_on": s.issued_on,
            "amount": s.amount,
            "lines": [{"label": label, "text": text} for label, text in s.lines],
            "download": url_for("api.receipt_pdf", application_id=application_id, number=s.number),
        }
        for s in slips
    ]
    return jsonify({"items": ReceiptSchema(many=True).dump(items)})


@api_bp.get("/applications/<int(max=2147483647):application_id>/receipts/<string(length=14):number>.pdf")
@documented("下载回执或回单（PDF）", answer=PDF, problems=(404, 503))
@token_required()
def receipt_pdf(application_id: int, number: str) -> Response:
    """:raise 404: not the caller's application, or no such receipt on it. :raise 503: this server cannot write PDF."""
    slip = receipts.slip(current_api_user(), application_id, number)
    try:
        content = documents.receipt_pdf(slip)
    except documents.PdfUnavailable as exc:
        return _pdf_unavailable(exc)
    return attachment(content, PDF, slip.filename)
