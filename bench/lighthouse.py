"""Lighthouse (mobile: a mid-range phone on a slow 4G link, simulated) on six pages as their users meet them, against
the app served from this checkout on a file database with the browser tests' cast and 600 applications
(bench/generate.py) — issue 30's phone target: performance ≥ 95. Writes the table to ``docs/lighthouse.md``.

Run: ``make lighthouse`` (installs Lighthouse 13 from the npm registry into bench/.node, uses Debian's chromium).
A measurement, not a test: the figures vary a few points from run to run and machine to machine."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIGHTHOUSE = ROOT / "bench" / ".node" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)
# (who, path, what the page is) — the public guide and the login, then a page each for the enterprise, the operator
# and the group
PAGES = (
    (None, "/", "公开：资金介绍与测算"),
    (None, "/login", "登录"),
    ("ent1", "/home", "企业：我的申请"),
    ("operator", "/home", "运营：工作台"),
    ("operator", "/applications", "运营：申请列表"),
    ("group", "/home", "领导小组：首页"),
)


def serve(folder: Path) -> str:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from bench.generate import generate
    from loanfund import clock
    from loanfund.app import create_app
    from loanfund.extensions import db
    from tests.factories import cast

    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'lh.db'}", "UPLOAD_DIR": str(folder / "files")}
    )
    with app.app_context():
        upgrade()
        cast()
        generate(600, end=clock.today(), days=150)
        db.session.remove()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}"


def session_cookie(base: str, username: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    from tests.factories import PASSWORD

    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    landed = opener.open(f"{base}/login", data=form.encode())
    if not landed.geturl().endswith("/home"):
        sys.exit(f"{username} could not sign in: the pages would be the login page")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def measure(url: str, cookie: str | None) -> dict[str, object]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-path=/usr/bin/chromium",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True, timeout=300).stdout)
    if report["finalDisplayedUrl"] != url:
        sys.exit(f"{url} ended at {report['finalDisplayedUrl']}: not the page meant")
    audits = report["audits"]
    weak = [
        a["title"]
        for a in audits.values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("details", {}).get("type") == "opportunity"
    ]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "best": round(report["categories"]["best-practices"]["score"] * 100),
        "fcp": audits["first-contentful-paint"]["displayValue"],
        "lcp": audits["largest-contentful-paint"]["displayValue"],
        "tbt": audits["total-blocking-time"]["displayValue"],
        "cls": audits["cumulative-layout-shift"]["displayValue"],
        "weak": weak,
    }


def main() -> None:
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make lighthouse`")
    with tempfile.TemporaryDirectory() as folder:
        base = serve(Path(folder))
        rows = []
        for who, path, label in PAGES:
            cookie = session_cookie(base, who) if who else None
            found = measure(base + path, cookie)
            print(f"{label:<16} {path:<16} {found}", flush=True)
            rows.append((label, who or "—", path, found))
    lines = [
        "# Lighthouse on six pages (issue 30)",
        "",
        f"Measured {date.today().isoformat()} by `make lighthouse` (bench/lighthouse.py): Lighthouse 13, mobile (a",
        "mid-range phone on a slow 4G link, simulated), Debian's chromium, the app from this checkout on SQLite with",
        "the browser tests' cast and 600 applications. Figures move a few points between runs and machines.",
        "",
        "| Page | Who | Path | Performance | Accessibility | Best practices | FCP | LCP | TBT | CLS | Still to gain |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, who, path, f in rows:
        weak = "; ".join(f["weak"]) or "—"  # type: ignore[arg-type]
        lines.append(
            f"| {label} | {who} | `{path}` | {f['performance']} | {f['accessibility']} | {f['best']} | {f['fcp']} "
            f"| {f['lcp']} | {f['tbt']} | {f['cls']} | {weak} |"
        )
    (ROOT / "docs" / "lighthouse.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("written docs/lighthouse.md")


if __name__ == "__main__":
    main()
