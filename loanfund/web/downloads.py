"""Files the pages hand out: one way to send bytes as a download with a Chinese file name (RFC 6266's filename*)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(filename)
    return response
