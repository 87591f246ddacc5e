"""The OpenAPI document is drawn from the URL map (issue 26). Before, 85 % of it was written by hand beside the
routes and it drifted: return-preparation was missing (so schemathesis never called it), authorise-disbursement had
no ``missing_materials_reason``, ``loan_type`` was no documented filter. Here the document is held against the URL
map — every route and method, the steps' route once per step written out — and each body and query against what
the view's own source reads (the schema it loads, the arguments it gets) or, for the steps, the inputs written out
by hand: a route, a parameter or a field that one has and the other lacks fails."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from loanfund.api import schemas
from tests.api.test_step_registry import INPUTS, MOVES_MONEY

PREFIX = "/api/v1"


@pytest.fixture
def document(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return client.get(f"{PREFIX}/openapi.json").get_json()


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(PREFIX))


def _routes(app) -> dict[tuple[str, str], Any]:  # type: ignore[no-untyped-def]
    """(path, method) -> the view's own function, for every route of the API; the steps' route once per step."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(f"{PREFIX}/"):
            continue
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            path = _path(rule.rule)
            for name in INPUTS if "{action_name}" in path else [None]:
                routes[(path.replace("{action_name}", name) if name else path, method.lower())] = view
    return routes


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, operations in document["paths"].items() for method in operations}


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _loaded(view: Any) -> tuple[type | None, type | None]:
    """The schema the view loads from its body, and from its query string, read off its source."""
    source = inspect.getsource(view)
    body = query = None
    for name, argument in re.findall(r"(\w+Schema)\(\)\.load\(([^\n]*)\)", source):
        if "request.args" in argument:
            query = getattr(schemas, name)
        else:
            body = getattr(schemas, name)
    return body, query


def _fields(schema: type) -> tuple[set[str], set[str]]:
    loaded = {n: f for n, f in schema().fields.items() if not f.dump_only}
    return set(loaded), {n for n, f in loaded.items() if f.required}


def test_every_route_is_in_the_document_and_nothing_else(app, document) -> None:  # type: ignore[no-untyped-def]
    routes = set(_routes(app))
    assert sorted(routes - _documented(document)) == []
    assert sorted(_documented(document) - routes) == []
    assert ("/applications/{application_id}/return-preparation", "post") in routes  # the one that drifted


def test_each_path_parameter_is_the_routes(app, document) -> None:  # type: ignore[no-untyped-def]
    for (path, method), _ in _routes(app).items():
        named = set(re.findall(r"\{(\w+)\}", path))
        parameters = document["paths"][path][method].get("parameters", [])
        assert {p["name"] for p in parameters if p["in"] == "path"} == named, (path, method)


def test_each_body_is_the_schema_its_view_loads(app, document) -> None:  # type: ignore[no-untyped-def]
    for (path, method), view in _routes(app).items():
        operation = document["paths"][path][method]
        step = path.rsplit("/", 1)[1] if view.__name__ == "application_action" else None
        body, _ = _loaded(view)
        if step is not None:
            names, required = INPUTS[step]
            expected: tuple[set[str], set[str]] | None = (set(names), set(required))
        else:
            expected = _fields(body) if body is not None else None
        if expected is None:
            assert "application/json" not in operation.get("requestBody", {}).get("content", {}), (path, method)
            continue
        documented = _resolved(document, operation["requestBody"]["content"]["application/json"]["schema"])
        assert set(documented["properties"]) == expected[0], (path, method)
        assert set(documented.get("required", [])) == expected[1], (path, method)


def test_a_multipart_body_is_the_form_its_view_reads(app, document) -> None:  # type: ignore[no-untyped-def]
    for (path, method), view in _routes(app).items():
        source = inspect.getsource(view)
        read = set(re.findall(r"request\.form\.get\(\"(\w+)\"", source)) | set(
            re.findall(r"uploaded\(\"(\w+)\"", source)
        )
        content = document["paths"][path][method].get("requestBody", {}).get("content", {})
        documented = (
            set(content["multipart/form-data"]["schema"]["properties"]) if "multipart/form-data" in content else set()
        )
        assert documented == read, (path, method)


def test_each_query_is_what_its_view_reads(app, document) -> None:  # type: ignore[no-untyped-def]
    for (path, method), view in _routes(app).items():
        source = inspect.getsource(view)
        _, query = _loaded(view)
        read = set(_fields(query)[0]) if query is not None else set()
        read |= set(re.findall(r"request\.args\.get\(\"(\w+)\"", source))
        read |= set(re.findall(r"_positive_int\(\"(\w+)\"", source))
        parameters = document["paths"][path][method].get("parameters", [])
        assert {p["name"] for p in parameters if p["in"] == "query"} == read, (path, method)


# the steps that ask their actor's second factor first (issue 30): letting money go, booking its loss
ASKS_CODE = {"authorise-disbursement", "write-off"}


def test_an_idempotency_key_is_documented_where_the_view_honours_one(app, document) -> None:  # type: ignore[no-untyped-def]
    for (path, method), view in _routes(app).items():
        source = inspect.getsource(view)
        headers = {
            p["name"]: p["required"]
            for p in document["paths"][path][method].get("parameters", [])
            if p["in"] == "header"
        }
        if view.__name__ == "application_action":
            step = path.rsplit("/", 1)[1]
            expected = {"Idempotency-Key": True} if step in MOVES_MONEY else {}
            if step in ASKS_CODE:
                expected["X-OTP"] = False  # required of a user whose second factor is on
        elif "run_idempotent(" in source:
            expected = {"Idempotency-Key": "required=True" in source}
        elif "OTP_HEADER" in source or "checked_code(" in source:
            expected = {"X-OTP": False}
        else:
            expected = {}
        assert headers == expected, (path, method)


def test_the_step_operations_say_the_step_and_who_takes_it(document) -> None:  # type: ignore[no-untyped-def]
    operation = document["paths"]["/applications/{application_id}/authorise-disbursement"]["post"]
    assert operation["summary"] == "复核放款（平台运营）"
    properties = _resolved(document, operation["requestBody"]["content"]["application/json"]["schema"])["properties"]
    assert properties["missing_materials_reason"]["maxLength"] == 2000
