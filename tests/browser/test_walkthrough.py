"""One application from the enterprise's registration to the archive, in a real browser, each role in turn."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import accessible, shoot
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    if username == "reviewer":  # the login page, once
        accessible(page)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home$"))
    accessible(page)


def visit(page, url: str, shot: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    accessible(page, shot)


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.click("nav button:has-text('退出')")
    page.wait_for_url(re.compile(r"/login$"))


def step(page, action: str, fields: dict[str, str] | None = None, shot: str = "") -> None:  # type: ignore[no-untyped-def]
    """Fill a step's card and press it; read the confirmation it answers with (saved as ``shot``); press 确认."""
    card = page.locator(f"#action-{action}")
    for name, value in (fields or {}).items():
        control = card.locator(f"[name={name}]")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    card.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#confirmation").count() == 1, page.content()[:2000]
    accessible(page)
    if shot:
        shoot(page, shot, readme=True)
    page.locator("#confirm-button").click()
    page.wait_for_load_state("load")
    assert page.locator(".alert-success").count() == 1, page.content()[:2000]


@pytest.mark.long(sqlite=80)
def test_registration_to_archive(page, live_server, tmp_path):  # type: ignore[no-untyped-def]
    base = live_server
    visit(page, f"{base}/")
    page.fill("#amount", "30,000,000.00")
    page.fill("#days", "3")
    page.wait_for_function("() => document.querySelector('[data-quote=fee]').textContent.trim() === '37,500.00'")
    shoot(page, "01-calculator")

    # 企业注册
    visit(page, f"{base}/register")
    page.fill("#name", "连云港海澜精密机械有限公司")
    page.fill("#credit_code", "91320703MA1MB4FT6K")
    page.select_option("#district", "lianyun")
    page.select_option("#industry", "industry")
    page.fill("#employees", "350")
    page.fill("#revenue", "60,000,000.00")
    page.fill("#assets", "45,000,000.00")
    page.fill("#contact_name", "王会计")
    page.fill("#contact_phone", "0518-8000 0000")
    page.fill("#email", "finance@hailan.example")
    page.fill("#username", "hailan")
    page.fill("#password", "hailan-pass-1")
    page.fill("#confirm", "hailan-pass-1")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('注册申请已提交')")
    accessible(page)

    # 上传营业执照，平台审核后方可申请
    login(page, base, "hailan", "hailan-pass-1")
    assert "请上传营业执照" in page.content()
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)
    page.set_input_files("#file", str(licence))
    page.click("button:has-text('上传')")
    page.wait_for_selector("text=营业执照已上传，等待平台审核")
    accessible(page)
    logout(page)
    login(page, base, "reviewer")
    assert "有 1 个企业注册待审核" in page.content()
    visit(page, f"{base}/sign-ups")
    page.click("text=连云港海澜精密机械有限公司")
    page.wait_for_selector("h1:has-text('企业注册审核：')")
    accessible(page)
    page.click("button:has-text('核对无误，通过')")
    page.wait_for_url(re.compile(r"/sign-ups$"))
    logout(page)
    login(page, base, "hailan", "hailan-pass-1")
    visit(page, f"{base}/enterprise")
    assert page.locator("#size").inner_text() == "中型企业"
    visit(page, f"{base}/home")
    shoot(page, "02-enterprise-home")

    # 在线申请：四处错误一次说全
    page.click("text=申请应急转贷资金")
    accessible(page)
    page.select_option("#bank_id", label="中国工商银行连云港分行")
    page.fill("#loan_amount_due", "10,000,000.00")
    page.fill("#loan_due_date", (date.today() - timedelta(days=3)).isoformat())  # already passed
    page.fill("#requested_amount", "8,000,000.00")
    page.fill("#requested_days", "12")  # more than 10
    page.fill("#own_funds", "1,000,000.00")  # 1,000,000.00 short; and no contract number
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("#error-summary")
    summary = page.locator("#error-summary")
    assert summary.locator("div").first.inner_text() == "共 4 处需修改"
    assert summary.locator("a").count() == 4
    for field in ("loan_contract_no", "loan_due_date", "requested_days", "own_funds"):
        assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true", field
    accessible(page)

    # 改正后提交，费用随输入估算；双击只生成一笔申请
    page.fill("#loan_contract_no", "工银借字2025第0999号")
    page.select_option("#mortgage", "house")  # the renewal involves a house mortgage (第二十七条)
    page.fill("#loan_due_date", (date.today() + timedelta(days=30)).isoformat())
    page.fill("#requested_days", "3")
    page.fill("#own_funds", "2000000")  # typed without separators: they appear on leaving the box
    page.locator("#own_funds").blur()
    page.wait_for_function("() => document.querySelector('#own_funds').value === '2,000,000.00'")
    page.wait_for_function(
        "() => document.querySelector('#requested_amount-words').textContent === '合 800.00 万元 · 人民币捌佰万元整'"
    )
    page.wait_for_function("() => document.querySelector('[data-estimate=fee]').textContent.trim() === '10,000.00'")
    shoot(page, "03-apply")
    page.dblclick("button:has-text('提交申请')")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    detail_url = page.url
    files = {}
    for name in ("营业执照.pdf", "借款合同-第1页.pdf", "借款合同-第2页.pdf"):
        files[name] = tmp_path / name
        files[name].write_bytes(PDF)
    wrong = tmp_path / "报表.docx"
    wrong.write_bytes(b"PK\x03\x04")
    # checked in the browser before anything travels
    page.select_option("#upload-category", "financials")
    page.set_input_files("#upload-file", str(wrong))
    assert page.locator("#upload-file-feedback").inner_text() == "只接受 PDF、JPG、PNG 格式的文件"
    page.select_option("#upload-category", "licence")
    page.set_input_files("#upload-file", str(files["营业执照.pdf"]))
    page.click("button:has-text('上传')")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    page.wait_for_selector("text=材料已上传")
    page.select_option("#upload-category", "loan_contract")  # two files at once
    page.set_input_files("#upload-file", [str(files["借款合同-第1页.pdf"]), str(files["借款合同-第2页.pdf"])])
    page.click("button:has-text('上传')")
    page.wait_for_selector("text=已上传 2 个文件")
    accessible(page)  # the page the upload answered with
    visit(page, f"{base}/applications")
    assert page.locator("table tbody tr").count() == 1  # the double click made one application
    page.goto(detail_url)
    # still missing: the financial statements (the enterprise's), the platform's 征信 report, the bank's commitment
    assert page.locator("#materials-missing").inner_text() == "尚缺 3 项必需材料"
    shoot(page, "sme-application", readme=True)
    logout(page)

    # 平台受理
    login(page, base, "reviewer")
    assert "连云港海澜精密机械有限公司" in page.locator("#q-submitted").inner_text()
    shoot(page, "04-workbench-reviewer")
    visit(page, detail_url)
    report = tmp_path / "企业征信报告.pdf"  # the platform queries the 征信 system and files the report
    report.write_bytes(PDF)
    page.select_option("#upload-category", "credit_report")
    page.set_input_files("#upload-file", str(report))
    page.click("button:has-text('上传')")
    page.wait_for_selector("text=材料已上传")
    card = page.locator("#action-accept")
    card.locator("[name=credit_check_note]").fill("人行征信无不良记录")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    # every finding not chosen, and the missing statements, at once next to their fields
    assert page.locator("#accept-credit_adverse-feedback").inner_text() == "请选择不良信用记录情况"
    assert page.locator("#accept-credit_report_date-feedback").inner_text() == "请填写征信报告日期"
    assert "尚缺必需材料：最近一期财务报表" in page.locator("#accept-missing_materials_reason-feedback").inner_text()
    accessible(page)
    findings = {
        "credit_report_date": date.today().isoformat(),
        "credit_adverse": "none",
        "credit_industry": "fits",
        "credit_operating": "good",
        "credit_check_note": "人行征信无不良信用记录；属鼓励类制造业；生产经营正常",
        "missing_materials_reason": "财务报表已核原件，扫描件由企业后补",
    }
    step(page, "accept", findings, shot="credit-check-confirmation")
    assert page.locator("#credit-check").count() == 1
    logout(page)

    # 合作银行出具转贷承诺
    login(page, base, "bank1")
    assert "连云港海澜精密机械有限公司" in page.locator("#q-to_commit").inner_text()
    shoot(page, "04b-bank-desk")
    visit(page, detail_url)
    # the platform's credit check, forwarded with the application (第十五条)
    assert "无不良信用记录" in page.locator("#credit-check").inner_text()
    page.locator("#credit-check").scroll_into_view_if_needed()
    shoot(page, "credit-check")
    commitment = tmp_path / "转贷承诺函.pdf"
    commitment.write_bytes(PDF)
    page.select_option("#upload-category", "commitment")
    page.set_input_files("#upload-file", str(commitment))
    page.click("button:has-text('上传')")
    page.wait_for_selector("text=材料已上传")
    # the card's 80 % hint follows the amount as it is typed (issue 23): 8,000,000.00 would leave the SME short
    page.locator("#action-commit [name=committed_amount]").fill("8,000,000.00")
    page.locator("#note-commit", has_text="可借 6,400,000.00 元").wait_for()
    assert "企业还需另筹 1,600,000.00 元" in page.locator("#note-commit").inner_text()
    assert "alert-warning" in (page.locator("#note-commit").get_attribute("class") or "")
    step(page, "commit", {"committed_amount": "10,000,000.00", "opinion": "同意到期后按原条件续贷"})
    assert "绿色通道函尚未开具" in page.locator("#green-channel").inner_text()
    logout(page)

    # 平台开具绿色通道函（第二十七条），银行和企业可见
    login(page, base, "operator")
    visit(page, detail_url)
    page.locator("#green-channel button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#confirmation").count() == 1
    accessible(page, "green-channel-confirmation")
    page.locator("#confirm-button").click()
    page.wait_for_load_state("load")
    assert "已开具绿色通道函 绿通〔" in page.locator(".alert-success").inner_text()
    logout(page)
    login(page, base, "bank1")
    visit(page, detail_url)
    letter = page.locator("#green-channel")
    assert "函号\n绿通〔" in letter.inner_text() and "住房和城乡建设局" in letter.inner_text()
    letter.scroll_into_view_if_needed()
    shoot(page, "green-channel")
    with page.expect_download() as download:
        letter.locator("a:has-text('下载绿色通道函')").click()
    assert download.value.suggested_filename.startswith("绿色通道函-绿通〔")
    logout(page)

    # 平台审批、制单
    login(page, base, "operator")
    shoot(page, "workbench", readme=True)
    visit(page, detail_url)
    assert page.locator("#rule-checks").inner_text().count("✗") == 0
    step(page, "approve")  # the form is pre-filled with the most the rules allow
    step(page, "prepare-disbursement", {"transfer_ref": "HK-0001"})
    shoot(page, "detail", readme=True)
    assert page.locator("#action-authorise-disbursement").count() == 0  # not for the maker
    logout(page)

    # 另一位运营人员复核放款
    login(page, base, "operator2")
    visit(page, detail_url)
    step(page, "authorise-disbursement", shot="confirmation")
    assert "已放款" in page.content()
    visit(page, f"{base}/fund/risk")  # the only bridge out holds all the money out: a concentration warning
    assert "资金集中度" in page.content()
    assert "该企业在外资金 8,000,000.00 元，占全部在外资金 8,000,000.00 元的 100.0%（预警线 30%）" in page.content()
    shoot(page, "11-risk")
    logout(page)

    # 银行确认续贷并划回资金（应收金额已预填）
    login(page, base, "bank1")
    visit(page, detail_url)
    step(page, "confirm-renewal", {"new_loan_contract_no": "工银借字2026第1001号"})
    step(page, "confirm-return", {"transfer_ref": "HS-0001"})
    assert "已收回" in page.content()
    # asked to commit; the green-channel letter (read on the page, not in the inbox); approved; the disbursement
    assert page.locator("#inbox-link .badge").inner_text() == "4"
    page.click("#inbox-link")
    accessible(page)
    assert "放款通知" in page.content() and "人民币捌佰万元整" in page.content()
    shoot(page, "10-inbox")
    logout(page)

    # 平台归档
    login(page, base, "operator")
    visit(page, detail_url)
    step(page, "archive")
    assert "已归档" in page.content()
    shoot(page, "05-archived")
    accessible(page, shot="phone-detail")  # the detail page at 390 px: label and value, nothing off the screen
    page.click("text=使用情况说明表")
    page.wait_for_url(re.compile(r"/statement$"))
    assert "人民币捌佰万元整" in page.content()
    accessible(page, shot="phone-statement")
    shoot(page, "05b-usage-statement")
    logout(page)

    # 领导小组与管理员
    login(page, base, "group")
    shoot(page, "06-group-dashboard")
    visit(page, f"{base}/fund/reconciliation")
    assert "对账一致" in page.content()
    shoot(page, "07-reconciliation")
    logout(page)
    login(page, base, "admin")
    visit(page, f"{base}/admin/users")
    assert "hailan" in page.content()
    shoot(page, "08-admin-users")


def test_the_workbench_reads_on_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    try:
        login(page, live_server, "operator")
        assert page.locator(".navbar-toggler").is_visible()  # the menu folds away
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the page scrolls sideways ({width}px)"
        shoot(page, "09-phone-workbench")
    finally:
        context.close()


def test_the_leading_group_reads_the_monthly_analysis(page, busy_server):  # type: ignore[no-untyped-def]
    """The last month's analysis with its charts, its print layout, and the staff's filtered list (issue 11)."""
    base = busy_server
    login(page, base, "group")
    page.click("nav >> text=月度分析")
    page.wait_for_url(re.compile(r"/reports/monthly/\d{4}/\d{1,2}$"))
    assert page.locator("h1").inner_text().endswith("使用情况分析")
    for chart in ("专用账户每日余额（万元）", "各合作银行放款金额（万元）", "申请金额按企业规模"):
        svg = page.locator(f'svg[aria-label="{chart}"]')
        assert svg.is_visible() and svg.bounding_box()["height"] > 40, chart  # drawn, not empty
    assert page.locator("#summary tbody tr").count() == 10  # income earned and income distributed on lines of their own
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the report scrolls sideways ({width}px)"
    shoot(page, "12-monthly-report", readme=True)
    accessible(page)
    assert not page.locator("#daily").is_visible()  # folded on the screen…
    page.emulate_media(media="print")
    assert page.locator("#daily").is_visible()  # …and printed with every other table (issue 23)
    shoot(page, "12b-monthly-report-print")
    page.emulate_media(media="screen")
    logout(page)

    login(page, base, "operator")
    visit(page, f"{base}/applications")
    page.select_option("#state", "archived")
    page.fill("#amount_min", "1,000,000.00")
    page.locator("#amount_min-words", has_text="合 100.00 万元").wait_for()  # the echo has come, the form stands still
    page.click("#list-filters button[type=submit]")
    page.wait_for_url(re.compile(r"state=archived"))
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    assert all("已归档" in rows.nth(i).inner_text() for i in range(min(rows.count(), 10)))
    assert page.locator("#list-export").is_visible()
    shoot(page, "13-filtered-list", readme=True)


def test_the_administrator_filters_the_audit_record(page, live_server):  # type: ignore[no-untyped-def]
    """The audit page was out of the walk, and its hashes' code text failed axe's contrast check."""
    login(page, live_server, "admin")
    visit(page, f"{live_server}/audit")
    assert page.locator("tbody tr").count() > 1
    visit(page, f"{live_server}/audit?since=2026-13-01&subject_id=0")
    assert page.locator("#since-feedback").inner_text() == "日期格式应为 YYYY-MM-DD"
    assert page.locator("#subject_id-feedback").inner_text() == "编号须为正整数"
    assert page.locator("tbody").inner_text() == "请先更正筛选条件"
    # on a phone: one card per record, in words — not a table squeezed to one character a line (123,584 px tall)
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, f"{live_server}/audit?subject=users")
    records = page.locator("tbody tr").count()
    assert records > 1
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 600 + records * 450, (records, height)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "用户名：" in page.locator("tbody tr").first.inner_text()
    shoot(page, "15-audit-phone")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_blacklist_decision_and_the_monthly_submission_ask_first(page, busy_server, tmp_path):  # type: ignore[no-untyped-def]
    """Issue 23: the group's 确认列入黑名单 (a three-year bar, reported to the city credit system) and the operator's
    报送月度分析 each show what they will do and act only on 确认."""
    base = busy_server
    login(page, base, "operator")
    visit(page, f"{base}/blacklist")
    page.fill("#credit_code", "91320707MA20C7KD8A")  # 赣榆区海丰水产贸易有限公司 (ent3)
    page.select_option("#ground", "false_statement")
    page.fill("#basis", "申请材料中的购销合同系伪造")
    page.click("form[action$='/blacklist'] button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "请确认：提议列入黑名单"
    accessible(page)
    page.locator("#confirm-button").click()
    page.wait_for_load_state("load")
    assert "已提议将赣榆区海丰水产贸易有限公司列入黑名单" in page.locator(".alert-success").inner_text()

    page.click("nav >> text=月度分析")
    page.wait_for_url(re.compile(r"/reports/monthly/\d{4}/\d{1,2}$"))
    page.fill("#analysis", "本月资金周转正常；逾期一笔已启动追偿。")
    page.click("#sec-submit ~ form button[type=submit], section[aria-labelledby=sec-submit] button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("请确认：报送")
    assert "封存" in page.locator("#confirm-warning").inner_text()
    accessible(page)
    shoot(page, "13-monthly-submission-confirm")
    page.locator("#confirm-button").click()
    page.wait_for_url(re.compile(r"/r1$"))
    assert "本月资金周转正常" in page.locator("#analysis").inner_text()
    assert "领导小组办公室" in page.locator("#filing").inner_text()
    accessible(page)
    logout(page)

    login(page, base, "group")
    visit(page, f"{base}/blacklist")
    row = page.locator("#blacklist tr", has_text="赣榆区海丰水产贸易有限公司").filter(has_text="待领导小组确认")
    row.locator("button:has-text('确认列入')").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "请确认：列入黑名单"
    assert "不得申请应急转贷资金" in page.locator("#confirm-warning").inner_text()
    assert page.locator("#confirm-button").inner_text() == "确认列入黑名单"
    accessible(page)
    shoot(page, "14-blacklist-decision-confirm")
    page.locator("#confirm-button").click()
    page.wait_for_load_state("load")
    assert "赣榆区海丰水产贸易有限公司：已确认列入黑名单" in page.locator(".alert-success").inner_text()

    # 领导小组登记簿（第四、二十条）：登记会议与纪要，登记听取月度报告，决定归入会议
    minutes = tmp_path / "第4次会议纪要.pdf"
    minutes.write_bytes(PDF)
    visit(page, f"{base}/group")
    page.fill("#held_on", date.today().isoformat())
    page.fill("#title", "2026年第4次领导小组会议")
    page.fill("#attendees", "组长王某（副市长）、副组长李某（工信局）等 7 人")
    page.fill("#minutes_ref", "纪要〔2026〕4号")
    page.set_input_files("#file", str(minutes))
    page.click("#meeting-form button[type=submit]")
    page.wait_for_selector("text=已登记会议（纪要 纪要〔2026〕4号）")
    accessible(page)
    page.click("nav >> text=月度分析")
    page.wait_for_url(re.compile(r"/reports/monthly/\d{4}/\d{1,2}$"))
    page.click("a:has-text('第 1 版')")
    page.wait_for_url(re.compile(r"/r1$"))
    page.fill("#heard-minutes_ref", "纪要〔2026〕4号")
    page.fill("#heard-note", "运行平稳，继续做好逾期追偿")
    page.click("#heard-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "请确认：登记决定"
    accessible(page)
    page.locator("#confirm-button").click()
    page.wait_for_load_state("load")
    assert "纪要 纪要〔2026〕4号" in page.locator("#heard").inner_text()
    visit(page, f"{base}/group")
    decisions = page.locator("[id^=meeting-]").first.inner_text()
    assert "听取运行情况报告" in decisions and "已听取" in decisions
    assert "确认列入黑名单" in page.locator("#unregistered").inner_text()  # decided without naming the minutes
    shoot(page, "group-register")
    logout(page)

    login(page, base, "operator")
    rules = tmp_path / "应急转贷资金操作规程.pdf"
    rules.write_bytes(PDF)
    visit(page, f"{base}/group/rules")
    page.fill("#title", "应急转贷资金操作规程")
    page.set_input_files("#file", str(rules))
    page.click("#rules-form button[type=submit]")
    page.wait_for_selector("text=已登记《应急转贷资金操作规程》第 1 版，报领导小组备案")
    accessible(page)
    shoot(page, "group-rules")
