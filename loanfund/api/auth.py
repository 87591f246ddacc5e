"""API authentication: ``POST /tokens`` with HTTP Basic, then ``Authorization: Bearer <token>`` on every call."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request

from loanfund.api import api_bp
from loanfund.api.documented import OTP_HEADER, documented, items_of
from loanfund.api.errors import problem
from loanfund.api.schemas import TokenInfoSchema, TokenSchema
from loanfund.domain.errors import InvalidInput, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.models import User
from loanfund.services.people import second_factor, tokens
from loanfund.services.people.accounts import AuthenticationFailed
from loanfund.services.people.tokens import issue_token, token_for


def _unauthorised(detail: str) -> Response:
    response = problem(401, detail=detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="loanfund"'
    return response


def token_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs a valid bearer token; with ``roles``, the user must hold one of them (else 403)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _unauthorised("请在 Authorization 头中提供 Bearer 令牌")
            live = token_for(token.strip())
            if live is None:
                return _unauthorised("令牌无效、已过期或已吊销，请重新获取")
            user = live.user
            if roles and user.role_enum not in roles:
                return problem(403, detail=f"“{user.role_enum.label}”无权访问此接口")
            if not user.vetted and request.endpoint not in UNVETTED_ENDPOINTS:
                return problem(403, detail="企业注册尚待平台审核，审核通过后方可使用接口")
            g.api_user = user
            g.api_token_id = live.id
            return view(*args, **kwargs)

        return wrapper

    return decorate


# what an enterprise sign-up not yet vetted may still do with a token: see and revoke its tokens, follow its sign-up
UNVETTED_ENDPOINTS = frozenset(
    {
        "api.list_tokens",
        "api.revoke_current_token",
        "api.revoke_token",
        "api.my_sign_up",  # how its sign-up stands, and its business licence for the reviewer
        "api.upload_my_licence",
        "api.get_sign_up_licence",
    }
)


def current_api_user() -> User:
    user: User = g.api_user
    return user


def checked_code(purpose: str) -> second_factor.Passed:
    """The caller's one-time code from ``X-OTP``, checked for ``purpose`` (a step's name, or the factor's own page).

    :raise InvalidInput: missing, wrong or used — named by the header it came in."""
    try:
        return second_factor.check(
            current_api_user(),
            request.headers.get(OTP_HEADER, ""),
            purpose=purpose,
            address=request.remote_addr or "",
        )
    except InvalidInput as exc:
        raise InvalidInput({OTP_HEADER: exc.errors[second_factor.FIELD]}) from exc


@api_bp.post("/tokens")
@documented("获取访问令牌（HTTP Basic）", security="basic", status=201, answer=TokenSchema, second_factor=True)
def create_token() -> Response:
    """Exchange HTTP Basic credentials for a bearer token valid for 8 hours; a user whose second factor is on also
    sends the code from the authenticator app in ``X-OTP``.

    :raise 401: no or wrong credentials, or the account is locked.
    """
    credentials = request.authorization
    if credentials is None or credentials.type != "basic" or not credentials.username:
        response = problem(401, detail="请使用 HTTP Basic 认证提供用户名和密码")
        response.headers["WWW-Authenticate"] = 'Basic realm="loanfund"'
        return response
    try:
        token, expires_at = issue_token(
            credentials.username,
            credentials.password or "",
            address=request.remote_addr or "",
            code=request.headers.get(OTP_HEADER, ""),
        )
    except AuthenticationFailed as exc:
        response = problem(401, detail=exc.message)
        response.headers["WWW-Authenticate"] = 'Basic realm="loanfund"'
        return response
    response = jsonify(TokenSchema().dump({"token": token, "expires_at": expires_at}))
    response.status_code = 201
    return response


@api_bp.get("/tokens")
@documented("本人有效的访问令牌", answer=items_of(TokenInfoSchema))
@token_required()
def list_tokens() -> Response:
    """The caller's live tokens (the one in use marked ``current``)."""
    rows = tokens.live_tokens(current_api_user())
    items = [
        {
            "id": t.id,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "address": t.address,
            "current": t.id == g.api_token_id,
        }
        for t in rows
    ]
    return jsonify({"items": TokenInfoSchema(many=True).dump(items)})


@api_bp.delete("/tokens")
@documented("吊销当前令牌（退出）", status=204)
@token_required()
def revoke_current_token() -> Response:
    """Revoke the token this request carries (the API's logout)."""
    tokens.revoke(current_api_user(), g.api_token_id)
    return Response(status=204)


@api_bp.delete("/tokens/<int(max=2147483647):token_id>")
@documented("吊销本人的某个令牌", status=204, problems=(404,))
@token_required()
def revoke_token(token_id: int) -> Response:
    """Revoke one of the caller's own tokens. :raise 404: not a live token of the caller's."""
    try:
        tokens.revoke(current_api_user(), token_id)
    except NotFound as exc:
        return problem(404, detail=exc.message)
    return Response(status=204)
