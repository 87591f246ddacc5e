"""Issue 26: one lifecycle step was spread over about 470 lines of per-action tables and if-chains in 8 files. Now
each step is one module in ``services/lifecycle/steps`` and the domain's transition table holds its row; anywhere
else, naming a step — ``Action.APPROVE`` or the string ``"approve"`` in Python, a step's name in a template's
expression — fails here unless it is in the list below with the reason it is not a table of steps."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "loanfund"
TEMPLATES = ROOT / "templates"

# DESIGN §3's steps on an application, written out (submitting one is not a step on it).
STEPS = {
    "ACCEPT": "accept",
    "REJECT": "reject",
    "COMMIT": "commit",
    "DECLINE": "decline",
    "APPROVE": "approve",
    "GROUP_APPROVE": "group-approve",
    "GROUP_REJECT": "group-reject",
    "WITHDRAW": "withdraw",
    "CANCEL": "cancel",
    "PREPARE_DISBURSEMENT": "prepare-disbursement",
    "AUTHORISE_DISBURSEMENT": "authorise-disbursement",
    "RETURN_PREPARATION": "return-preparation",
    "CONFIRM_RENEWAL": "confirm-renewal",
    "CONFIRM_RETURN": "confirm-return",
    "OPEN_RECOVERY": "open-recovery",
    "WRITE_OFF": "write-off",
    "ARCHIVE": "archive",
}
HOMES = ("domain/lifecycle.py", "services/lifecycle/steps/")  # the transition table and the steps themselves

# (file, what it names) -> why it is not a table or an if-chain of steps
ALLOWED = {
    ("api/account.py", "approve"): "a sign-up's vetting decision (its body's field), not a step on an application",
    ("services/books/reconcile.py", "CONFIRM_RETURN"): "the bank-statement match looks up the return events it books",
    ("services/lifecycle/statement.py", "ARCHIVE"): "the statement written while archiving adds that line itself",
    ("services/applications/views.py", "ACCEPT"): "the credit findings' reviewer and moment are the acceptance event's",
    ("services/applications/receipts.py", "ACCEPT"): "a 受理回执 is made from the reviewer's decision event",
    ("services/applications/receipts.py", "REJECT"): "a 不予受理回执 is made from the reviewer's decision event",
    (
        "services/applications/materials.py",
        "accept",
    ): "the material checklist's stage (stored): needed before it",
    (
        "services/applications/materials.py",
        "commit",
    ): "the material checklist's stage (stored): needed before it",
    (
        "services/applications/materials.py",
        "approve",
    ): "the material checklist's stage (stored): needed before it",
    (
        "services/applications/materials.py",
        "authorise-disbursement",
    ): "the checklist's stage: needed before it",
    ("models/application.py", "accept"): "the material stages' CHECK constraint",
    ("models/application.py", "commit"): "the material stages' CHECK constraint",
    ("models/application.py", "approve"): "the material stages' CHECK constraint",
    ("models/application.py", "authorise-disbursement"): "the material stages' CHECK constraint",
    ("web/dissolution.py", "approve"): "not the step: the dissolution page's approval form, by its key",
    ("web/vetting/__init__.py", "approve"): "not the step: the vetting decision's button value",
}


def _named_in_python() -> set[tuple[str, str, int]]:
    found = set()
    for path in sorted(CODE.rglob("*.py")):
        where = path.relative_to(CODE).as_posix()
        if where.startswith(HOMES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Action":
                if node.attr in STEPS:
                    found.add((where, node.attr, node.lineno))
            elif isinstance(node, ast.Constant) and node.value in STEPS.values():
                found.add((where, node.value, node.lineno))
    return found


def test_no_step_is_named_outside_its_object_and_the_transition_table() -> None:
    named = _named_in_python()
    unexplained = sorted(f"{where}:{line}: {name}" for where, name, line in named if (where, name) not in ALLOWED)
    assert unexplained == []


def test_every_exception_is_still_needed() -> None:
    named = {(where, name) for where, name, _ in _named_in_python()}
    assert sorted(set(ALLOWED) - named) == []


def test_templates_do_not_branch_on_a_steps_name() -> None:
    names = "|".join(re.escape(v) for v in STEPS.values())
    quoted = re.compile(rf"""['"]({names})['"]""")
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for expression in re.finditer(r"\{[{%].*?[%}]\}", text, flags=re.S):
            for hit in quoted.finditer(expression.group(0)):
                line = text.count("\n", 0, expression.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {hit.group(0)}")
    assert found == []
