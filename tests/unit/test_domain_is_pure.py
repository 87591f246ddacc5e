"""The domain core imports neither Flask nor SQLAlchemy (STYLE.md: layers you can see in the tree)."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "loanfund" / "domain"
FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "marshmallow", "wtforms", "loanfund.models", "loanfund.services")


def test_domain_modules_import_no_framework():
    offenders = []
    for path in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []


def test_no_float_in_the_domain():
    for path in DOMAIN.glob("*.py"):
        assert "float(" not in path.read_text(), path.name
