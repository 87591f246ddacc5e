"""The green channel (第二十七条): the platform issues a numbered letter asking the land and housing departments to
handle first the mortgage an enterprise's renewal involves; the bank and the enterprise are told it was sent, and see
it on the application."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from loanfund import clock
from loanfund.domain.errors import Conflict, NotAllowed, NotFound
from loanfund.domain.green_channel import EVENT, Mortgage, departments, letter_refusal
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Application, GreenChannelLetter, User
from loanfund.services.access import application_for
from loanfund.services.lifecycle.spine import application_policy, record_beside
from loanfund.services.oversight import notices
from loanfund.services.reports import documents
from loanfund.services.uow import discard, finish

ISSUERS = frozenset({Role.OPERATOR})
NUMBERING_LOCK = 2027  # PostgreSQL advisory lock: letters of the fund are numbered one at a time


def _take_the_numbering() -> None:
    """Number letters one at a time (two operators at the same moment would both read the same last number): a
    transaction-scoped advisory lock on PostgreSQL; SQLite has one writer at a time already."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBERING_LOCK})


def refusal(actor: User, application: Application) -> str | None:
    """Why ``actor`` may not issue the letter for ``application`` now (None: they may)."""
    if actor.role_enum not in ISSUERS:
        return "绿色通道函由平台运营人员开具"
    if application.green_channel_letter is not None:
        return f"已于 {application.green_channel_letter.issued_on.isoformat()} 开具绿色通道函"
    return letter_refusal(application.mortgage, application.state_enum)


def issue(actor: User, application_id: int) -> GreenChannelLetter:
    """Issue the letter: numbered within the year, its text kept as issued; the bank and the enterprise are told.

    :raise NotFound: not the actor's application. :raise NotAllowed: not now, not by this actor, or already issued.
    """
    application = application_for(actor, application_id, for_update=True)
    db.session.refresh(application, ["green_channel_letter"])
    why = refusal(actor, application)
    if why is not None:
        raise NotAllowed(why, code="green_channel_not_allowed")
    mortgage = Mortgage(application.mortgage)
    config = current_app.config
    addressed = departments(
        mortgage, config["GREEN_CHANNEL_LAND_DEPARTMENT"], config["GREEN_CHANNEL_HOUSING_DEPARTMENT"]
    )
    today = clock.today()
    _take_the_numbering()
    seq = (
        db.session.scalar(select(func.max(GreenChannelLetter.seq)).where(GreenChannelLetter.year == today.year)) or 0
    ) + 1
    letter = GreenChannelLetter(
        application_id=application.id,
        year=today.year,
        seq=seq,
        mortgage=mortgage.value,
        departments="、".join(addressed),
        enterprise_name=application.enterprise.name,
        credit_code=application.enterprise.credit_code,
        bank_name=application.bank.name,
        loan_contract_no=application.loan_contract_no,
        loan_amount_due=application.loan_amount_due,
        fund_name=application.fund.name,
        regulation=application_policy(application).name,
        issued_on=today,
        issued_by_id=actor.id,
    )
    db.session.add(letter)
    try:
        db.session.flush()  # the unique (year, seq) and application: the database's word on a twin
    except IntegrityError:
        discard()
        raise Conflict(
            "该申请的绿色通道函已由他人开具，或函号已被占用，请刷新后重试", code="green_channel_taken"
        ) from None
    record_beside(application, actor, EVENT, letter.number, number=letter.number, departments=letter.departments)
    sent = (
        f"平台已向{letter.departments}开具绿色通道函（{letter.number}），请其对续贷涉及的{mortgage.subject}事项优先办理"
    )
    notices.notify(
        notices.enterprise_users(application),
        "green_channel",
        f"应急转贷 {application.reference}：已开具绿色通道函",
        f"贵企业的应急转贷 {application.reference}：{sent}。办理抵押登记时请携带该函。",
        application,
    )
    notices.notify(
        notices.bank_users(application),
        "green_channel",
        f"绿色通道函：{application.reference}",
        f"{application.enterprise.name}的应急转贷 {application.reference}：{sent}。",
        application,
    )
    return finish(letter)


def letter_for(actor: User, application_id: int) -> GreenChannelLetter:
    """The letter of an application the actor may see. :raise NotFound: none, or not the actor's to see."""
    application = application_for(actor, application_id)
    letter = application.green_channel_letter
    if letter is None:
        raise NotFound("该申请没有绿色通道函")
    return letter


def letter_html(letter: GreenChannelLetter) -> str:
    return render_template("applications/green_channel_letter.html", letter=letter)


def letter_pdf(letter: GreenChannelLetter) -> bytes:
    """The letter as an A4 PDF, as the usage statement is made. :raise PdfUnavailable: no Pango here."""
    return documents.html_pdf(letter_html(letter))
