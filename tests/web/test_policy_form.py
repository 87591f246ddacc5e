"""Policy versions on the web in full (issue 27): as many fee bands as the policy has (a fourth added on the page),
corrected with its reason and withdrawn before it takes effect, never once in force (R14)."""

from __future__ import annotations

from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import PolicyVersion
from tests.conftest import confirmation_values, form_tokens
from tests.web.test_forms import NEW_POLICY, feedback, post_form

# four bands as typed: ≤ 500万 0.30/0.40‰, < 1000万 0.25/0.35‰, < 2000万 0.20/0.30‰, beyond 0.15/0.25‰
FOUR_BANDS = {
    "bands-0-upper": "5,000,000.00",
    "bands-0-inclusive": "y",
    "bands-0-base": "0.30",
    "bands-0-extended": "0.40",
    "bands-1-upper": "10,000,000.00",
    "bands-1-base": "0.25",
    "bands-1-extended": "0.35",
    "bands-2-upper": "20,000,000.00",
    "bands-2-base": "0.20",
    "bands-2-extended": "0.30",
    "bands-3-base": "0.15",
    "bands-3-extended": "0.25",
}
NEXT_YEAR = NEW_POLICY | {"name": "连政规发〔2027〕1号", "effective_from": "2027-01-01"}
BANDS_TYPED = {k: v for k, v in NEXT_YEAR.items() if not k.startswith("bands-")}


def version(name: str) -> PolicyVersion:
    return db.session.scalars(select(PolicyVersion).where(PolicyVersion.name == name)).one()


def test_a_version_with_four_bands_is_added_corrected_and_withdrawn_on_the_web(client, people, auth):
    auth.login("admin")
    page = client.get("/admin/policies").get_data(as_text=True)
    assert 'id="bands-2-base"' in page and 'id="bands-3-base"' not in page  # three rows to begin with
    more = post_form(client, "/admin/policies", BANDS_TYPED | {"add_band": "y"})
    assert 'id="bands-3-base"' in more.get_data(as_text=True)  # one more row, nothing saved
    assert db.session.scalar(select(PolicyVersion.id).where(PolicyVersion.name == "连政规发〔2027〕1号")) is None
    shown = post_form(client, "/admin/policies", BANDS_TYPED | FOUR_BANDS, page="/admin/policies")
    html = shown.get_data(as_text=True)
    assert "第 4 档 0.15‰ / 0.25‰" in html
    assert client.post("/admin/policies", data=confirmation_values(html)).status_code == 302
    added = version("连政规发〔2027〕1号")
    assert [str(b["base_rate_permille"]) for b in added.parameters["bands"]] == ["0.30", "0.25", "0.20", "0.15"]

    url = f"/admin/policies/{added.id}"
    form = client.get(url).get_data(as_text=True)
    assert 'value="0.15"' in form and 'id="bands-3-base"' in form  # the version as it stands, its four bands
    unexplained = post_form(client, url, BANDS_TYPED | FOUR_BANDS | {"bands-3-base": "0.10"})
    assert feedback(unexplained.get_data(as_text=True), "reason") == ["此项为必填项"]
    corrected = post_form(client, url, BANDS_TYPED | FOUR_BANDS | {"bands-3-base": "0.10", "reason": "最高档费率更正"})
    assert client.post(url, data=confirmation_values(corrected.get_data(as_text=True))).status_code == 302
    db.session.expire_all()
    row = version("连政规发〔2027〕1号")
    assert (row.parameters["bands"][3]["base_rate_permille"], row.revision_reason) == ("0.10", "最高档费率更正")

    asked = post_form(client, f"{url}/withdrawal", {"reason": "市政府决定暂缓"}, page=url)
    assert "请确认：撤回政策版本" in asked.get_data(as_text=True)
    assert client.post(f"{url}/withdrawal", data=confirmation_values(asked.get_data(as_text=True))).status_code == 302
    db.session.expire_all()
    assert version("连政规发〔2027〕1号").withdrawal_reason == "市政府决定暂缓"
    listed = client.get("/admin/policies").get_data(as_text=True)
    assert "已撤回" in listed and f'href="{url}"' not in listed  # withdrawn: no longer open to change


def test_a_version_in_force_cannot_be_changed_on_the_web(client, people, auth):
    auth.login("admin")
    in_force = version("连政办发〔2018〕162号")
    page = client.get(f"/admin/policies/{in_force.id}").get_data(as_text=True)
    assert "已施行的政策版本不能更改或撤回（R14）" in page and 'name="reason"' not in page
    # a correction posted anyway (the tokens of the page's other form): refused by its state, beside the form
    tokens = form_tokens(client.get("/admin/policies").get_data(as_text=True), "/admin/policies")
    typed = BANDS_TYPED | FOUR_BANDS | {"reason": "想改", "confirmed": "1"}
    refused = client.post(f"/admin/policies/{in_force.id}", data=typed | tokens).get_data(as_text=True)
    assert "已施行的政策版本不能更改或撤回（R14）" in refused
    db.session.expire_all()
    assert version("连政办发〔2018〕162号").revised_at is None
