"""The audit record for the administrator and the leading group: filter, page back, export, check the chain."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.lifecycle import Role
from loanfund.services import funds
from loanfund.services.funds import own_fund
from loanfund.services.record import audit, audit_words
from loanfund.services.reports.workbook import Book, Column
from loanfund.web.audit.forms import AuditFilterForm
from loanfund.web.downloads import XLSX, attachment
from loanfund.web.forms import options
from loanfund.web.roles import roles_required

bp = Blueprint("audit", __name__, url_prefix="/audit")
overseers = roles_required(Role.ADMIN, Role.GROUP)
EXPORT_LIMIT = 10_000
SHOWN = 20  # rows changed outside the record named on the page; the rest counted (verify-audit names more)


def _criteria() -> tuple[AuditFilterForm, audit.Search | None]:
    """The filters from the query string; no criteria while one is malformed (its message is next to its field)."""
    form = AuditFilterForm(request.args)
    form.subject.choices = options([("", "全部"), *audit.SUBJECTS.items()])
    if not form.validate():
        return form, None
    actor = (form.actor.data or "").strip()
    return form, audit.Search(form.subject.data or "", form.subject_id.data, actor, form.since.data, form.until.data)


@bp.get("")
@overseers
def index() -> str:
    form, criteria = _criteria()
    before = request.args.get("before") or ""  # the page's cursor, written by the page itself: ignored if not one
    before_seq = int(before) if before.isascii() and before.isdigit() and len(before) <= 12 else None
    rows = (
        []
        if criteria is None
        else audit.search(own_fund(current_user).id, criteria, before_seq=before_seq, limit=audit.PAGE + 1)
    )
    more = len(rows) > audit.PAGE
    rows = rows[: audit.PAGE]
    length, head = audit.head()
    known = audit_words.names(rows)
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "audit/index.html",
        rows=[(r, audit_words.changes(r, known)) for r in rows],
        more=more,
        args=args,
        form=form,
        subjects=audit.SUBJECTS,
        actions=audit.ACTIONS,
        length=length,
        head=head,
    )


@bp.post("/verify")
@overseers
def verify() -> Response:
    """Check the chain, and come back to the record as it was filtered (the filters ride on the form's address)."""
    verdict = audit.verify()
    if verdict.ok:
        flash(f"审计记录链完整：共 {verdict.records} 条，链头 {verdict.head}", "success")
    else:
        flash(f"审计记录链在第 {verdict.broken_seq} 条处断开：{verdict.problem}", "danger")
    differences = audit.compare()
    if differences:
        named = "；".join(audit_words.difference(found) for found in differences[:SHOWN])
        more = f"；另有 {len(differences) - SHOWN} 行" if len(differences) > SHOWN else ""
        flash(f"{len(differences)} 行与其审计记录不符（在记录之外被改动）：{named}{more}", "danger")
    else:
        flash("各表每一行与其最后一次审计记录一致", "success")
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k in AuditFilterForm.FILTERS and v}
    return redirect(url_for("audit.index", **kept))


@bp.get("/export")
@overseers
def export() -> Response | str:
    _, criteria = _criteria()
    if criteria is None:
        shown: Response | str = index()
        return shown
    rows = audit.search(own_fund(current_user).id, criteria, limit=EXPORT_LIMIT)
    known = audit_words.names(rows)
    book = Book(funds.name_for(current_user), "审计记录")
    book.sheet(
        "审计记录",
        f"共 {len(rows)} 条（最多导出最新 {EXPORT_LIMIT} 条）；链头 {audit.head()[1]}",
        [
            Column("序号", "0", 8),
            Column("时间", "yyyy-mm-dd hh:mm:ss", 19),
            Column("操作人", width=14),
            Column("角色", width=10),
            Column("操作", width=8),
            Column("对象", width=14),
            Column("对象编号", "0", 10),
            Column("修改前", width=50),
            Column("修改后", width=50),
            Column("哈希", width=66),
        ],
        [
            (
                r.seq,
                r.at,
                r.actor.display_name if r.actor else ("公众" if r.actor_role == "public" else "系统"),
                audit_words.value(r.subject, "actor_role", r.actor_role),
                audit.ACTIONS.get(r.action, r.action),
                audit.SUBJECTS.get(r.subject, r.subject),
                r.subject_id,
                "\n".join(f"{c.field}：{c.before}" for c in audit_words.changes(r, known) if c.before),
                "\n".join(f"{c.field}：{c.after}" for c in audit_words.changes(r, known) if c.after),
                r.hash,
            )
            for r in rows
        ],
    )
    stamp = f"{clock.today():%Y%m%d}"
    return attachment(book.bytes(), XLSX, f"审计记录-{stamp}.xlsx")
