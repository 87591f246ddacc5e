"""`make lint` as part of `make test`: ruff (lint and format) over the tree, mypy --strict over the domain core."""

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


def test_mypy_strict_on_the_domain():
    result = subprocess.run([tool("mypy")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
