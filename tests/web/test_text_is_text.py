"""Issue 25, finding 1 at the door: one rule for every text field, web and API (``domain.text``) — control characters,
line separators and direction overrides are refused next to the field; what is kept is trimmed and in Unicode normal
form C."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund.domain.text import normalised, text_problem
from loanfund.extensions import db
from loanfund.models import Application, SignUp
from tests.api.conftest import Api
from tests.api.test_lifecycle_api import APPLY, bank_id
from tests.web.test_forms import REGISTER, feedback, post_form


@pytest.mark.parametrize(
    ("value", "multiline", "problem"),
    [
        ("连云港海润\x0b机械", False, "不能包含控制字符"),
        ("海润\x00", False, "不能包含空字符"),
        ("海润\u2028机械", False, "不能换行"),
        ("第一行\n第二行", False, "不能换行"),
        ("第一行\n第二行\t说明", True, None),
        ("第一行\u2029第二行", True, "不能包含控制字符"),
        ("海润\u202e司公", False, "不能包含改变文字方向的控制字符"),
        ("海润\x85", True, "不能包含控制字符"),
        ("连云港海润机械制造有限公司", False, None),
    ],
)
def test_the_rule(value: str, multiline: bool, problem: str | None) -> None:
    assert text_problem(value, multiline) == problem


def test_kept_in_normal_form_c() -> None:
    assert normalised("  e\u0301 ") == "\u00e9"


def test_the_sign_up_names_a_control_character_next_to_the_name(client, people) -> None:  # type: ignore[no-untyped-def]
    refused = post_form(client, "/register", REGISTER | {"name": "连云港海澜\x0b精密机械有限公司"})
    assert feedback(refused.get_data(as_text=True), "name") == ["不能包含控制字符"]
    assert db.session.scalars(select(SignUp)).all() == []


@pytest.mark.both_databases
def test_the_api_names_a_direction_override_and_keeps_normal_form_c(client, people, traveller) -> None:  # type: ignore[no-untyped-def]
    api = Api(client)
    refused = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "purpose": "归还\u202e贷款"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"purpose": ["不能包含改变文字方向的控制字符"]}
    made = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "purpose": " cafe\u0301 "})
    assert made.status_code == 201
    assert db.session.get(Application, made.get_json()["id"]).purpose == "caf\u00e9"  # type: ignore[union-attr]
