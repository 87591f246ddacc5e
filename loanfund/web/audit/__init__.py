"""The audit record for the administrator and the leading group: filter, page back, export, check the chain."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.lifecycle import Role
from loanfund.services import audit
from loanfund.services.workbook import Book, Column
from loanfund.web.downloads import XLSX, attachment
from loanfund.web.roles import roles_required

bp = Blueprint("audit", __name__, url_prefix="/audit")
overseers = roles_required(Role.ADMIN, Role.GROUP)
EXPORT_LIMIT = 10_000


def _day(name: str) -> tuple[date | None, str | None]:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, "日期格式应为 YYYY-MM-DD"


def _criteria() -> tuple[audit.Search, dict[str, str]]:
    errors: dict[str, str] = {}
    subject = request.args.get("subject") or ""
    if subject and subject not in audit.SUBJECTS:
        errors["subject"] = "请选择记录对象"
        subject = ""
    number = (request.args.get("subject_id") or "").strip()
    subject_id = int(number) if number.isascii() and number.isdigit() and len(number) <= 9 else None
    if number and subject_id is None:
        errors["subject_id"] = "编号须为正整数"
    since, problem = _day("since")
    if problem:
        errors["since"] = problem
    until, problem = _day("until")
    if problem:
        errors["until"] = problem
    if since and until and since > until:
        errors["until"] = "截止日期不能早于起始日期"
    actor = (request.args.get("actor") or "").strip()[:64]
    return audit.Search(subject, subject_id, actor, since, until), errors


@bp.get("")
@overseers
def index() -> str:
    criteria, errors = _criteria()
    before = request.args.get("before") or ""
    before_seq = int(before) if before.isascii() and before.isdigit() and len(before) <= 12 else None
    rows = [] if errors else audit.search(criteria, before_seq=before_seq, limit=audit.PAGE + 1)
    more = len(rows) > audit.PAGE
    rows = rows[: audit.PAGE]
    length, head = audit.head()
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "audit/index.html",
        rows=rows,
        more=more,
        args=args,
        errors=errors,
        subjects=audit.SUBJECTS,
        actions=audit.ACTIONS,
        length=length,
        head=head,
    )


@bp.post("/verify")
@overseers
def verify() -> Response:
    verdict = audit.verify()
    if verdict.ok:
        flash(f"审计记录链完整：共 {verdict.records} 条，链头 {verdict.head}", "success")
    else:
        flash(f"审计记录链在第 {verdict.broken_seq} 条处断开：{verdict.problem}", "danger")
    return redirect(url_for("audit.index"))


@bp.get("/export")
@overseers
def export() -> Response | str:
    criteria, errors = _criteria()
    if errors:
        return index()
    rows = audit.search(criteria, limit=EXPORT_LIMIT)
    book = Book(current_app.config["FUND_NAME"], "审计记录")
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
                r.actor.username if r.actor else "—",
                r.actor_role,
                audit.ACTIONS.get(r.action, r.action),
                audit.SUBJECTS.get(r.subject, r.subject),
                r.subject_id,
                audit.shown(r.old),
                audit.shown(r.new),
                r.hash,
            )
            for r in rows
        ],
    )
    stamp = f"{clock.today():%Y%m%d}"
    return attachment(book.bytes(), XLSX, f"审计记录-{stamp}.xlsx")
