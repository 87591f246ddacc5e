"""`make lint` as part of `make test`: ruff (lint and format) over the tree, mypy --strict over the whole package
(issue 26: it covered the domain only; the pages relax two checks for WTForms and Flask-Login, which carry no types)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run make install (it is in the dev extra)")
    return str(path)


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["ruff-check", "ruff-format"])
def test_ruff(args):
    result = subprocess.run([tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_package():
    result = subprocess.run([tool("mypy")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_views_and_the_api_only_parse_call_and_render():
    """No SQL and no session in loanfund/web or loanfund/api: queries live in the services (issue 9)."""
    root = Path(__file__).resolve().parents[2] / "loanfund"
    offenders = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("web", "api")
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "select(" in line or "db.session" in line or "from loanfund.extensions import db" in line
    ]
    assert offenders == []
