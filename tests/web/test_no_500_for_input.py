"""Issue 25, finding 8: input that answered 500 — days outside any calendar the database and date arithmetic handle,
ids beyond the database's integers, a NUL, control characters, digits of other scripts — is refused next to its
field (or said plainly), on both databases."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.conftest import csrf_token
from tests.flows import Flows
from tests.web.test_forms import feedback

pytestmark = pytest.mark.both_databases

OUT_OF_RANGE = "日期须在 1900-01-01 至 2199-12-31 之间"


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"submitted_from": "0001-01-01"}, "submitted_from", OUT_OF_RANGE),
        ({"submitted_to": "9999-12-31"}, "submitted_to", OUT_OF_RANGE),
        ({"bank_id": "99999999999"}, "bank_id", "不是有效的选择"),
        ({"district": "haizhou\x00"}, "district", "不是有效的选择"),
        ({"size": "micro\x00"}, "size", "不是有效的选择"),
    ],
)
@pytest.mark.parametrize("path", ["/applications", "/applications/export.xlsx"])
def test_a_list_filter_the_database_cannot_take_is_named(client, auth, flows: Flows, path, args, field, message):  # type: ignore[no-untyped-def]
    flows.submit()
    auth.login("operator")
    response = client.get(path, query_string=args)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert [m.rstrip("。") for m in feedback(response.get_data(as_text=True), field)] == [message]


def test_control_characters_in_the_export_filter_are_named(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    flows.submit()
    auth.login("operator")
    response = client.get("/applications/export.xlsx", query_string={"q": "海润\x0b\x1b"})
    assert response.status_code == 422
    assert feedback(response.get_data(as_text=True), "q") == ["不能包含控制字符"]


@pytest.mark.parametrize("target", ["session:²", "session:99999999999999999999", "token:١٢", "token:99999999999999"])
def test_ending_a_session_by_a_number_the_page_never_wrote_says_so(client, auth, flows: Flows, target: str) -> None:  # type: ignore[no-untyped-def]
    auth.login("ent1")
    token = csrf_token(client.get("/account/sessions").get_data(as_text=True))
    answer = client.post("/account/sessions", data={"csrf_token": token, "target": target}, follow_redirects=True)
    assert answer.status_code == 200
    assert "没有这个会话" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [("submitted_from=0001-01-01", "submitted_from"), ("submitted_to=9999-12-31", "submitted_to")],
)
def test_the_api_names_a_day_out_of_range(client, flows: Flows, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    answer = Api(client).get("operator", f"/applications?{query}")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"] == {field: [OUT_OF_RANGE]}
