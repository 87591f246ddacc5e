"""The funds on the platform over the API (DESIGN §7): the platform administrator creates funds and their
administrators; a fund's administrator keeps its users, policy versions and capital; an overseer reads every fund
side by side. The same services as the pages; another fund's paths answer 404."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from loanfund import clock
from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.idempotency import run_idempotent
from loanfund.api.schemas import (
    AccountChangeSchema,
    AccountDecisionSchema,
    BankAgreementOutSchema,
    BankAgreementSchema,
    ChecklistItemOutSchema,
    ChecklistItemSchema,
    ContributionSchema,
    DistributionCreateSchema,
    DistributionPaymentSchema,
    DistributionResultSchema,
    FundContributionCreateSchema,
    FundCreateSchema,
    FundFiguresSchema,
    FundPersonSchema,
    FundSchema,
    FundUserCreateSchema,
    FundUserSchema,
    LiftedSchema,
    MailDeliverySchema,
    PaidSchema,
    PolicyRevisionSchema,
    PolicyVersionOutSchema,
    PolicyVersionSchema,
    ReasonSchema,
    ThresholdsSchema,
    UserActiveSchema,
)
from loanfund.domain.errors import InvalidInput, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.models import Bank, User
from loanfund.services import admin, directory, funds, platform, policies
from loanfund.services.applications import materials
from loanfund.services.books import bank_accounts
from loanfund.services.books.capital import (
    DistributionResult,
    contributor_named,
    parse_tax_rate,
    pay_distributions,
    record_contribution,
    run_distribution,
)
from loanfund.services.oversight import mailer, settings, time_limits
from loanfund.services.people import accounts, second_factor


def _body() -> Any:
    return request.get_json(silent=True)


@api_bp.get("/funds")
@documented("转贷资金列表", answer=items_of(FundSchema), security="")
def list_funds() -> Response:
    """Every fund on the platform, the oldest first: what an enterprise may apply to (public, as the guide is)."""
    return jsonify({"items": FundSchema(many=True).dump(funds.funds())})


@api_bp.post("/funds")
@documented("设立转贷资金（平台管理员）", body=FundCreateSchema, status=201, answer=FundSchema, problems=(403, 422))
@token_required(Role.PLATFORM)
def create_fund() -> tuple[Response, int]:
    """A new fund with its region, bodies, special account and first policy version.

    :raise 403: not the platform administrator. :raise 422: every wrong field at once (``policy.…`` for the policy).
    """
    data = FundCreateSchema().load(_body())
    bodies, account = data["bodies"], data["special_account"]
    given = platform.FundInput(
        code=data["code"],
        name=data["name"],
        short_name=data["short_name"],
        regulation=data["regulation"],
        regulation_number=data["regulation_number"],
        districts=list(data["districts"]),
        authority=bodies["authority"],
        group_office=bodies["group_office"],
        reviewing_body=bodies["reviewing_body"],
        operating_body=bodies["operating_body"],
        account_bank=account.get("bank", ""),
        account_name=account.get("account_name", ""),
        account_no=account.get("account_no", ""),
        contact=data["contact"],
        region_name=data["region_name"],
        region_code=data["region_code"],
    )
    try:
        created = platform.create_fund(current_api_user(), given, policies.from_json(data["policy"]))
    except InvalidInput as exc:
        raise policies.json_errors(exc, "policy.") from exc
    return jsonify(FundSchema().dump(created)), 201


@api_bp.post("/funds/<code>/users")
@documented(
    "设立转贷资金的用户", body=FundUserCreateSchema, status=201, answer=FundUserSchema, problems=(403, 404, 422)
)
@token_required(Role.PLATFORM, Role.ADMIN)
def create_fund_user(code: str) -> tuple[Response, int]:
    """The platform administrator sets up a fund's administrator; a fund's administrator its own staff and bank
    officers. :raise 404: another fund's. :raise 403: a role the caller may not give. :raise 422: a bad field."""
    platform.fund_for(current_api_user(), code)  # another fund's: 404 before the body is read
    data = FundUserCreateSchema().load(_body())
    user = platform.add_fund_user(
        current_api_user(), code, data["username"], data["password"], data["role"], data["email"], data["bank_id"]
    )
    return jsonify(FundUserSchema().dump(user)), 201


@api_bp.get("/funds/<code>/policies")
@documented("转贷资金的政策版本", answer=items_of(PolicyVersionOutSchema), problems=(403, 404))
@token_required(Role.ADMIN)
def list_policies(code: str) -> Response:
    """The fund's policy versions by the day they take effect. :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": PolicyVersionOutSchema(many=True).dump(directory.policy_versions(fund))})


@api_bp.post("/funds/<code>/policies")
@documented(
    "新增政策版本", body=PolicyVersionSchema, status=201, answer=PolicyVersionOutSchema, problems=(403, 404, 422)
)
@token_required(Role.ADMIN)
def create_policy(code: str) -> tuple[Response, int]:
    """A new version of the fund's policy, with as many bands as it has. :raise 404: another fund's.
    :raise 422: every wrong parameter (``bands.N.…`` for a band)."""
    fund = platform.fund_for(current_api_user(), code)
    data = PolicyVersionSchema().load(_body())
    try:
        version = policies.create_policy_version(fund, policies.from_json(data))
    except InvalidInput as exc:
        raise policies.json_errors(exc) from exc
    return jsonify(PolicyVersionOutSchema().dump(version)), 201


@api_bp.patch("/funds/<code>/policies/<int(max=2147483647):version_id>")
@documented(
    "更正尚未施行的政策版本",
    body=PolicyRevisionSchema,
    answer=PolicyVersionOutSchema,
    problems=(403, 404, 409, 422),
)
@token_required(Role.ADMIN)
def revise_policy(code: str, version_id: int) -> Response:
    """Correct a version before it takes effect, with the reason. :raise 404: another fund's.
    :raise 409: in force already, or withdrawn. :raise 422: no reason, or a wrong parameter."""
    user = current_api_user()
    fund = platform.fund_for(user, code)
    data = PolicyRevisionSchema().load(_body())
    try:
        version = policies.revise_policy_version(user, fund, version_id, policies.from_json(data), data["reason"])
    except InvalidInput as exc:
        raise policies.json_errors(exc) from exc
    return jsonify(PolicyVersionOutSchema().dump(version))


@api_bp.delete("/funds/<code>/policies/<int(max=2147483647):version_id>")
@documented("撤回尚未施行的政策版本", body=ReasonSchema, answer=PolicyVersionOutSchema, problems=(403, 404, 409, 422))
@token_required(Role.ADMIN)
def withdraw_policy(code: str, version_id: int) -> Response:
    """Withdraw a version before it takes effect, with the reason; it stays, marked. :raise 404: another fund's.
    :raise 409: in force already, or withdrawn. :raise 422: no reason."""
    user = current_api_user()
    fund = platform.fund_for(user, code)
    data = ReasonSchema().load(_body())
    return jsonify(
        PolicyVersionOutSchema().dump(policies.withdraw_policy_version(user, fund, version_id, data["reason"]))
    )


@api_bp.post("/funds/<code>/contributions")
@documented(
    "登记出资", body=FundContributionCreateSchema, status=201, answer=ContributionSchema, problems=(403, 404, 422)
)
@token_required(Role.ADMIN)
def create_contribution(code: str) -> tuple[Response, int]:
    """Capital paid into the fund's special account (Dr cash / Cr capital). :raise 404: another fund's.
    :raise 422: a bad field (amount not positive)."""
    user = current_api_user()
    fund = platform.fund_for(user, code)
    data = FundContributionCreateSchema().load(_body())
    contributor = contributor_named(fund.id, data["contributor"], data["kind"])
    contribution = record_contribution(
        contributor, data["amount"], data["contributed_on"], data["reference"], recorded_by=user
    )
    return jsonify(ContributionSchema().dump(contribution)), 201


@api_bp.get("/overview")
@documented(
    "各转贷资金汇总（监管部门）",
    answer=items_of(FundFiguresSchema, total=FundFiguresSchema),
    problems=(403,),
)
@token_required(Role.OVERSEER, Role.PLATFORM)
def overview() -> Response:
    """Every fund side by side — its special account, money out and this year's figures — with the totals.
    :raise 403: anyone but the overseer and the platform administrator."""
    lines, total = platform.overview(current_api_user())

    def shown(line: platform.FundFigures, *, code: str, name: str) -> dict[str, Any]:
        return {
            "fund": code,
            "name": name,
            "cash": line.cash,
            "reserved": line.reserved,
            "out": line.out,
            "bridges_out": line.bridges_out,
            "submitted": line.year.submitted,
            "disbursed": line.year.disbursed,
            "fee_income": line.year.fee_income,
        }

    items = [shown(line, code=line.fund.code, name=line.fund.name) for line in lines]
    body: dict[str, Any] = {"items": FundFiguresSchema(many=True).dump(items)}
    body["total"] = FundFiguresSchema().dump(shown(total, code="", name="合计")) if total else None
    return jsonify(body)


def _item_input(data: dict[str, Any]) -> materials.ItemInput:
    return materials.ItemInput(
        code=data["code"],
        label=data["label"],
        provided_by=data["provided_by"],
        needed_for=data["needed_for"],
        required=data["required"],
        active=data["active"],
        position=data["position"],
    )


@api_bp.get("/funds/<code>/checklist")
@documented("转贷资金的申请材料清单", answer=items_of(ChecklistItemOutSchema), problems=(403, 404))
@token_required(Role.ADMIN)
def list_checklist(code: str) -> Response:
    """Every item of the fund's checklist, retired ones too. :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": ChecklistItemOutSchema(many=True).dump(materials.checklist(fund.id, active_only=False))})


@api_bp.post("/funds/<code>/checklist")
@documented(
    "新增申请材料项", body=ChecklistItemSchema, status=201, answer=ChecklistItemOutSchema, problems=(403, 404, 422)
)
@token_required(Role.ADMIN)
def create_checklist_item(code: str) -> tuple[Response, int]:
    """A new item of the fund's checklist. :raise 404: another fund's. :raise 422: every bad field at once."""
    user = current_api_user()
    platform.fund_for(user, code)
    item = materials.save_item(user, None, _item_input(ChecklistItemSchema().load(_body())))
    return jsonify(ChecklistItemOutSchema().dump(item)), 201


@api_bp.put("/funds/<code>/checklist/<int(max=2147483647):item_id>")
@documented("修改申请材料项", body=ChecklistItemSchema, answer=ChecklistItemOutSchema, problems=(403, 404, 422))
@token_required(Role.ADMIN)
def update_checklist_item(code: str, item_id: int) -> Response:
    """Change an item of the fund's checklist (its code stays). :raise 404: another fund's item or fund.
    :raise 422: every bad field at once."""
    user = current_api_user()
    platform.fund_for(user, code)
    item = materials.save_item(user, item_id, _item_input(ChecklistItemSchema().load(_body())))
    return jsonify(ChecklistItemOutSchema().dump(item))


def _thresholds(limits: Any, fund_id: int) -> dict[str, str]:
    promised = time_limits.limits(fund_id)
    return {
        "due_within_days": str(limits.due_within_days),
        "concentration_percent": str(limits.concentration_percent),
        "utilisation_percent": str(limits.utilisation_percent),
        "statement_days": str(limits.statement_days),
    } | {key: str(promised.of(stage)) for stage, key in time_limits.KEYS.items()}


@api_bp.get("/funds/<code>/settings")
@documented("转贷资金的预警设置", answer=ThresholdsSchema, problems=(403, 404))
@token_required(Role.ADMIN)
def get_settings(code: str) -> Response:
    """The fund's early-warning thresholds (R15). :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify(ThresholdsSchema().dump(_thresholds(settings.thresholds(fund.id), fund.id)))


@api_bp.put("/funds/<code>/settings")
@documented("修改预警设置", body=ThresholdsSchema, answer=ThresholdsSchema, problems=(403, 404, 422))
@token_required(Role.ADMIN)
def put_settings(code: str) -> Response:
    """Set the fund's early-warning thresholds and its stages' time limits at once (the bank statement's days and a
    time limit kept when left out).
    :raise 404: another fund's.
    :raise 422: every field that is not a sensible number, at once."""
    user = current_api_user()
    fund = platform.fund_for(user, code)
    data = ThresholdsSchema().load(_body())
    saved = settings.save_thresholds(
        user,
        fund.id,
        data["due_within_days"],
        data["concentration_percent"],
        data["utilisation_percent"],
        data["statement_days"],
        {key: data[key] for key in time_limits.KEYS.values()},
    )
    return jsonify(ThresholdsSchema().dump(_thresholds(saved, fund.id)))


# -- banks, their agreements and designated accounts (第十六、十七条) -----------------------------------------------

_BANK_FIELDS = {"name": "bank", "agreement_start": "agreement_from", "agreement_end": "agreement_to"}


def _bank_body(bank: Bank) -> dict[str, Any]:
    body: dict[str, Any] = BankAgreementOutSchema().dump(bank)
    pending = bank_accounts.pending_change(bank)
    body["proposed"] = AccountChangeSchema().dump(pending) if pending is not None else None
    return body


def _bank_input(data: dict[str, Any]) -> admin.BankInput:
    return admin.BankInput(
        code=data["code"],
        name=data["bank"],
        agreement_no=data["agreement_no"],
        agreement_start=data["agreement_from"],
        agreement_end=data["agreement_to"],
        account_name=data["account_name"],
        account_no=data["account_no"],
        account_bank=data["account_bank"],
        officer_name=data["officer_name"],
        officer_phone=data["officer_phone"],
        liaison_id=data["liaison_id"],
    )


def _saved_bank(data: dict[str, Any], bank: Bank | None, fund_id: int) -> admin.SavedBank:
    try:
        return admin.save_bank(_bank_input(data), bank, current_api_user(), fund_id)
    except InvalidInput as exc:
        raise InvalidInput({_BANK_FIELDS.get(k, k): v for k, v in exc.errors.items()}) from exc


@api_bp.get("/funds/<code>/banks")
@documented("转贷资金的合作银行及协议", answer=items_of(BankAgreementOutSchema), problems=(403, 404))
@token_required(Role.ADMIN, Role.PLATFORM)
def list_fund_banks(code: str) -> Response:
    """The fund's cooperating banks with their agreements, designated accounts and any change waiting to be
    confirmed. :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": [_bank_body(bank) for bank in directory.banks(fund.id)]})


@api_bp.post("/funds/<code>/banks")
@documented(
    "登记合作银行（协议与指定账户）",
    body=BankAgreementSchema,
    status=201,
    answer=BankAgreementOutSchema,
    problems=(403, 404, 422),
)
@token_required(Role.ADMIN, Role.PLATFORM)
def create_fund_bank(code: str) -> tuple[Response, int]:
    """A bank's cooperation with the fund: one bank may cooperate with several funds, with an agreement and a
    designated account for each. :raise 404: another fund's. :raise 422: every wrong field at once (a code or name
    taken in the fund, the agreement ending before it starts)."""
    fund = platform.fund_for(current_api_user(), code)
    saved = _saved_bank(BankAgreementSchema().load(_body()), None, fund.id)
    return jsonify(_bank_body(saved.bank)), 201


@api_bp.put("/funds/<code>/banks/<int(max=2147483647):bank_id>")
@documented("修改合作银行", body=BankAgreementSchema, answer=BankAgreementOutSchema, problems=(403, 404, 422))
@token_required(Role.ADMIN, Role.PLATFORM)
def update_fund_bank(code: str, bank_id: int) -> Response:
    """Change a bank's agreement or contact at once; a new designated account is only proposed (``proposed``), in
    force when another administrator or operator confirms it (maker–checker, 第十七条). :raise 404: another fund's
    bank. :raise 422: every wrong field at once, or a change of the account already waiting."""
    fund = platform.fund_for(current_api_user(), code)
    bank = directory.bank(fund.id, bank_id)
    if bank is None:
        raise NotFound("未找到该合作银行")
    saved = _saved_bank(BankAgreementSchema().load(_body()), bank, fund.id)
    return jsonify(_bank_body(saved.bank))


@api_bp.get("/funds/<code>/bank-account-changes")
@documented("指定账户变更", answer=items_of(AccountChangeSchema), problems=(403, 404))
@token_required(Role.ADMIN, Role.OPERATOR)
def list_account_changes(code: str) -> Response:
    """The fund's changes of designated accounts: waiting ones first, then the latest decided.
    :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": AccountChangeSchema(many=True).dump(bank_accounts.changes(fund.id))})


@api_bp.post("/funds/<code>/bank-account-changes/<int(max=2147483647):change_id>/decision")
@documented(
    "确认或退回指定账户变更", body=AccountDecisionSchema, answer=AccountChangeSchema, problems=(403, 404, 409, 422)
)
@token_required(Role.ADMIN, Role.OPERATOR)
def decide_account_change(code: str, change_id: int) -> Response:
    """The checker confirms (the bank's designated account becomes the new one, and its officers are told) or sends
    back a change. :raise 404: another fund's. :raise 403: the one who proposed it (maker–checker).
    :raise 409: decided already."""
    user = current_api_user()
    platform.fund_for(user, code)
    data = AccountDecisionSchema().load(_body())
    change = bank_accounts.decide(user, change_id, data["confirm"], data["note"])
    return jsonify(AccountChangeSchema().dump(change))


# -- the fund's income distributed (R13, 第二十五条) -----------------------------------------------------------------


@api_bp.post("/funds/<code>/distributions")
@documented(
    "收益分配",
    body=DistributionCreateSchema,
    status=201,
    answer=DistributionResultSchema,
    problems=(400, 403, 404, 409, 422),
    idempotency="required",
)
@token_required(Role.ADMIN)
def create_distribution(code: str) -> Response:
    """The fee income not yet distributed, after tax, by capital share (R13), paid out at once if asked (money: an
    ``Idempotency-Key`` is required). :raise 404: another fund's. :raise 409: nothing to distribute, or today's run
    done already. :raise 422: a tax rate that is not one."""
    user = current_api_user()
    fund = platform.fund_for(user, code)

    def step() -> DistributionResult:
        data = DistributionCreateSchema().load(_body())
        return run_distribution(
            fund.id, clock.today(), parse_tax_rate(data["tax_rate"]), user, pay=data["pay"], bank_ref=data["bank_ref"]
        )

    def render(result: DistributionResult) -> dict[str, Any]:
        shown = {
            "id": result.distribution.id,
            "income": result.income,
            "tax": result.tax,
            "losses_covered": result.losses_covered,
            "shares": [{"contributor": c.name, "amount": share} for c, share in result.shares],
            "paid": result.paid,
        }
        body: dict[str, Any] = DistributionResultSchema().dump(shown)
        return body

    return run_idempotent(user, required=True, step=step, render=render, status=201)


@api_bp.post("/funds/<code>/distributions/payment")
@documented(
    "支付分配款及税费",
    body=DistributionPaymentSchema,
    answer=PaidSchema,
    problems=(400, 403, 404, 409, 422),
    idempotency="required",
)
@token_required(Role.ADMIN)
def pay_fund_distributions(code: str) -> Response:
    """Pay what earlier runs left payable (taxes, contributors' shares) from what is not reserved (money: an
    ``Idempotency-Key`` is required). :raise 404: another fund's. :raise 409: nothing payable, or not enough free."""
    user = current_api_user()
    fund = platform.fund_for(user, code)

    def step() -> Money:
        data = DistributionPaymentSchema().load(_body())
        return pay_distributions(fund.id, clock.today(), data["bank_ref"], user)

    return run_idempotent(user, required=True, step=step, render=lambda paid: PaidSchema().dump({"paid": paid}))


# -- the fund's people: access switched off or on, login limits lifted ------------------------------------------------


@api_bp.get("/funds/<code>/users")
@documented("转贷资金的用户", answer=items_of(FundPersonSchema), problems=(403, 404))
@token_required(Role.ADMIN)
def list_fund_users(code: str) -> Response:
    """The fund's staff and bank officers, and the users of the enterprises in its districts.
    :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": FundPersonSchema(many=True).dump(directory.users(fund.id))})


def _person(fund_id: int, user_id: int) -> User:
    person = directory.user_of(fund_id, user_id)
    if person is None:
        raise NotFound("未找到该用户")
    return person


@api_bp.patch("/funds/<code>/users/<int(max=2147483647):user_id>")
@documented("停用或启用用户", body=UserActiveSchema, answer=FundPersonSchema, problems=(403, 404, 422))
@token_required(Role.ADMIN)
def set_fund_user_active(code: str, user_id: int) -> Response:
    """Switched off, the user is signed out everywhere and every token of theirs revoked; nobody switches off
    themselves (403). :raise 404: not one of the fund's people."""
    actor = current_api_user()
    person = _person(platform.fund_for(actor, code).id, user_id)
    data = UserActiveSchema().load(_body())
    return jsonify(FundPersonSchema().dump(admin.set_active(actor, person, data["active"])))


@api_bp.delete("/funds/<code>/users/<int(max=2147483647):user_id>/limits")
@documented("解除登录限制", answer=LiftedSchema, problems=(403, 404))
@token_required(Role.ADMIN)
def lift_fund_user_limits(code: str, user_id: int) -> Response:
    """Every login limit on the user's account ends, from every address. :raise 404: not one of the fund's people."""
    actor = current_api_user()
    person = _person(platform.fund_for(actor, code).id, user_id)
    return jsonify(LiftedSchema().dump({"lifted": accounts.lift_limits(actor, person)}))


@api_bp.delete("/funds/<code>/users/<int(max=2147483647):user_id>/second-factor")
@documented("重置两步验证", status=204, problems=(403, 404))
@token_required(Role.ADMIN)
def reset_fund_user_second_factor(code: str, user_id: int) -> tuple[str, int]:
    """A user lost the phone and the recovery codes: their second factor off (if on), their sessions and tokens
    ended. :raise 404: not one of the fund's people."""
    actor = current_api_user()
    person = _person(platform.fund_for(actor, code).id, user_id)
    second_factor.reset(actor, person, address=request.remote_addr or "")
    return "", 204


# -- the e-mail queue ----------------------------------------------------------------------------------------------


@api_bp.get("/funds/<code>/mail")
@documented("未发出的邮件", answer=items_of(MailDeliverySchema), problems=(403, 404))
@token_required(Role.ADMIN)
def list_fund_mail(code: str) -> Response:
    """The fund's e-mail not sent yet (queued or failed), oldest first. :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": MailDeliverySchema(many=True).dump(mailer.pending(fund.id))})


@api_bp.post("/funds/<code>/mail/<int(max=2147483647):delivery_id>/requeue")
@documented("重新发送", answer=MailDeliverySchema, problems=(403, 404))
@token_required(Role.ADMIN)
def requeue_fund_mail(code: str, delivery_id: int) -> Response:
    """A failed e-mail goes back in the queue, due now, its attempts kept. :raise 404: another fund's, or not one
    that failed."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify(MailDeliverySchema().dump(mailer.requeue(delivery_id, fund.id)))
