"""Materials belong to the application (issue 12): the checklist's required documents, the reason recorded when a step
goes on without them, the bank's and the operator's own uploads, and the enterprise's page in plain words."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Material, MaterialItem
from tests.conftest import confirm, confirmation_values, form_tokens
from tests.flows import PDF, Flows, attach
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback, post_form

MISSING_ALL = (
    "尚缺必需材料：营业执照、到期贷款合同、最近一期财务报表、企业征信报告。请补齐后再办理；如确需先行办理，请填写理由"
)


def findings(**changes: str) -> dict[str, str]:
    """The reviewer's credit check as typed on the accept form (第八条): nothing wrong found."""
    typed = {
        "credit_report_date": clock.today().isoformat(),
        "credit_adverse": "none",
        "credit_industry": "fits",
        "credit_operating": "good",
        "credit_check_note": "征信正常",
    }
    return typed | changes


def events_of(application_id: int) -> list[ApplicationEvent]:
    return list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.id)
        )
    )


def test_the_reviewer_cannot_accept_without_the_required_documents_unless_the_reason_is_recorded(
    client, people, auth, traveller
):
    """Issue 12, done when: nothing on file, no reason — refused next to the field, nothing recorded; with a reason —
    accepted, and the event keeps which documents were missing and why."""
    application = Flows(traveller).to(State.SUBMITTED, documents=False)
    page = f"/applications/{application.id}"
    auth.login("reviewer")
    html = client.get(page).get_data(as_text=True)
    assert "尚缺 5 项必需材料" in html  # three of the enterprise's, the reviewer's 征信 report, the bank's commitment
    refused = post_form(client, f"{page}/accept", findings(), page=page)
    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), "missing_materials_reason") == [MISSING_ALL]
    assert 'id="confirmation"' not in refused.get_data(as_text=True)
    assert [e.action for e in events_of(application.id)] == ["submit"]

    reason = "原件已现场核验，扫描件由企业今日补传"
    done = confirm(client, f"{page}/accept", findings(missing_materials_reason=reason), page)
    assert done.status_code == 302
    assert db.session.get(Application, application.id).state == State.ACCEPTED.value
    accepted = events_of(application.id)[-1]
    assert (accepted.action, accepted.actor.username) == ("accept", "reviewer")
    assert accepted.payload["missing_materials"] == ["营业执照", "到期贷款合同", "最近一期财务报表", "企业征信报告"]
    assert accepted.payload["missing_materials_reason"] == reason


def test_with_every_document_on_file_no_reason_is_asked(client, people, auth, traveller):
    application = Flows(traveller).to(State.SUBMITTED)  # the enterprise uploaded the three
    attach(people["reviewer"], application, ("credit_report",))  # and the reviewer the 征信 report
    page = f"/applications/{application.id}"
    auth.login("reviewer")
    assert confirm(client, f"{page}/accept", findings(), page).status_code == 302
    assert "missing_materials" not in events_of(application.id)[-1].payload


def test_the_bank_commits_with_its_signed_commitment_on_file_or_a_written_reason(client, people, auth, traveller):
    """Issue 23: the bank's commit needs its signed commitment (第十六条) on file, or why it commits without it — a
    bank that committed without it was then told there was nothing left for it to do."""
    flows = Flows(traveller)
    application = flows.to(State.ACCEPTED)
    page = f"/applications/{application.id}"
    commitment = {"committed_amount": "40,000,000.00", "opinion": "同意续贷"}
    auth.login("bank1")
    refused = post_form(client, f"{page}/commit", commitment, page=page)
    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), "missing_materials_reason") == [
        "尚缺必需材料：合作银行转贷承诺意见（签字盖章）。请补齐后再办理；如确需先行办理，请填写理由"
    ]
    assert db.session.get(Application, application.id).state == State.ACCEPTED.value
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'<option value="commitment">合作银行转贷承诺意见（签字盖章）</option>', html)
    assert 'value="licence"' not in html  # the enterprise's documents are the enterprise's to upload
    uploaded = client.post(
        f"{page}/materials",
        data=form_tokens(html, f"{page}/materials")
        | {"category": "commitment", "file": [(io.BytesIO(PDF), "承诺函-1.pdf"), (io.BytesIO(PDF), "承诺函-2.pdf")]},
    )
    assert uploaded.status_code == 302
    names = db.session.scalars(
        select(Material.filename).where(Material.application_id == application.id, Material.category == "commitment")
    ).all()
    assert sorted(names) == ["承诺函-1.pdf", "承诺函-2.pdf"]
    assert confirm(client, f"{page}/commit", commitment, page).status_code == 302
    auth.login("operator")
    approval = {"amount": "30,000,000.00", "own_funds_confirmed": "10,000,000.00"}
    assert confirm(client, f"{page}/approve", approval, page).status_code == 302
    assert db.session.get(Application, application.id).state == State.APPROVED.value


def test_a_commitment_without_its_document_records_why(people, traveller):
    from loanfund.domain.money import Money
    from loanfund.services import lifecycle

    flows = Flows(traveller)
    application = flows.to(State.ACCEPTED)
    reason = "承诺函原件已寄出，扫描件次日补传"
    lifecycle.commit(flows.user("bank1"), application.id, Money.parse("40,000,000.00"), "同意续贷", "", reason)
    event = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.action == "commit")).one()
    assert event.payload["missing_materials"] == ["合作银行转贷承诺意见（签字盖章）"]
    assert event.payload["missing_materials_reason"] == reason


def test_one_bad_file_among_several_stores_none(client, people, auth, traveller):
    application = Flows(traveller).to(State.SUBMITTED, documents=False)
    page = f"/applications/{application.id}"
    auth.login("ent1")
    html = client.get(page).get_data(as_text=True)
    response = client.post(
        f"{page}/materials",
        data=form_tokens(html, f"{page}/materials")
        | {"category": "licence", "file": [(io.BytesIO(PDF), "正本.pdf"), (io.BytesIO(b"MZ\x90"), "副本.pdf")]},
    )
    assert response.status_code == 422
    assert feedback(response.get_data(as_text=True), "file") == [
        "副本.pdf：文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件"
    ]
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def test_the_enterprise_reads_where_its_application_stands_without_rule_codes(client, people, auth, traveller):
    flows = Flows(traveller)
    application = flows.to(State.SUBMITTED, documents=False)
    page = f"/applications/{application.id}"
    auth.login("ent1")
    words = text_of(client.get(page).get_data(as_text=True))
    assert "当前进度 申请已提交，材料尚未齐全" in words
    assert "下一步 请上传：营业执照、到期贷款合同、最近一期财务报表。材料齐全后由平台初步审查资格和信用情况" in words
    assert "预计时间 须在贷款到期日 2026年11月3日 前放款，请留意进度" in words
    assert not re.search(r"\bR\d+\b", words)
    html = client.get(page).get_data(as_text=True)
    assert html.index('id="progress"') < html.index('id="action-withdraw"')  # 撤回 comes last, as a secondary
    assert re.search(r'<details class="card mt-3" id="action-withdraw"', html)

    disbursed = flows.to(State.DISBURSED)  # 30,000,000.00 out on 1 Nov; the first day's fee 12,000.00
    words = text_of(client.get(f"/applications/{disbursed.id}").get_data(as_text=True))
    assert "当前进度 资金已于 2026年11月1日 划入中国工商银行连云港分行指定账户" in words
    assert "预计时间 银行原则上在 2026年11月3日 前续贷；资金最迟 2026年11月11日 前收回" in words
    assert "应还款项 应归还本金 30,000,000.00 元、用款费用 12,000.00 元（费用按实际使用天数计，截至今日），" in words
    assert not re.search(r"\bR\d+\b", words)


def test_the_confirmation_carries_the_reason_to_the_step(client, people, auth, traveller):
    application = Flows(traveller).to(State.SUBMITTED, documents=False)
    page = f"/applications/{application.id}"
    auth.login("reviewer")
    shown = post_form(client, f"{page}/accept", findings(missing_materials_reason="现场核验"), page=page)
    words = text_of(shown.get_data(as_text=True))
    assert "缺少必需材料时仍予办理的理由 现场核验" in words
    client.post(f"{page}/accept", data=confirmation_values(shown.get_data(as_text=True)))
    assert events_of(application.id)[-1].payload["missing_materials_reason"] == "现场核验"


NEW_ITEM = {
    "code": "tax_certificate",
    "label": "完税证明",
    "provided_by": "enterprise",
    "needed_for": "accept",
    "required": "y",
    "active": "y",
    "position": "8",
}


def test_the_administrator_keeps_the_checklist(client, people, auth, traveller):
    auth.login("admin")
    html = client.get("/admin/materials").get_data(as_text=True)
    assert [label for label in re.findall(r'name="label"[^>]*value="([^"]+)"', html)] == [
        "营业执照",
        "到期贷款合同",
        "最近一期财务报表",
        "征信查询授权书",
        "企业征信报告",
        "合作银行转贷承诺意见（签字盖章）",
        "划款凭证",
        "其他材料",
    ]
    bad = post_form(client, "/admin/materials", {"code": "完税", "label": "", "position": "8"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "共 4 处需修改" in page
    assert feedback(page, "code") == ["代码用小写英文字母、数字和下划线，以字母开头，2–32 位"]
    assert feedback(page, "label") == ["请填写材料名称"]
    assert feedback(page, "provided_by") == ["请选择提供方"]
    assert feedback(page, "needed_for") == ["请选择何时需要"]
    assert post_form(client, "/admin/materials", NEW_ITEM).status_code == 302
    # the financial statements no longer required: 停用 the requirement, keep the item
    financials = db.session.scalar(select(MaterialItem).where(MaterialItem.code == "financials"))
    change = {"code": "financials", "label": "最近一期财务报表", "provided_by": "enterprise", "needed_for": "accept"}
    change |= {"active": "y", "position": "3"}
    saved = post_form(client, f"/admin/materials/{financials.id}", change, page="/admin/materials")
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(MaterialItem, financials.id).required is False

    application = Flows(traveller).to(State.SUBMITTED)  # licence, contract and financials on file
    page_url = f"/applications/{application.id}"
    auth.login("reviewer")
    refused = post_form(client, f"{page_url}/accept", {}, page=page_url)
    assert feedback(refused.get_data(as_text=True), "missing_materials_reason") == [
        "尚缺必需材料：企业征信报告、完税证明。请补齐后再办理；如确需先行办理，请填写理由"
    ]


def test_documents_go_with_the_application_form_and_commit_with_it(client, people, auth, tmp_path, app):
    """Issue 12: materials on the application form itself — several per item; one bad file and nothing is created,
    named beside its item with the rest of the form's problems."""
    from tests.web.test_forms import APPLY

    auth.login("ent1")
    files = {
        "documents-licence": [(io.BytesIO(PDF), "营业执照.pdf")],
        "documents-loan_contract": [(io.BytesIO(PDF), "合同-1.pdf"), (io.BytesIO(PDF), "合同-2.pdf")],
        "documents-financials": [(io.BytesIO(b"MZ\x90"), "报表.pdf")],
    }
    tokens = form_tokens(client.get("/applications/new").get_data(as_text=True), "/applications/new")
    refused = client.post("/applications/new", data=APPLY | tokens | {"requested_days": "11"} | files)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "共 2 处需修改" in html
    assert re.search(r'href="#documents-financials">最近一期财务报表：文件内容与扩展名不符', html)
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0

    files["documents-financials"] = [(io.BytesIO(PDF), "报表.pdf")]
    files = {k: [(io.BytesIO(PDF), name) for _, name in v] for k, v in files.items()}
    done = client.post("/applications/new", data=APPLY | tokens | files)
    assert done.status_code == 302
    application = db.session.scalar(select(Application))
    filed = db.session.execute(
        select(Material.category, Material.filename).where(Material.application_id == application.id)
    ).all()
    assert sorted(filed) == [
        ("financials", "报表.pdf"),
        ("licence", "营业执照.pdf"),
        ("loan_contract", "合同-1.pdf"),
        ("loan_contract", "合同-2.pdf"),
    ]
