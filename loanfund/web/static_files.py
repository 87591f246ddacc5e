"""Static files as phones want them (issue 30): each URL carries its file's content hash (``?v=``), so a browser keeps
it for a year and asks again only when the file changed; CSS, scripts and icons go compressed — Brotli (Google's
``brotli``), or gzip for a client without it — each file compressed once and kept in memory; ``/favicon.ico`` is there.

Only static files: a page or an answer of the API is never compressed, as it carries CSRF tokens and secrets beside
text a visitor chose (BREACH)."""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, current_app, request, send_from_directory
from werkzeug.wrappers import Response

YEAR = 365 * 24 * 3600
VERSIONED = ("static", "bootstrap.static")
COMPRESSIBLE = frozenset(
    {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "image/vnd.microsoft.icon"}
)
MIN_SIZE = 500  # below this the headers cost more than is saved


@cache
def _digest(path: str, modified: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@cache
def _compressed(path: str, modified: float, encoding: str) -> bytes:
    data = Path(path).read_bytes()
    if encoding == "br":
        return bytes(brotli.compress(data, quality=11))
    return gzip.compress(data, compresslevel=9, mtime=0)


def _path(endpoint: str, filename: str) -> Path | None:
    if endpoint == "static":
        folder = current_app.static_folder
    else:
        blueprint = current_app.blueprints.get(endpoint.split(".", 1)[0])
        folder = blueprint.static_folder if blueprint is not None else None
    if folder is None or not filename:
        return None
    path = (Path(folder) / filename).resolve()
    return path if path.is_relative_to(Path(folder).resolve()) and path.is_file() else None


def version_of(endpoint: str, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (read again when the file's time changes), or None."""
    path = _path(endpoint, filename)
    return None if path is None else _digest(str(path), path.stat().st_mtime)


def _encoding(accepted: str) -> str | None:
    offered = {part.split(";")[0].strip().lower() for part in accepted.split(",")}
    return "br" if "br" in offered else "gzip" if "gzip" in offered else None


def register(app: Flask) -> None:
    @app.url_defaults
    def versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint in VERSIONED and "filename" in values and "v" not in values:
            version = version_of(endpoint, str(values["filename"]))
            if version is not None:
                values["v"] = version

    @app.after_request
    def as_phones_want(response: Response) -> Response:
        endpoint = request.endpoint or ""
        if endpoint not in VERSIONED and endpoint != "favicon":
            return response
        response.vary.add("Accept-Encoding")
        filename = "favicon.ico" if endpoint == "favicon" else str((request.view_args or {}).get("filename", ""))
        path = _path("static" if endpoint == "favicon" else endpoint, filename)
        if response.status_code != 200 or path is None:
            return response
        stat = path.stat()  # once: the version, the size and the compressed body all follow the file as it is now
        if endpoint != "favicon" and request.args.get("v") == _digest(str(path), stat.st_mtime):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        encoding = _encoding(request.headers.get("Accept-Encoding", ""))
        if encoding is None or response.mimetype not in COMPRESSIBLE or stat.st_size < MIN_SIZE:
            return response
        body = _compressed(str(path), stat.st_mtime, encoding)
        response.close()  # the file Flask opened to send
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}-{encoding}", weak=bool(weak))
        return response

    @app.get("/favicon.ico", endpoint="favicon")
    def favicon() -> Response:
        """Asked by every browser at the site's root, whatever the page says."""
        return send_from_directory(app.static_folder or "", "favicon.ico", max_age=7 * 24 * 3600)
