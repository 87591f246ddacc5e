"""The leading group's register (第四、二十条): the group 决定重大事项 and 定期听取运行情况报告; the platform's 管理制度
are 报领导小组备案. Every decision the group takes in the system — approving or rejecting an application, writing a
loss off, confirming, rejecting or lifting a blacklist entry — is written here by the step itself; the group's office
records its meetings (with the minutes), the reports it heard and any other 重大事项; the platform files each version
of its rules documents with the date it was filed with the group. Each fund has its own group and its own register
(DESIGN §7): a fund's people read and write their fund's only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.errors import FieldErrors, InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import GroupDecision, GroupMeeting, MonthlyReport, RulesDocument, User
from loanfund.services.applications import materials
from loanfund.services.uow import finish

KIND_LABELS = {
    "application": "应急转贷审批",
    "blacklist": "黑名单",
    "report": "听取运行情况报告",
    "rules": "管理制度备案",
    "dissolution": "停业或解散",
    "other": "其他重大事项",
}
READERS = frozenset({Role.GROUP, Role.REVIEWER, Role.OPERATOR, Role.ADMIN})  # the group, the platform, the auditor
RECORDERS = frozenset({Role.GROUP})  # meetings, reports heard, other decisions: the group's office
RULES_FILERS = frozenset({Role.OPERATOR})  # the platform files its rules documents


def _may(actor: User, roles: frozenset[Role], what: str) -> int:
    """The fund whose register ``actor`` reads or writes. :raise NotAllowed: a role that may not."""
    if actor.role_enum not in roles or actor.fund_id is None:
        raise NotAllowed(f"您的角色不能{what}", code="role_not_allowed")
    return actor.fund_id


def _text(errors: FieldErrors, value: str | None, field: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        errors.add(field, f"请填写{label}")
    elif len(text) > limit:
        errors.add(field, f"{label}不能超过 {limit} 个字符")
    return text


def _past(errors: FieldErrors, value: date | None, field: str, label: str) -> date:
    today = clock.today()
    if value is None:
        errors.add(field, f"请填写{label}")
        return today
    if value > today:
        errors.add(field, f"{label}不能晚于今天（{today.isoformat()}）")
    return value


# -- decisions written by the group's steps ---------------------------------------------------------------------


def decision(
    actor: User,
    *,
    kind: str,
    subject: str,
    outcome: str,
    minutes_ref: str = "",
    note: str = "",
    application_id: int | None = None,
    blacklist_entry_id: int | None = None,
    monthly_report_id: int | None = None,
    rules_document_id: int | None = None,
    dissolution_id: int | None = None,
) -> GroupDecision:
    """Write one decision of the group into its fund's register, in the caller's transaction (flushed: its id is
    known). The database refuses a decision on another fund's application."""
    assert actor.fund_id is not None, "a decision of the group is its fund's"
    row = GroupDecision(
        fund_id=actor.fund_id,
        decided_on=clock.today(),
        minutes_ref=(minutes_ref or "").strip(),
        kind=kind,
        subject=subject,
        outcome=outcome,
        note=(note or "").strip(),
        application_id=application_id,
        blacklist_entry_id=blacklist_entry_id,
        monthly_report_id=monthly_report_id,
        rules_document_id=rules_document_id,
        dissolution_id=dissolution_id,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


# -- what the group's office records ----------------------------------------------------------------------------


def record_meeting(
    actor: User,
    held_on: date | None,
    title: str,
    attendees: str,
    minutes_ref: str,
    files: list[tuple[str, bytes]],
) -> GroupMeeting:
    """A meeting of the group with its minutes file. Every problem at once.

    :raise NotAllowed: not the group. :raise InvalidInput: a field missing or wrong, the minutes number taken.
    """
    fund_id = _may(actor, RECORDERS, "登记领导小组会议")
    errors = FieldErrors()
    held = _past(errors, held_on, "held_on", "会议日期")
    title = _text(errors, title, "title", "会议名称", 100)
    attendees = _text(errors, attendees, "attendees", "出席人员", 2000)
    minutes_ref = _text(errors, minutes_ref, "minutes_ref", "会议纪要编号", 64)
    if minutes_ref and meeting_id(fund_id, minutes_ref) is not None:
        errors.add("minutes_ref", f"会议纪要 {minutes_ref} 已登记")
    checked = _one_file(errors, files)
    errors.raise_if_any()
    assert checked is not None
    name, data, content_type = checked
    meeting = GroupMeeting(
        fund_id=fund_id,
        held_on=held,
        title=title,
        attendees=attendees,
        minutes_ref=minutes_ref,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=materials.store(data),
        recorded_by_id=actor.id,
    )
    db.session.add(meeting)
    return finish(meeting)


def record_other(actor: User, minutes_ref: str, subject: str, outcome: str, note: str) -> GroupDecision:
    """Another 重大事项 the group decided (第四条), at a meeting already registered.

    :raise NotAllowed: not the group. :raise InvalidInput: a field missing, or the minutes not registered.
    """
    fund_id = _may(actor, RECORDERS, "登记领导小组决定")
    errors = FieldErrors()
    minutes_ref = _registered(errors, fund_id, minutes_ref)
    subject = _text(errors, subject, "subject", "决定事项", 2000)
    outcome = _text(errors, outcome, "outcome", "决定", 40)
    errors.raise_if_any()
    return finish(decision(actor, kind="other", subject=subject, outcome=outcome, minutes_ref=minutes_ref, note=note))


def filed_report(actor: User, report_id: int) -> MonthlyReport:
    """:raise NotFound: no such submitted report, or another fund's."""
    report = db.session.get(MonthlyReport, report_id)
    if report is None or report.fund_id != actor.fund_id:
        raise NotFound("未找到该报告")
    return report


def hear_report(actor: User, report_id: int, minutes_ref: str, note: str) -> GroupDecision:
    """The group heard a monthly report (第四条 定期听取运行情况报告; 第二十一条): its receipt, at a registered meeting.

    :raise NotFound: no such report. :raise NotAllowed: not the group. :raise InvalidInput: the minutes not registered.
    """
    fund_id = _may(actor, RECORDERS, "登记听取报告")
    report = filed_report(actor, report_id)
    errors = FieldErrors()
    minutes_ref = _registered(errors, fund_id, minutes_ref)
    errors.raise_if_any()
    subject = f"{report.month.year}年{report.month.month}月应急转贷资金使用分析（第 {report.revision} 版）"
    row = decision(
        actor,
        kind="report",
        subject=subject,
        outcome="已听取",
        minutes_ref=minutes_ref,
        note=note,
        monthly_report_id=report.id,
    )
    return finish(row)


def meeting_id(fund_id: int, minutes_ref: str) -> int | None:
    """The fund's meeting whose minutes carry ``minutes_ref``, if its group office registered it."""
    return db.session.scalar(
        select(GroupMeeting.id).where(GroupMeeting.fund_id == fund_id, GroupMeeting.minutes_ref == minutes_ref)
    )


def _registered(errors: FieldErrors, fund_id: int, minutes_ref: str) -> str:
    ref = _text(errors, minutes_ref, "minutes_ref", "会议纪要编号", 64)
    if ref and meeting_id(fund_id, ref) is None:
        errors.add("minutes_ref", f"会议纪要 {ref} 尚未登记，请先登记会议")
    return ref


def _one_file(errors: FieldErrors, files: list[tuple[str, bytes]]) -> tuple[str, bytes, str] | None:
    try:
        checked = materials.check_files(files)
    except InvalidInput as exc:
        for message in exc.errors["file"]:
            errors.add("file", message)
        return None
    if len(checked) != 1:
        errors.add("file", "请上传一个文件")
        return None
    name, data, content_type = checked[0]
    return name.rsplit("/", 1)[-1][:200], data, content_type


# -- the platform's rules documents (管理制度) -------------------------------------------------------------------


def file_rules(
    actor: User, title: str, filed_on: date | None, note: str, files: list[tuple[str, bytes]]
) -> RulesDocument:
    """A new version of a rules document (version 1 for a new title), with the date it was filed with the group; the
    filing is written into the group's register. Every problem at once.

    :raise NotAllowed: not the platform's operator. :raise InvalidInput: a field missing or wrong.
    """
    fund_id = _may(actor, RULES_FILERS, "报备管理制度")
    errors = FieldErrors()
    title = _text(errors, title, "title", "制度名称", 100)
    filed = _past(errors, filed_on, "filed_on", "报领导小组备案日期")
    checked = _one_file(errors, files)
    errors.raise_if_any()
    assert checked is not None
    name, data, content_type = checked
    latest = select(func.max(RulesDocument.version)).where(
        RulesDocument.fund_id == fund_id, RulesDocument.title == title
    )
    version = (db.session.scalar(latest) or 0) + 1
    document = RulesDocument(
        fund_id=fund_id,
        title=title,
        version=version,
        filed_on=filed,
        note=(note or "").strip(),
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=materials.store(data),
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    decision(
        actor,
        kind="rules",
        subject=f"《{title}》第 {version} 版报领导小组备案",
        outcome="已备案",
        note=document.note,
        rules_document_id=document.id,
    )
    return finish(document)


# -- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    meeting: GroupMeeting | None  # None: decisions whose minutes are not (yet) registered, or taken without one
    decisions: tuple[GroupDecision, ...]


def register(actor: User, year: int) -> list[MeetingLine]:
    """The year's meetings of the actor's fund, newest first, each with its decisions; then decisions without a
    registered meeting."""
    fund_id = _may(actor, READERS, "查看领导小组登记簿")
    meetings = meetings_of(fund_id, year)[::-1]  # newest first
    decisions = decisions_of(fund_id, year)
    known = {m.minutes_ref for m in meetings}
    lines = [MeetingLine(m, tuple(d for d in decisions if d.minutes_ref == m.minutes_ref)) for m in meetings]
    loose = tuple(d for d in decisions if d.minutes_ref not in known)
    if loose:
        lines.append(MeetingLine(None, loose))
    return lines


def decisions_on(
    application_id: int | None = None, blacklist_entry_id: int | None = None, monthly_report_id: int | None = None
) -> list[GroupDecision]:
    """The group's decisions on one application, one blacklist entry or one monthly report, in order (each of those
    is one fund's, and so are its decisions)."""
    query = select(GroupDecision).order_by(GroupDecision.id)
    for column, value in (
        (GroupDecision.application_id, application_id),
        (GroupDecision.blacklist_entry_id, blacklist_entry_id),
        (GroupDecision.monthly_report_id, monthly_report_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return list(db.session.scalars(query))


def heard(report_id: int) -> list[GroupDecision]:
    """When the group heard a submitted report (its receipts in the register)."""
    return decisions_on(monthly_report_id=report_id)


def on_blacklist(fund_id: int) -> dict[int, list[GroupDecision]]:
    """The fund's group's decisions on blacklist entries, by entry (one query for the whole list)."""
    found: dict[int, list[GroupDecision]] = {}
    for row in db.session.scalars(
        select(GroupDecision)
        .where(GroupDecision.fund_id == fund_id, GroupDecision.blacklist_entry_id.is_not(None))
        .order_by(GroupDecision.id)
    ):
        found.setdefault(row.blacklist_entry_id, []).append(row)  # type: ignore[arg-type]
    return found


def rules_documents(actor: User) -> list[RulesDocument]:
    """Every version of every rules document of the actor's fund: by title, the newest version first."""
    return all_rules_documents(_may(actor, READERS, "查看管理制度"))


def all_rules_documents(fund_id: int) -> list[RulesDocument]:
    return list(
        db.session.scalars(
            select(RulesDocument)
            .where(RulesDocument.fund_id == fund_id)
            .order_by(RulesDocument.title, RulesDocument.version.desc())
        )
    )


def meeting_minutes(actor: User, meeting_id: int) -> tuple[GroupMeeting, bytes]:
    """:raise NotFound: no such meeting, or not the actor's to read (another fund's)."""
    meeting = db.session.get(GroupMeeting, meeting_id)
    if actor.role_enum not in READERS or meeting is None or meeting.fund_id != actor.fund_id:
        raise NotFound("未找到该会议")
    return meeting, (materials.storage_dir() / meeting.sha256).read_bytes()


def rules_file(actor: User, document_id: int) -> tuple[RulesDocument, bytes]:
    """:raise NotFound: no such document, or not the actor's to read (another fund's)."""
    document = db.session.get(RulesDocument, document_id)
    if actor.role_enum not in READERS or document is None or document.fund_id != actor.fund_id:
        raise NotFound("未找到该制度文件")
    return document, (materials.storage_dir() / document.sha256).read_bytes()


def meetings_of(fund_id: int, year: int) -> list[GroupMeeting]:
    return list(
        db.session.scalars(
            select(GroupMeeting)
            .where(GroupMeeting.fund_id == fund_id, GroupMeeting.held_on.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(GroupMeeting.held_on, GroupMeeting.id)
        )
    )


def decisions_of(fund_id: int, year: int) -> list[GroupDecision]:
    return list(
        db.session.scalars(
            select(GroupDecision)
            .where(
                GroupDecision.fund_id == fund_id, GroupDecision.decided_on.between(date(year, 1, 1), date(year, 12, 31))
            )
            .order_by(GroupDecision.decided_on, GroupDecision.id)
        )
    )
