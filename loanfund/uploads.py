"""Files sent with a request, read once and closed (a large one is spooled to a temporary file by Werkzeug, which
stays open until closed): the web forms and the API read uploads the same way."""

from __future__ import annotations

from flask import request


def uploaded(field: str = "file") -> list[tuple[str, bytes]]:
    """Each file sent under ``field``: its name as sent and its content."""
    files = []
    for storage in request.files.getlist(field):
        try:
            files.append((storage.filename or "", storage.read()))
        finally:
            storage.close()
    return files
