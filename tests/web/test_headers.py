"""Headers on every answer (issue 13, part 1 of its headers and limits): no sniffing, no framing, no full referrer to
other sites, nothing signed-in kept in a cache; HTTPS pinned and a weak key or the debugger refused in production."""

from __future__ import annotations

import base64

from tests.conftest import DEMO_PASSWORD
from tests.integration.test_config import run_python

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": PAGE_POLICY,
    "Referrer-Policy": "same-origin",
}


def test_a_public_page_cannot_be_framed_or_sniffed_and_may_be_cached(client, people):
    response = client.get("/")
    assert {name: response.headers.get(name) for name in EVERYWHERE} == EVERYWHERE
    assert "no-store" not in (response.headers.get("Cache-Control") or "")
    assert "Strict-Transport-Security" not in response.headers  # not in development: no HTTPS there


def test_signed_in_pages_and_api_answers_are_never_stored(client, auth, people):
    auth.login("operator")
    for path in ("/home", "/applications"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Frame-Options"] == "DENY", path
    with client.get("/static/forms.js") as static:
        assert "no-store" not in (static.headers.get("Cache-Control") or "")
    basic = base64.b64encode(f"reviewer:{DEMO_PASSWORD}".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    answer = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_production_pins_https(tmp_path):
    result = run_python(
        "import wsgi; r = wsgi.app.test_client().get('/'); print(r.headers['Strict-Transport-Security'])",
        LOANFUND_CONFIG="production",
        SECRET_KEY="k" * 32,
        DATABASE_URL=f"sqlite:///{tmp_path}/p.db",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "max-age=31536000; includeSubDomains"


def test_production_refuses_a_short_secret_key_and_the_debugger(tmp_path):
    database = f"sqlite:///{tmp_path}/p.db"
    short = run_python("import wsgi", LOANFUND_CONFIG="production", SECRET_KEY=" ", DATABASE_URL=database)
    assert short.returncode == 1 and "Traceback" not in short.stderr
    assert "SECRET_KEY must be at least 32 characters of a random key" in short.stderr
    debug = run_python(
        "import wsgi", LOANFUND_CONFIG="production", SECRET_KEY="k" * 32, DATABASE_URL=database, FLASK_DEBUG="1"
    )
    assert debug.returncode == 1
    assert "the debugger (FLASK_DEBUG) must be off in production" in debug.stderr


def test_pages_allow_no_inline_script_or_style_and_files_only_forbid_framing(client, auth, people):
    """Before: no policy beyond frame-ancestors. The browser walk fails on any refusal Chromium reports, so the pages
    are known to live within it; every template is checked here for what the policy would refuse."""
    from pathlib import Path

    for template in Path("templates").rglob("*.html"):
        text = template.read_text()
        assert " style=" not in text, template
        assert " onclick=" not in text and " onchange=" not in text and " onsubmit=" not in text, template
        assert "<script>" not in text, template
    with client.get("/static/forms.js") as script:
        assert script.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert client.get("/guide").headers["Content-Security-Policy"] == PAGE_POLICY
