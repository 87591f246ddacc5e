"""The fund's oversight over the API (第二十至二十三条): each user's messages, the blacklist (staff only), bank
liability (a bank sees its own claims), the early warnings and the recovery files — the same services as the pages."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from loanfund import clock
from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.errors import problem
from loanfund.api.idempotency import run_idempotent
from loanfund.api.schemas import (
    BankClaimCreateSchema,
    BankClaimPaymentCreateSchema,
    BankClaimSchema,
    BlacklistDecisionSchema,
    BlacklistEntrySchema,
    BlacklistLiftSchema,
    BlacklistProposalSchema,
    MessageSchema,
    RecoveryCauseSchema,
    RecoveryMeasureSchema,
    RecoveryRecordSchema,
    WarningSchema,
)
from loanfund.domain.errors import NotFound
from loanfund.domain.lifecycle import Role
from loanfund.domain.warning import Risk
from loanfund.models import BankClaimPayment, BlacklistEntry, RecoveryRecord
from loanfund.services import directory, lifecycle
from loanfund.services.funds import own_fund
from loanfund.services.oversight import blacklist, liability, notices, recovery_file, risk

STAFF = (Role.REVIEWER, Role.OPERATOR, Role.GROUP)
RECOVERY_FILE = {
    "type": "object",
    "properties": {
        "application_id": {"type": "integer"},
        "plan": {"type": "string", "nullable": True},
        "records": {"type": "array", "items": RecoveryRecordSchema},
    },
}


def _body() -> Any:
    return request.get_json(silent=True)


# -- messages ------------------------------------------------------------------------------------------------------


@api_bp.get("/messages")
@documented("本人的站内信", answer=items_of(MessageSchema, unread={"type": "integer"}))
@token_required()
def list_messages() -> Response:
    """The caller's own messages, newest first, and how many are unread."""
    user = current_api_user()
    return jsonify({"items": MessageSchema(many=True).dump(notices.inbox(user)), "unread": notices.unread(user)})


@api_bp.post("/messages/<int(max=2147483647):message_id>/read")
@documented("标为已读", answer={"type": "object"}, problems=(404,))
@token_required()
def read_message(message_id: int) -> Response:
    """Mark one of the caller's messages read (another's id changes nothing: 404)."""
    if notices.mark_read(current_api_user(), message_id) == 0 and not notices.owns(current_api_user(), message_id):
        raise NotFound("没有这条消息")
    return jsonify({"unread": notices.unread(current_api_user())})


# -- blacklist -----------------------------------------------------------------------------------------------------


def _entry(entry: BlacklistEntry) -> dict[str, Any]:
    data: dict[str, Any] = BlacklistEntrySchema().dump(entry)
    data["status"] = entry.status(clock.today())
    return data


@api_bp.get("/blacklist")
@documented("黑名单（平台人员）", answer=items_of(BlacklistEntrySchema), problems=(403,))
@token_required(*STAFF)
def list_blacklist() -> Response:
    """Every entry with its status (staff only: an enterprise or a bank never reads another's entry)."""
    return jsonify({"items": [_entry(e) for e in blacklist.entries(own_fund(current_api_user()).id)]})


@api_bp.post("/blacklist")
@documented(
    "提议列入黑名单（运营人员）",
    body=BlacklistProposalSchema,
    status=201,
    answer=BlacklistEntrySchema,
    problems=(403, 404, 409, 422),
)
@token_required(Role.OPERATOR)
def propose_blacklist() -> tuple[Response, int]:
    """An operator proposes an entry for the leading group. :raise 422: every bad field at once. :raise 409: a
    proposal is waiting already, or the enterprise is barred already."""
    data = BlacklistProposalSchema().load(_body())
    enterprise = directory.enterprise(data["enterprise_id"])
    if enterprise is None:
        raise NotFound("没有这家企业")
    entry = blacklist.submit_proposal(current_api_user(), enterprise, data["ground"], data["basis"], data["listed_on"])
    return jsonify(_entry(entry)), 201


@api_bp.post("/blacklist/<int(max=2147483647):entry_id>/decision")
@documented(
    "确认或不予确认（领导小组）",
    body=BlacklistDecisionSchema,
    answer=BlacklistEntrySchema,
    problems=(403, 404, 409, 422),
)
@token_required(Role.GROUP)
def decide_blacklist(entry_id: int) -> Response:
    blacklist.entry_of(current_api_user(), entry_id)  # another fund's: 404 before the body is read
    data = BlacklistDecisionSchema().load(_body())
    entry = blacklist.decide(current_api_user(), entry_id, data["confirm"], data["note"], data["minutes_ref"])
    return jsonify(_entry(entry))


@api_bp.post("/blacklist/<int(max=2147483647):entry_id>/lift")
@documented(
    "提前解除（领导小组）", body=BlacklistLiftSchema, answer=BlacklistEntrySchema, problems=(403, 404, 409, 422)
)
@token_required(Role.GROUP)
def lift_blacklist(entry_id: int) -> Response:
    blacklist.entry_of(current_api_user(), entry_id)
    data = BlacklistLiftSchema().load(_body())
    return jsonify(_entry(blacklist.lift(current_api_user(), entry_id, data["reason"], data["minutes_ref"])))


# -- bank liability (R12) --------------------------------------------------------------------------------------------


@api_bp.get("/bank-claims")
@documented("合作银行清偿责任（银行只见本行）", answer=items_of(BankClaimSchema), problems=(403,))
@token_required(Role.OPERATOR, Role.GROUP, Role.ADMIN, Role.BANK)
def list_bank_claims() -> Response:
    """Claims against banks; a bank reads only its own."""
    return jsonify({"items": BankClaimSchema(many=True).dump(liability.claims(current_api_user()))})


@api_bp.post("/applications/<int(max=2147483647):application_id>/bank-claim")
@documented(
    "认定合作银行清偿责任（运营人员，第二十三条）",
    body=BankClaimCreateSchema,
    status=201,
    answer=BankClaimSchema,
    problems=(403, 404, 409, 422),
)
@token_required(Role.OPERATOR)
def record_bank_claim(application_id: int) -> tuple[Response, int]:
    """R12: the bank that did not renew on time and in full owes what the overdue bridge still owes.
    :raise 422: R12 does not apply (with the rule's reason). :raise 409: a claim exists already."""
    data = BankClaimCreateSchema().load(_body())
    claim = liability.record_claim(current_api_user(), application_id, data["basis"])
    return jsonify(BankClaimSchema().dump(claim)), 201


@api_bp.post("/bank-claims/<int(max=2147483647):claim_id>/payments")
@documented(
    "登记清偿款到账（运营人员）",
    body=BankClaimPaymentCreateSchema,
    status=201,
    answer=BankClaimSchema,
    problems=(400, 403, 404, 409, 422),
    idempotency="required",
)
@token_required(Role.OPERATOR)
def pay_bank_claim(claim_id: int) -> Response:
    """The bank's payment into the special account (money: an ``Idempotency-Key`` is required)."""
    user = current_api_user()
    liability.claim_of(user, claim_id)  # another fund's: 404 before the body is read

    def step() -> BankClaimPayment:
        data = BankClaimPaymentCreateSchema().load(_body())
        return liability.record_payment(user, claim_id, data["amount"], data["paid_on"], data["transfer_ref"])

    def render(payment: BankClaimPayment) -> dict[str, Any]:
        body: dict[str, Any] = BankClaimSchema().dump(payment.claim)  # the claim as the payment left it
        return body

    return run_idempotent(user, required=True, step=step, render=render, status=201)


# -- early warning -------------------------------------------------------------------------------------------------


@api_bp.get("/warnings")
@documented(
    "风险预警（运营人员、领导小组）",
    answer=items_of(
        WarningSchema,
        day={"type": "string", "format": "date"},
        thresholds={"type": "object"},
        counts={"type": "object", "additionalProperties": {"type": "integer"}},
        page={"type": "integer"},
    ),
    more_query=(
        {"name": "risk", "in": "query", "schema": {"type": "string", "enum": [r.value for r in Risk]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
    ),
    problems=(403, 422),
)
@token_required(Role.OPERATOR, Role.GROUP)
def list_warnings() -> Response:
    """Early warnings (第二十条) with their reasons and numbers, and the thresholds they were read against: how many
    of each kind (``counts``) and the first 50 lines of each; ``risk`` and ``page``: the further lines of one kind.
    :raise 422: an unknown kind, a page that is not a positive whole number."""
    errors: dict[str, list[str]] = {}
    wanted, raw_page = request.args.get("risk"), request.args.get("page")
    only = None
    if wanted is not None:
        if wanted not in {r.value for r in Risk}:
            errors["risk"] = [f"未知预警类别：{wanted}"]
        else:
            only = Risk(wanted)
    page = 1
    if raw_page is not None:
        if not (raw_page.isascii() and raw_page.isdigit()) or not 1 <= int(raw_page[:6]) <= 10000:
            errors["page"] = ["须为 1 至 10000 的整数"]
        else:
            page = int(raw_page)
    if errors:
        return problem(422, errors=errors)
    report = risk.report(own_fund(current_api_user()).id, only=only, page=page)
    limits = report.thresholds
    return jsonify(
        {
            "day": report.day.isoformat(),
            "thresholds": {
                "due_within_days": limits.due_within_days,
                "concentration_percent": str(limits.concentration_percent),
                "utilisation_percent": str(limits.utilisation_percent),
            },
            "counts": {r.value: n for r, n in report.counts.items()},
            "page": report.page,
            "items": WarningSchema(many=True).dump(report.warnings),
        }
    )


# -- the recovery file (第二十一条) -----------------------------------------------------------------------------------


def _recovery(application_id: int) -> dict[str, Any]:
    application = lifecycle.get(current_api_user(), application_id)
    return {
        "application_id": application.id,
        "plan": application.recovery_plan,
        "records": RecoveryRecordSchema(many=True).dump(recovery_file.records(application)),
    }


@api_bp.get("/applications/<int(max=2147483647):application_id>/recovery")
@documented("追偿档案（平台人员）", answer=RECOVERY_FILE, problems=(403, 404))
@token_required(*STAFF)
def get_recovery_file(application_id: int) -> Response:
    """The recovery plan, cause analyses and measures (platform staff; 404 when not theirs to see)."""
    return jsonify(_recovery(application_id))


@api_bp.post("/applications/<int(max=2147483647):application_id>/recovery/cause")
@documented(
    "记录逾期原因分析（运营人员）", body=RecoveryCauseSchema, status=201, answer=RECOVERY_FILE, problems=(403, 404, 422)
)
@token_required(Role.OPERATOR)
def record_recovery_cause(application_id: int) -> tuple[Response, int]:
    lifecycle.get(current_api_user(), application_id)  # another fund's: 404 before the body is read
    data = RecoveryCauseSchema().load(_body())
    recovery_file.record_cause(current_api_user(), application_id, data["cause"])
    return jsonify(_recovery(application_id)), 201


@api_bp.post("/applications/<int(max=2147483647):application_id>/recovery/measures")
@documented(
    "记录追偿措施及追回资金（运营人员）",
    body=RecoveryMeasureSchema,
    status=201,
    answer=RECOVERY_FILE,
    problems=(400, 403, 404, 409, 422),
    idempotency="required",
)
@token_required(Role.OPERATOR)
def record_recovery_measure(application_id: int) -> Response:
    """A recovery measure; money recovered moves (an ``Idempotency-Key`` is required)."""
    user = current_api_user()
    lifecycle.get(user, application_id)  # another fund's: 404 before the body is read

    def step() -> RecoveryRecord:
        data = RecoveryMeasureSchema().load(_body())
        return recovery_file.record_measure(
            user, application_id, data["taken_on"], data["measure"], data["amount"], data["transfer_ref"]
        )

    return run_idempotent(
        user,
        required=True,
        step=step,
        render=lambda _: _recovery(application_id),
        status=201,
    )
