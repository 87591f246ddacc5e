"""Static files as phones want them (issue 30): each URL carries its content's hash and is kept a year; CSS and scripts
go compressed (Brotli, or gzip for an older client), pages and API answers never (they carry CSRF tokens and
secrets beside text a visitor chose: BREACH); the favicon is there."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli

STATIC = Path(__file__).resolve().parents[2] / "loanfund" / "static"


def _css_url(html: str) -> str:
    found = re.search(r'href="(/static/loanfund\.css\?v=[0-9a-f]{12})"', html)
    assert found is not None, "the page links its stylesheet with the file's version"
    return found.group(1)


def test_a_static_url_carries_its_contents_hash_and_is_kept_a_year(client, people):
    url = _css_url(client.get("/login").get_data(as_text=True))
    assert url.endswith(hashlib.sha256((STATIC / "loanfund.css").read_bytes()).hexdigest()[:12])
    kept = client.get(url)
    kept.close()
    assert kept.status_code == 200
    assert set(kept.headers["Cache-Control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    stale = client.get("/static/loanfund.css?v=000000000000")  # an old page's link: not kept a year
    stale.close()
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")


def test_css_and_scripts_go_compressed_and_pages_and_answers_never(client, people):
    url = _css_url(client.get("/login").get_data(as_text=True))
    original = (STATIC / "loanfund.css").read_bytes()
    sent = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert sent.headers["Content-Encoding"] == "br" and brotli.decompress(sent.data) == original
    older = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert older.headers["Content-Encoding"] == "gzip" and gzip.decompress(older.data) == original
    script = client.get("/static/money.js", headers={"Accept-Encoding": "br"})
    assert script.headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in client.get("/login", headers={"Accept-Encoding": "gzip, br"}).headers
    assert "Content-Encoding" not in client.get("/api/v1/funds", headers={"Accept-Encoding": "gzip, br"}).headers


def test_the_favicon_is_there(client, people):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data.startswith(b"\x00\x00\x01\x00")  # an ICO file
    icon.close()
    assert 'rel="icon" href="/static/favicon.ico?v=' in client.get("/login").get_data(as_text=True)
