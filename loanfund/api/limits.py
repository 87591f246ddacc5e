"""Bounds on what an API request may carry, checked before anything parses it.

A JSON body nested a thousand deep makes Python's parser raise ``RecursionError`` (a 500), and the API has no body
that needs more than a few kilobytes or a few levels: larger or deeper bodies are refused with problem+json. A document
upload (multipart) has the web form's limits instead.
"""

from __future__ import annotations

import re

from flask import Response, request

from loanfund.api import api_bp
from loanfund.api.errors import problem

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 16

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in ``raw`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', raw)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


@api_bp.before_request
def bounded_body() -> Response | None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if request.mimetype == "multipart/form-data":
        # documents: the web form's limits (MAX_CONTENT_LENGTH for the request, each file's and the upload's in
        # ``materials``); the 64 KB is for JSON bodies — real scans were refused with 413 (issue 25, finding 7)
        return None
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return problem(413, detail=f"请求体不能超过 {MAX_BODY_BYTES // 1024} KB")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        return problem(413, detail=f"请求体不能超过 {MAX_BODY_BYTES // 1024} KB")
    if json_depth(raw) > MAX_JSON_DEPTH:
        return problem(422, errors={"body": [f"JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层"]})
    return None
