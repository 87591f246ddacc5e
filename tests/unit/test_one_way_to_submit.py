"""Issue 26: the web views repeated a try/claim/except shape for the submit-once token 28 times in 10 modules (some
discarding the work first, some not). Now ``web.submitting.submit_once`` is the one place that claims a form's token
and maps the refusals to the page; a view that claims or catches ``AlreadySubmitted`` itself fails here."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "loanfund" / "web"
ONE_PLACE = WEB / "submitting.py"


def test_no_view_claims_a_forms_token_or_catches_a_repeat_itself() -> None:
    copies = []
    for path in sorted(WEB.rglob("*.py")):
        if path == ONE_PLACE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if re.search(r"\bonce\.claim\(|except\s*\(?[^:]*\bAlreadySubmitted\b", code):
                copies.append(f"{path.relative_to(WEB)}:{number}: {line.strip()}")
    assert copies == []


def test_the_one_place_claims_then_runs_and_discards_every_refusal() -> None:
    text = ONE_PLACE.read_text(encoding="utf-8")
    assert text.count("once.claim(") == 1
    assert text.count("uow.discard()") == 4  # a repeat, a stale row, a field's error, any other refusal
