"""Issue 25, finding 7: the API's document upload refused anything over 64 KB (a real scan got 413) while the web
form took it. A multipart upload now has the web form's limits; a JSON body keeps its 64 KB."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from loanfund.domain.lifecycle import State
from tests.flows import Flows

pytestmark = pytest.mark.both_databases

SCAN = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)  # a 3 MB scan


def upload(api, application_id: int, name: str, content: bytes):  # type: ignore[no-untyped-def]
    """A multipart body encoded here, as a client sends it (the test client would spool a large one to a temporary
    file it never closes)."""
    boundary, body = encode_multipart({"category": "financials", "file": FileStorage(io.BytesIO(content), name)})
    return api.client.post(
        f"/api/v1/applications/{application_id}/materials",
        data=body,
        headers=api.headers("ent1"),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_a_three_megabyte_scan_goes_up_through_the_api(api, flows: Flows) -> None:
    application = flows.to(State.SUBMITTED, documents=False)
    answer = upload(api, application.id, "财务报表-扫描件.pdf", SCAN)
    assert answer.status_code == 201, answer.get_json()
    assert [(m["filename"], m["size"]) for m in answer.get_json()["items"]] == [("财务报表-扫描件.pdf", len(SCAN))]


def test_a_file_over_ten_megabytes_is_refused_by_name_and_a_large_json_body_still_is(api, flows: Flows) -> None:
    application = flows.to(State.SUBMITTED, documents=False)
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    answer = upload(api, application.id, "大.pdf", big)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"] == {"file": ["文件不能超过 10 MB"]}
    json_body = api.post("ent1", "/applications", {"purpose": "x" * (70 * 1024)})
    assert json_body.status_code == 413
