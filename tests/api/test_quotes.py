"""POST /api/v1/quotes: the worked examples, and 422 problem+json naming the field for every bad input."""

import pytest

pytestmark = pytest.mark.both_databases


def post(client, body=None, **kwargs):
    return (
        client.post("/api/v1/quotes", json=body, **kwargs)
        if body is not None
        else client.post("/api/v1/quotes", **kwargs)
    )


def test_thirty_million_for_three_days(client):
    response = post(client, {"amount": "30000000.00", "days": 3})
    assert response.status_code == 200
    assert response.get_json() == {
        "amount": "30000000.00",
        "days": 3,
        "band": 1,
        "rates_permille": ["0.40", "0.45"],
        "fee": "37500.00",
        "total": "30037500.00",
        "needs_group_approval": False,
        "policy": "连政办发〔2018〕162号",
        "fund": "LYG",
        "fund_name": "连云港市中小企业应急转贷资金",
    }


def test_forty_million_for_two_days(client):
    body = post(client, {"amount": "40000000.00", "days": 2}).get_json()
    assert (body["fee"], body["band"], body["needs_group_approval"]) == ("32000.00", 1, False)


def test_one_fen_over_forty_million_needs_the_group(client):
    body = post(client, {"amount": "40000000.01", "days": 2}).get_json()
    assert (body["band"], body["rates_permille"], body["needs_group_approval"]) == (2, ["0.30", "0.35"], True)


def test_amount_with_separators_is_accepted(client):
    assert post(client, {"amount": "30,000,000.00", "days": 3}).get_json()["fee"] == "37500.00"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": "-1.00", "days": 3}, "amount", "金额必须大于零"),
        ({"amount": "0", "days": 3}, "amount", "金额必须大于零"),
        ({"amount": "abc", "days": 3}, "amount", "金额格式不正确，请填写数字，如 12,345.67"),
        ({"amount": 1e5, "days": 3}, "amount", '金额须写成文本形式，如 "30000000.00"，不接受浮点数'),
        ({"amount": "1e5", "days": 3}, "amount", "金额格式不正确，请填写数字，如 12,345.67"),
        ({"amount": "100.001", "days": 3}, "amount", "金额最多保留两位小数（精确到分）"),
        ({"amount": "100.00", "days": 0}, "days", "用款天数至少为 1 天"),
        ({"amount": "100.00", "days": 11}, "days", "用款天数不得超过 10 天"),
        ({"amount": "100.00", "days": "2"}, "days", "须为整数"),
        ({"amount": "100.00", "days": 2.5}, "days", "须为整数"),
        ({"amount": "100.00", "days": True}, "days", "须为整数"),
        ({"amount": None, "days": 2}, "amount", "此项不能为空"),
        ({"days": 2}, "amount", "此项为必填项"),
        ({"amount": "100.00"}, "days", "此项为必填项"),
        ([{"amount": "100.00", "days": 2}], "body", "请求体须为 JSON 对象"),
        ("just a string", "body", "请求体须为 JSON 对象"),
    ],
)
def test_bad_input_is_422_problem_json_naming_the_field(client, body, field, message):
    response = post(client, body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422
    assert problem["title"] == "提交的内容未通过校验"
    assert problem["errors"][field] == [message]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": "amount=1&days=2", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{not json", "content_type": "application/json"},
    ],
)
def test_no_json_at_all_is_422_naming_the_body(client, kwargs):
    response = post(client, **kwargs)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {"body": ["请求体须为 JSON 对象"]}


def test_both_bad_fields_are_named_at_once(client):
    problem = post(client, {"amount": "-5", "days": 12}).get_json()
    assert problem["errors"] == {"amount": ["金额必须大于零"], "days": ["用款天数不得超过 10 天"]}


def test_quotes_need_no_login_and_no_csrf_token(client):
    assert post(client, {"amount": "1000.00", "days": 1}).status_code == 200


def test_unknown_api_path_is_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_wrong_method_is_problem_json(client):
    response = client.get("/api/v1/quotes")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
