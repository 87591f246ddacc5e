"""README: "Everything a person can do is also at /api/v1" (issue 27, Done-when 3). Every route of the pages that
changes something is paired here with the API operation that does the same through the same service; a page added
without its operation — or an operation named here that is gone — fails. The pairs are written out, not read from the
code: what each page does was read from its view."""

from __future__ import annotations

import re

# page (endpoint, as the URL map names it) -> the API operations that do what it does
SAME_WORK = {
    "auth.login": {"api.create_token"},
    "auth.login_code": {"api.create_token"},  # the code in X-OTP beside the password
    "auth.second_factor_page": {
        "api.begin_second_factor",
        "api.confirm_second_factor",
        "api.renew_recovery_codes",
        "api.remove_second_factor",
    },
    "auth.logout": {"api.revoke_current_token"},
    "auth.password": {"api.put_password"},
    "auth.forgot": {"api.request_password_reset"},
    "auth.reset": {"api.reset_password"},
    "auth.notices": {"api.put_notices"},
    "auth.my_sessions": {"api.end_account_session", "api.revoke_token"},  # a browser's session, or a token
    "inbox.read_one": {"api.read_message"},
    "inbox.read_all": {"api.read_all_messages"},
    "enterprise.register": {"api.create_sign_up"},
    "enterprise.edit": {"api.put_my_enterprise"},
    "vetting.upload_licence": {"api.upload_my_licence"},
    "vetting.detail": {"api.decide_sign_up", "api.correct_sign_up_identity"},  # the page's two forms
    "apps.new": {"api.create_application"},
    "apps.act": {"api.application_action"},
    "apps.upload": {"api.upload_materials"},
    "green.issue": {"api.issue_green_channel"},
    "liability.record": {"api.record_bank_claim"},
    "liability.pay": {"api.pay_bank_claim"},
    "recovery.cause": {"api.record_recovery_cause"},
    "recovery.measure": {"api.record_recovery_measure"},
    "blacklist.propose": {"api.propose_blacklist"},
    "blacklist.decide": {"api.decide_blacklist"},
    "blacklist.lift": {"api.lift_blacklist"},
    "bank_accounts.decide": {"api.decide_account_change"},
    "bank_statement.upload": {"api.import_bank_statement"},
    "bank_statement.match": {"api.match_bank_line"},
    "bank_statement.undo": {"api.undo_bank_match"},
    "bank_statement.rematch": {"api.rematch_bank_statement"},
    "admin.bank_formats": {"api.create_bank_format"},
    "admin.ledger_import_run": {"api.check_ledger", "api.import_ledger"},
    "admin.bank_format": {"api.put_bank_format"},
    "group.record_meeting": {"api.record_group_meeting"},
    "group.record_decision": {"api.record_group_decision"},
    "group.heard": {"api.record_report_heard"},
    "group.file_rules": {"api.file_group_rules"},
    "dissolution.propose": {"api.propose_dissolution"},
    "dissolution.decide": {"api.decide_dissolution"},
    "dissolution.approval": {"api.approve_dissolution"},
    "dissolution.close": {"api.close_dissolution"},
    "reports.submit": {"api.submit_month"},
    "reports.audit_pack_ask": {"api.ask_audit_pack"},
    "audit.verify": {"api.verify_audit"},
    "admin.users": {"api.create_fund_user"},
    "admin.toggle_active": {"api.set_fund_user_active"},
    "admin.lift_limits": {"api.lift_fund_user_limits"},
    "admin.reset_second_factor": {"api.reset_fund_user_second_factor"},
    "admin.banks": {"api.create_fund_bank", "api.update_fund_bank"},  # a new bank, or one changed
    "admin.policies": {"api.create_policy"},
    "admin.revise_policy": {"api.revise_policy"},
    "admin.withdraw_policy": {"api.withdraw_policy"},
    "admin.contributions": {"api.create_contribution"},
    "admin.distribute": {"api.create_distribution"},
    "admin.pay": {"api.pay_fund_distributions"},
    "admin.thresholds": {"api.put_settings"},
    "admin.checklist": {"api.create_checklist_item", "api.update_checklist_item"},
    "admin.requeue_mail": {"api.requeue_fund_mail"},
}
# and what the pages hand out as files, which the API hands out too
SAME_FILES = {
    "apps.statement_pdf": {"api.statement_pdf"},
    "apps.statement_xlsx": {"api.statement_xlsx"},
    "green.letter_pdf": {"api.green_channel_pdf"},
    "vetting.licence": {"api.get_sign_up_licence"},
    "reports.audit_pack_zip": {"api.audit_pack_zip"},
}


def _served(app) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Each endpoint and the methods it answers."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.endpoint, set()).update((rule.methods or set()) - {"HEAD", "OPTIONS"})
    return found


def test_every_page_that_changes_something_has_its_api_operation(app):
    served = _served(app)
    pages = {e for e, methods in served.items() if not e.startswith("api.") and methods - {"GET"}}
    assert pages - set(SAME_WORK) == set(), "a page that changes something without its API operation"
    assert set(SAME_WORK) - pages == set(), "a page named here no longer changes anything"
    operations = {e for e in served if e.startswith("api.")}
    for page, answers in (SAME_WORK | SAME_FILES).items():
        assert answers <= operations, (page, answers - operations)


def test_every_operation_named_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(method.upper(), "/api/v1" + path) for path, item in document["paths"].items() for method in item}
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for answers in (SAME_WORK | SAME_FILES).values():
        for endpoint in answers:
            rule = rules[endpoint]
            path = _openapi_path(rule.rule)
            methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
            if "{action_name}" in path:  # the steps' route: written once per step object
                prefix = path.split("{action_name}")[0]
                assert any(m == "POST" and p.startswith(prefix) for m, p in documented), endpoint
                continue
            assert any((m, path) in documented for m in methods), (endpoint, path)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
