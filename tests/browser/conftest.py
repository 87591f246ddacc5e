"""A live server on a migrated SQLite file and a real headless Chromium (Debian's), driven by Playwright.

Without Chromium the browser tests skip with the reason; under ``CI`` a missing browser is a failure.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from loanfund import clock
from loanfund.app import create_app
from loanfund.extensions import db
from tests.factories import cast

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artifacts" / "screenshots"
README_SHOTS = ROOT / "docs" / "screenshots"


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs the browser tests, and {reason}")
    pytest.skip(f"{reason}; install Debian's chromium (and fonts-noto-cjk) to run the browser tests")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    executable = chromium_path()
    if executable is None:
        _unavailable("no Chromium was found at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """The app on 127.0.0.1 with the cast of tests.factories (no applications) on a migrated SQLite file."""
    yield from _serve(tmp_path, lambda: None)


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[str]:
    """As ``live_server``, with 600 applications over the 150 days to today, bulk-made by bench/generate.py."""
    from bench.generate import generate

    yield from _serve(tmp_path, lambda: generate(600, end=clock.today(), days=150))


def _serve(tmp_path: Path, fill: Callable[[], object]) -> Iterator[str]:
    app = create_app(
        "test",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.db'}", "UPLOAD_DIR": str(tmp_path / "materials")},
    )
    with app.app_context():
        upgrade()
        cast()
        fill()
        db.session.remove()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@functools.cache
def _axe_script() -> str:
    """axe.min.js as bundled by axe-playwright-python (half a megabyte: read once for the session)."""
    from axe_playwright_python.sync_playwright import Axe

    return str(Axe().axe_script)


def _violations(page, options: dict[str, object]) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """axe-core's violations on the page as it stands (axe injected once per document)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    return list(page.evaluate("options => axe.run(document, options)", options)["violations"])


WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")
# What axe checks at each width. Colour contrast — two thirds of axe's time on a dense page — only at the wide one: no
# colour changes with the width, and what only the phone layout shows (the menu button) has no text to contrast.
AXE_OPTIONS = {
    "wide": {"resultTypes": ["violations"]},
    "phone": {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}},
}


def accessible(page, shot: str = "") -> None:  # type: ignore[no-untyped-def]
    """axe-core (bundled by axe-playwright-python, injected from disk: no network) on the page as it stands, at 1366
    and at 390 px wide: no serious or critical violation; at 390 px nothing wider than the screen (a table may scroll
    inside its own box, the page may not); one h1, no id twice. ``shot``: also save the phone view under that name."""
    refused = [m for m in getattr(page, "csp_refusals", []) if "Content Security Policy" in m]
    assert refused == [], f"{page.url}: the Content-Security-Policy refused {refused}"
    headings = page.locator("h1").count()
    assert headings == 1, f"{page.url} has {headings} h1"
    repeated = page.evaluate(
        "(() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);"
        " return Object.keys(seen).filter(k => seen[k] > 1); })()"
    )
    assert repeated == [], f"{page.url} repeats the ids {repeated}"
    original = page.viewport_size
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        violations = _violations(page, AXE_OPTIONS["phone" if viewport is PHONE else "wide"])
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in violations
            if v["impact"] in SERIOUS
        ]
        assert not bad, f"{page.url} at {viewport['width']} px:\n" + "\n".join(bad)
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{page.url} is {width} px wide at 390 px: it scrolls sideways"
            if shot:
                shoot(page, shot, readme=True)
    page.set_viewport_size(original)


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=WIDE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_refusals = []  # what Chromium reports refusing under the Content-Security-Policy (checked by accessible)
    page.on("console", lambda message: page.csp_refusals.append(message.text))
    yield page
    context.close()


def shoot(page, name: str, readme: bool = False) -> Path:  # type: ignore[no-untyped-def]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if readme and os.environ.get("UPDATE_SCREENSHOTS"):
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, README_SHOTS / f"{name}.png")
    return path
