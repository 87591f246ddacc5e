"""``Idempotency-Key`` for POSTs (IETF httpapi idempotency-key draft).

The key is claimed by a unique insert in the same transaction as the change, and the answer is stored in that
transaction too (registered with the unit of work, ``services.uow.committing_with``), so a retry gets the first
answer and the change happens once. The same key with another body is 422; a retry while the first request still
holds the key is 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request

from loanfund.api.errors import problem
from loanfund.models import IdempotencyKey, User
from loanfund.services.people import once
from loanfund.services.uow import committing_with

HEADER = "Idempotency-Key"

T = TypeVar("T")


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    canonical = json.dumps([request.method, request.path, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.request_fingerprint != fingerprint:
        return problem(
            422,
            title="幂等键已用于另一请求",
            detail="同一 Idempotency-Key 不能用于内容不同的请求",
            errors={HEADER: ["该幂等键已用于内容不同的请求"]},
        )
    if row.response_status is None:
        return problem(409, title="相同请求正在处理中", detail="请稍后重试")
    response = jsonify(row.response_body)
    response.status_code = row.response_status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def run_idempotent(
    user: User,
    required: bool,
    step: Callable[[], T],
    render: Callable[[T], dict[str, Any]],
    status: int = 200,
    first: Callable[[], None] | None = None,
) -> Response:
    """Run ``step`` (a use case that ends with ``uow.finish``) once per key and answer with ``render``.

    A retry with a known key is answered from the store before anything else — even when the first request has
    since moved the application on; then ``first`` runs (what commits on its own before the step: its one-time code
    checked), before the key is claimed."""
    key = (request.headers.get(HEADER) or "").strip()
    if key and len(key) <= 255:
        existing = once.stored(user, key)
        if existing is not None:
            return _replay(existing, _fingerprint())
    if first is not None and (key or not required) and len(key) <= 255:
        first()
    if not key:
        if required:
            return problem(
                400,
                title="缺少 Idempotency-Key",
                detail="涉及资金划转的请求必须带 Idempotency-Key 请求头",
                errors={HEADER: ["此请求必须提供 Idempotency-Key"]},
            )
        response = jsonify(render(step()))
        response.status_code = status
        return response
    if len(key) > 255:
        return problem(400, errors={HEADER: ["Idempotency-Key 不能超过 255 个字符"]})
    fingerprint = _fingerprint()
    try:
        claim, earlier = once.claim_key(user, key, fingerprint)
    except once.InProgress:
        return problem(409, title="相同请求正在处理中", detail="请稍后重试")
    if claim is None:
        assert earlier is not None
        return _replay(earlier, fingerprint)

    def store(result: T) -> None:
        claim.response_status = status
        claim.response_body = render(result)

    with committing_with(store):
        step()
    response = jsonify(claim.response_body)
    response.status_code = status
    return response
