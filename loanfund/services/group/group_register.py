"""The leading group's register (第四、二十条): the group 决定重大事项 and 定期听取运行情况报告; the platform's 管理制度
are 报领导小组备案. Every decision the group takes in the system — approving or rejecting an application, writing a
loss off, confirming, rejecting or lifting a blacklist entry — is written here by the step itself; the group's office
records its meetings (with the minutes), the reports it heard and any other 重大事项; the platform files each version
of its rules documents with the date it was filed with the group."""

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


def _may(actor: User, roles: frozenset[Role], what: str) -> None:
    if actor.role_enum not in roles:
        raise NotAllowed(f"您的角色不能{what}", code="role_not_allowed")


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
    """Write one decision of the group into the register, in the caller's transaction (flushed: its id is known)."""
    row = GroupDecision(
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
    _may(actor, RECORDERS, "登记领导小组会议")
    errors = FieldErrors()
    held = _past(errors, held_on, "held_on", "会议日期")
    title = _text(errors, title, "title", "会议名称", 100)
    attendees = _text(errors, attendees, "attendees", "出席人员", 2000)
    minutes_ref = _text(errors, minutes_ref, "minutes_ref", "会议纪要编号", 64)
    if minutes_ref and db.session.scalar(select(GroupMeeting.id).where(GroupMeeting.minutes_ref == minutes_ref)):
        errors.add("minutes_ref", f"会议纪要 {minutes_ref} 已登记")
    checked = _one_file(errors, files)
    errors.raise_if_any()
    assert checked is not None
    name, data, content_type = checked
    meeting = GroupMeeting(
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
    _may(actor, RECORDERS, "登记领导小组决定")
    errors = FieldErrors()
    minutes_ref = _registered(errors, minutes_ref)
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
    _may(actor, RECORDERS, "登记听取报告")
    report = filed_report(actor, report_id)
    errors = FieldErrors()
    minutes_ref = _registered(errors, minutes_ref)
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


def _registered(errors: FieldErrors, minutes_ref: str) -> str:
    ref = _text(errors, minutes_ref, "minutes_ref", "会议纪要编号", 64)
    if ref and db.session.scalar(select(GroupMeeting.id).where(GroupMeeting.minutes_ref == ref)) is None:
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
    _may(actor, RULES_FILERS, "报备管理制度")
    errors = FieldErrors()
    title = _text(errors, title, "title", "制度名称", 100)
    filed = _past(errors, filed_on, "filed_on", "报领导小组备案日期")
    checked = _one_file(errors, files)
    errors.raise_if_any()
    assert checked is not None
    name, data, content_type = checked
    version = (db.session.scalar(select(func.max(RulesDocument.version)).where(RulesDocument.title == title)) or 0) + 1
    document = RulesDocument(
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
    """The year's meetings, newest first, each with its decisions; then decisions without a registered meeting."""
    _may(actor, READERS, "查看领导小组登记簿")
    meetings = meetings_of(year)[::-1]  # newest first
    decisions = decisions_of(year)
    known = {m.minutes_ref for m in meetings}
    lines = [MeetingLine(m, tuple(d for d in decisions if d.minutes_ref == m.minutes_ref)) for m in meetings]
    loose = tuple(d for d in decisions if d.minutes_ref not in known)
    if loose:
        lines.append(MeetingLine(None, loose))
    return lines


def decisions_on(
    application_id: int | None = None, blacklist_entry_id: int | None = None, monthly_report_id: int | None = None
) -> list[GroupDecision]:
    """The group's decisions on one application, one blacklist entry or one monthly report, in order."""
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


def on_blacklist() -> dict[int, list[GroupDecision]]:
    """The group's decisions on blacklist entries, by entry (one query for the whole list)."""
    found: dict[int, list[GroupDecision]] = {}
    for row in db.session.scalars(
        select(GroupDecision).where(GroupDecision.blacklist_entry_id.is_not(None)).order_by(GroupDecision.id)
    ):
        found.setdefault(row.blacklist_entry_id, []).append(row)  # type: ignore[arg-type]
    return found


def rules_documents(actor: User) -> list[RulesDocument]:
    """Every version of every rules document: by title, the newest version first."""
    _may(actor, READERS, "查看管理制度")
    return all_rules_documents()


def all_rules_documents() -> list[RulesDocument]:
    return list(db.session.scalars(select(RulesDocument).order_by(RulesDocument.title, RulesDocument.version.desc())))


def meeting_minutes(actor: User, meeting_id: int) -> tuple[GroupMeeting, bytes]:
    """:raise NotFound: no such meeting, or not the actor's to read."""
    if actor.role_enum not in READERS:
        raise NotFound("未找到该会议")
    meeting = db.session.get(GroupMeeting, meeting_id)
    if meeting is None:
        raise NotFound("未找到该会议")
    return meeting, (materials.storage_dir() / meeting.sha256).read_bytes()


def rules_file(actor: User, document_id: int) -> tuple[RulesDocument, bytes]:
    """:raise NotFound: no such document, or not the actor's to read."""
    if actor.role_enum not in READERS:
        raise NotFound("未找到该制度文件")
    document = db.session.get(RulesDocument, document_id)
    if document is None:
        raise NotFound("未找到该制度文件")
    return document, (materials.storage_dir() / document.sha256).read_bytes()


def meetings_of(year: int) -> list[GroupMeeting]:
    return list(
        db.session.scalars(
            select(GroupMeeting)
            .where(GroupMeeting.held_on.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(GroupMeeting.held_on, GroupMeeting.id)
        )
    )


def decisions_of(year: int) -> list[GroupDecision]:
    return list(
        db.session.scalars(
            select(GroupDecision)
            .where(GroupDecision.decided_on.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(GroupDecision.decided_on, GroupDecision.id)
        )
    )
