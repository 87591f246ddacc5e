"""The caller's own account over the API, an enterprise's own details, and signing up and vetting (issue 27: what the
pages do, the API does): the same services as ``web.auth``, ``web.enterprise`` and ``web.vetting``."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file, url_for

from loanfund.api import api_bp
from loanfund.api.auth import checked_code, current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.errors import problem
from loanfund.api.schemas import (
    AccountSessionSchema,
    CodeSchema,
    EnrolmentSchema,
    EnterpriseDetailsSchema,
    EnterpriseSchema,
    IdentitySchema,
    NoticeSettingsSchema,
    PasswordChangeSchema,
    PasswordForgotSchema,
    PasswordResetSchema,
    RecoveryCodesSchema,
    SecondFactorSchema,
    SignUpCreateSchema,
    SignUpDecisionSchema,
    SignUpSchema,
)
from loanfund.domain.errors import NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.services.oversight import notices
from loanfund.services.people import enterprises, password_reset, second_factor, sessions, vetting
from loanfund.services.people.accounts import change_password, set_notices
from loanfund.uploads import uploaded

LICENCE_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "营业执照：PDF、JPG、PNG，10 MB 以内"}
    },
}


def _body() -> Any:
    return request.get_json(silent=True)


def _details(data: dict[str, Any]) -> enterprises.EnterpriseInput:
    return enterprises.EnterpriseInput(**{k: data[k] for k in EnterpriseDetailsSchema().fields if k in data})


# -- the caller's own account ------------------------------------------------------------------------------------------


@api_bp.put("/account/password")
@documented("修改密码", body=PasswordChangeSchema, problems=(422,))
@token_required()
def put_password() -> tuple[str, int]:
    """A new password; every session and every API token of the caller ends, this one too (sign in again).
    :raise 422: the current password wrong (or tried too often), or the new one too weak."""
    data = PasswordChangeSchema().load(_body())
    change_password(current_api_user(), data["current_password"], data["new_password"])
    return "", 204


@api_bp.put("/account/notices")
@documented("通知设置", body=NoticeSettingsSchema, answer=NoticeSettingsSchema, problems=(422,))
@token_required()
def put_notices() -> Response:
    """The caller's e-mail address and whether notices also go by e-mail (the inbox is always on).
    :raise 422: a malformed address, or e-mail wanted without one."""
    data = NoticeSettingsSchema().load(_body())
    user = set_notices(current_api_user(), data["email"], data["by_email"], data["mobile"], data["by_sms"])
    return jsonify(
        NoticeSettingsSchema().dump(
            {
                "email": user.email or "",
                "by_email": user.email_notices,
                "mobile": user.mobile or "",
                "by_sms": user.sms_notices,
            }
        )
    )


def _second_factor_state() -> dict[str, Any]:
    user = current_api_user()
    factor = second_factor.factor_of(user)
    state = "on" if factor else "pending" if second_factor.pending(user) else "off"
    return {
        "state": state,
        "confirmed_at": factor.confirmed_at if factor else None,
        "unused_recovery_codes": second_factor.unused_recovery_codes(user) if factor else 0,
        "required": second_factor.must_enrol(user),
    }


@api_bp.get("/account/second-factor")
@documented("两步验证状态", answer=SecondFactorSchema)
@token_required(*second_factor.ASKED_ROLES)
def get_second_factor() -> Response:
    """Whether the caller's second factor (TOTP) is on. :raise 403: an enterprise's or a bank's account."""
    return jsonify(SecondFactorSchema().dump(_second_factor_state()))


@api_bp.post("/account/second-factor")
@documented("开始启用两步验证", status=201, answer=EnrolmentSchema, problems=(403, 409))
@token_required(*second_factor.ASKED_ROLES)
def begin_second_factor() -> Response | tuple[Response, int]:
    """A new TOTP secret, to put into an authenticator app; the factor is on once a first code confirms it.
    :raise 409: it is on already (turn it off first)."""
    try:
        enrolment = second_factor.begin_enrolment(current_api_user())
    except NotAllowed as exc:
        return problem(409, detail=exc.message)
    return jsonify(EnrolmentSchema().dump({"secret": enrolment.secret, "uri": enrolment.uri})), 201


@api_bp.post("/account/second-factor/confirm")
@documented("确认启用两步验证", body=CodeSchema, answer=RecoveryCodesSchema, problems=(403, 404, 422))
@token_required(*second_factor.ASKED_ROLES)
def confirm_second_factor() -> Response:
    """The first code from the app turns it on; the recovery codes are answered this once.
    :raise 404: no enrolment begun. :raise 422: the code is wrong."""
    data = CodeSchema().load(_body())
    codes = second_factor.confirm_enrolment(current_api_user(), data["otp"], address=request.remote_addr or "")
    return jsonify(RecoveryCodesSchema().dump({"recovery_codes": codes}))


@api_bp.post("/account/second-factor/recovery-codes")
@documented("重新生成恢复码", answer=RecoveryCodesSchema, problems=(403, 422), second_factor=True)
@token_required(*second_factor.ASKED_ROLES)
def renew_recovery_codes() -> Response:
    """Ten new recovery codes, the old ones void, after the current code (``X-OTP``). :raise 422: the code wrong or
    missing, or the factor not on."""
    passed = checked_code("renew")
    codes = second_factor.renew_recovery_codes(current_api_user(), passed, address=request.remote_addr or "")
    return jsonify(RecoveryCodesSchema().dump({"recovery_codes": codes}))


@api_bp.delete("/account/second-factor")
@documented("停用两步验证", status=204, problems=(403, 422), second_factor=True)
@token_required(*second_factor.ASKED_ROLES)
def remove_second_factor() -> tuple[str, int]:
    """The caller turns their second factor off, after the current code (``X-OTP``). :raise 422: the code wrong or
    missing, or the factor not on."""
    passed = checked_code("remove")
    second_factor.remove(current_api_user(), passed, address=request.remote_addr or "")
    return "", 204


@api_bp.get("/account/sessions")
@documented("已登录的浏览器", answer=items_of(AccountSessionSchema))
@token_required()
def list_account_sessions() -> Response:
    """The caller's signed-in browsers (the API's own tokens: ``GET /api/v1/tokens``)."""
    return jsonify({"items": AccountSessionSchema(many=True).dump(sessions.open_sessions(current_api_user()))})


@api_bp.delete("/account/sessions/<int(max=2147483647):session_id>")
@documented("结束一个浏览器登录", problems=(404,))
@token_required()
def end_account_session(session_id: int) -> tuple[str, int]:
    """:raise 404: not an open session of the caller's."""
    sessions.end_one(current_api_user(), session_id)
    return "", 204


@api_bp.post("/messages/read")
@documented("全部消息标为已读")
@token_required()
def read_all_messages() -> tuple[str, int]:
    notices.mark_read(current_api_user())
    return "", 204


# -- an enterprise's own details -------------------------------------------------------------------------------------


@api_bp.put("/enterprises/me")
@documented("修改本企业信息（企业用户）", body=EnterpriseDetailsSchema, answer=EnterpriseSchema, problems=(403, 422))
@token_required(Role.ENTERPRISE)
def put_my_enterprise() -> Response:
    """The enterprise's details but its name, credit code and district (the platform's to change); its size is
    computed again. :raise 422: every wrong field at once."""
    data = EnterpriseDetailsSchema().load(_body())
    return jsonify(EnterpriseSchema().dump(enterprises.update(current_api_user(), _details(data))))


# -- signing up and vetting ------------------------------------------------------------------------------------------


@api_bp.post("/password/forgot")
@documented("忘记密码：发送重置链接", body=PasswordForgotSchema, status=202, problems=(422,), security="")
def request_password_reset() -> tuple[Response, int]:
    """As the 忘记密码 page: one answer whatever is named; the link goes to the account's e-mail address.
    :raise 422: nothing typed."""
    data = PasswordForgotSchema().load(_body())
    password_reset.request(
        data["identifier"],
        address=request.remote_addr or "",
        link=lambda token: url_for("auth.reset", token=token, _external=True),
    )
    return jsonify({"message": password_reset.ANSWER}), 202


@api_bp.post("/password/reset")
@documented("通过重置链接设置新密码", body=PasswordResetSchema, problems=(410, 422), security="")
def reset_password() -> tuple[str, int] | Response:
    """The token of the link, and the new password twice; every session and API token of the user ends.
    :raise 410: the link is unknown, used, replaced or expired. :raise 422: the new password too weak, or the two
    differ (the link stays good)."""
    data = PasswordResetSchema().load(_body())
    try:
        password_reset.reset(data["token"], data["new_password"], data["new_password_again"])
    except NotFound as exc:
        return problem(410, detail=exc.message, code=exc.code)
    return "", 204


@api_bp.post("/sign-ups")
@documented("企业注册（待审核）", body=SignUpCreateSchema, status=202, problems=(422, 429), security="")
def create_sign_up() -> Response | tuple[Response, int]:
    """An SME asks for its account, as on the sign-up page: whatever is registered already, a well-formed sign-up
    answers alike (a credit code or a user name is never confirmed here). Then sign in, upload the business licence
    (``POST /api/v1/sign-ups/me/licence``) and wait for the reviewer.

    :raise 422: every wrong field at once. :raise 429: too many sign-ups from here or under that credit code."""
    data = SignUpCreateSchema().load(_body())
    try:
        enterprises.register(
            data["username"], data["password"], data["email"], _details(data), address=request.remote_addr or ""
        )
    except NotAllowed as exc:
        return problem(429, detail=exc.message, code=exc.code)
    return jsonify({"message": "注册已提交：请登录后上传营业执照，待平台审核通过后即可申请"}), 202


@api_bp.get("/sign-ups/me")
@documented("本人的注册审核情况", answer=SignUpSchema, problems=(404,))
@token_required(Role.ENTERPRISE)
def my_sign_up() -> Response:
    """:raise 404: the caller did not sign up (an account the platform set up)."""
    record = vetting.own_sign_up(current_api_user())
    if record is None:
        raise NotFound("没有注册记录")
    return jsonify(SignUpSchema().dump(record))


@api_bp.post("/sign-ups/me/licence")
@documented("上传营业执照（注册审核）", form=LICENCE_FORM, answer=SignUpSchema, problems=(403, 413, 422))
@token_required(Role.ENTERPRISE)
def upload_my_licence() -> Response:
    """One file; a new one replaces the last, and a returned sign-up goes back to the reviewer.
    :raise 422: the file refused (its type, its size, too many uploads)."""
    files = uploaded("file")
    name, data = files[0] if len(files) == 1 else ("", b"")
    return jsonify(SignUpSchema().dump(vetting.attach_licence(current_api_user(), name, data)))


@api_bp.get("/sign-ups")
@documented("待审核的企业注册（受理审查人员）", answer=items_of(SignUpSchema), problems=(403,))
@token_required(Role.REVIEWER)
def list_sign_ups() -> Response:
    """Sign-ups waiting for the caller's fund — enterprises in the districts it serves — oldest first."""
    return jsonify({"items": SignUpSchema(many=True).dump(vetting.pending(current_api_user()))})


@api_bp.get("/sign-ups/<int(max=2147483647):sign_up_id>")
@documented("企业注册详情", answer=SignUpSchema, problems=(403, 404))
@token_required(Role.REVIEWER)
def get_sign_up(sign_up_id: int) -> Response:
    """:raise 404: no such sign-up, or not the caller's fund's to vet."""
    return jsonify(SignUpSchema().dump(vetting.sign_up_for(current_api_user(), sign_up_id)))


@api_bp.get("/sign-ups/<int(max=2147483647):sign_up_id>/licence")
@documented("下载营业执照", answer="application/octet-stream", problems=(404,))
@token_required(Role.REVIEWER, Role.ENTERPRISE)
def get_sign_up_licence(sign_up_id: int) -> Response:
    """The reviewer's to check, and the sign-up's own. :raise 404: another's, or none uploaded."""
    record, path = vetting.licence_file(current_api_user(), sign_up_id)
    return send_file(path, mimetype=record.licence_type, as_attachment=True, download_name=record.licence_name)


@api_bp.post("/sign-ups/<int(max=2147483647):sign_up_id>/decision")
@documented("审核企业注册", body=SignUpDecisionSchema, answer=SignUpSchema, problems=(403, 404, 409, 422))
@token_required(Role.REVIEWER)
def decide_sign_up(sign_up_id: int) -> Response:
    """Approved, the user may use the enterprise's account; returned, the user is told why and may upload again.
    :raise 404: not the caller's fund's. :raise 422: returned without a reason, or no licence to check."""
    user = current_api_user()
    vetting.sign_up_for(user, sign_up_id)  # another fund's: 404 before the body is read
    data = SignUpDecisionSchema().load(_body())
    return jsonify(SignUpSchema().dump(vetting.decide(user, sign_up_id, approve=data["approve"], note=data["note"])))


@api_bp.patch("/sign-ups/<int(max=2147483647):sign_up_id>/identity")
@documented("更正企业登记信息", body=IdentitySchema, answer=SignUpSchema, problems=(403, 404, 422))
@token_required(Role.REVIEWER)
def correct_sign_up_identity(sign_up_id: int) -> Response:
    """The reviewer corrects the enterprise's name, credit code or district (the audit record keeps before and
    after). :raise 404: not the caller's fund's. :raise 422: every wrong field at once."""
    user = current_api_user()
    vetting.sign_up_for(user, sign_up_id)
    data = IdentitySchema().load(_body())
    vetting.correct_identity(user, sign_up_id, vetting.Identity(data["name"], data["credit_code"], data["district"]))
    return jsonify(SignUpSchema().dump(vetting.sign_up_for(user, sign_up_id)))
