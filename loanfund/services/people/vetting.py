"""Vetted sign-up: an enterprise's account from the public form starts unvetted; the platform reviewer checks it
against the business licence (营业执照) its user uploads, then lets it apply — or returns it with a reason.

The public form never tells whether a credit code or a username is already registered: every well-formed sign-up
gets the same answer and costs the same work. A credit code already registered makes the new user a request to join
that enterprise (the enterprise's users are told, the reviewer decides); a username already taken creates nothing
(the same answer tells the person that, if they cannot log in, the name was taken). Until vetted, a user sees
nothing of their enterprise (``access``, ``roles_required``, the API) and receives none of its notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from loanfund import clock
from loanfund.domain.eligibility import (
    INDUSTRIES,
    Size,
    check_credit_code_region,
    check_district,
    district_disagreement,
    normalise_credit_code,
)
from loanfund.domain.errors import FieldErrors, InvalidInput, InvalidValue, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Enterprise, Message, SignUp, User
from loanfund.services.applications import materials
from loanfund.services.funds import funds_covering, platform_region
from loanfund.services.oversight import notices
from loanfund.services.uow import finish

JOIN_NOTICE = "sign_up_join"
LICENCE_UPLOADS = 10  # times a sign-up may send its licence
LICENCE_MAX_BYTES = 5 * 1024 * 1024
ABANDONED_AFTER = timedelta(days=30)  # a returned sign-up not sent again in this time is left: its licence file goes


def _told_today(enterprise_id: int) -> bool:
    """Whether the enterprise's users were told of a sign-up under its credit code in the last day."""
    since = clock.utcnow() - timedelta(days=1)
    users = select(User.id).where(User.enterprise_id == enterprise_id)
    told = select(Message.id).where(
        Message.kind == JOIN_NOTICE, Message.user_id.in_(users), Message.created_at >= since
    )
    return db.session.scalar(told.limit(1)) is not None


@dataclass(frozen=True)
class Outcome:
    """What a sign-up did — for the tests and the log, never shown on the public page."""

    created: bool
    joins_existing: bool = False


def sign_up(username: str, password_hash: str, email: str, values: dict[str, object]) -> Outcome:
    """Create the unvetted user (and the enterprise, unless its credit code is registered: then a request to join it)
    from checked ``values`` (``enterprises.register`` checks them and hashes the password first). A username taken —
    now or by a sign-up committed at the same moment — creates nothing."""
    name = username.strip()
    if db.session.scalar(select(User.id).where(User.username == name)) is not None:
        db.session.rollback()
        return Outcome(created=False)
    existing = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == values["credit_code"]))
    enterprise = existing if existing is not None else Enterprise(**values)
    if existing is None:
        db.session.add(enterprise)
    contact = str(values.get("contact_name") or "") or str(values["name"])
    user = User(
        username=name,
        password_hash=password_hash,
        role=Role.ENTERPRISE.value,
        display_name=contact[:64],
        enterprise=enterprise,
        email=email or None,
        vetted=False,
    )
    db.session.add(user)
    submitted = {k: (v.fen if hasattr(v, "fen") else v) for k, v in values.items()} | {"email": email}
    db.session.add(SignUp(user=user, enterprise=enterprise, joins_existing=existing is not None, submitted=submitted))
    try:
        db.session.flush()
    except IntegrityError:  # the same username or credit code committed by another sign-up just now
        db.session.rollback()
        return Outcome(created=False)
    if existing is not None and not _told_today(existing.id):
        # fixed words only (nothing the person signing up typed), and at most once a day: the public form cannot be
        # used to mail a firm's users at will (issue 25, finding 4)
        notices.notify(
            notices.vetted_users(existing.id),
            JOIN_NOTICE,
            "有人以贵企业的统一社会信用代码注册了新账户",
            "有人以贵企业的统一社会信用代码注册了新账户。平台将核对营业执照后决定是否准许其加入；"
            "如非贵企业人员所为，请告知平台。（同一天内的其他此类注册不再另行通知。）",
            None,
        )
    notices.notify(
        notices.staff([f.id for f in funds_covering(str(values["district"]))], Role.REVIEWER),
        "sign_up",
        "新的企业注册待审核",
        f"用户 {name} 提交了企业注册（{values['name']}），上传营业执照后请审核。",
        None,
    )
    finish(user)
    return Outcome(created=True, joins_existing=existing is not None)


def own_sign_up(user: User) -> SignUp | None:
    return db.session.scalar(select(SignUp).where(SignUp.user_id == user.id))


def attach_licence(user: User, filename: str, data: bytes) -> SignUp:
    """The new user uploads the business licence (one PDF, JPG or PNG; a new one replaces the last); a returned
    sign-up goes back to the reviewer.

    :raise NotFound: the user has no sign-up. :raise NotAllowed: already vetted.
    :raise InvalidInput: the file is not acceptable.
    """
    record = db.session.scalar(
        select(SignUp).where(SignUp.user_id == user.id).with_for_update().execution_options(populate_existing=True)
    )
    if record is None:
        raise NotFound("没有待审核的注册")
    if record.state == "vetted":
        raise NotAllowed("注册已通过审核")
    # anonymous work is bounded (issue 25, finding 2): a licence is a few pages, sent a few times
    if record.licence_uploads >= LICENCE_UPLOADS:
        raise InvalidInput({"file": [f"营业执照已上传 {LICENCE_UPLOADS} 次，如需再次更换请联系平台"]})
    if len(data) > LICENCE_MAX_BYTES:
        raise InvalidInput({"file": [f"营业执照文件不能超过 {LICENCE_MAX_BYTES // 1024 // 1024} MB"]})
    [(name, content, content_type)] = materials.check_files([(filename, data)])
    replaced = record.licence_sha256
    digest = materials.store(content)
    record.licence_name, record.licence_type, record.licence_sha256 = Path(name).name[:200], content_type, digest
    record.licence_uploads += 1
    db.session.flush()
    if replaced and replaced != digest:
        materials.discard_unreferenced(replaced)  # the file it replaces goes, unless something else holds it
    record.state = "pending"  # back to the reviewer; a returned sign-up's reason stays until the next decision
    return finish(record)


def let_go_of_abandoned_licences(now: datetime) -> list[str]:
    """The daily sweep: a sign-up returned ``ABANDONED_AFTER`` ago and never sent again lets go of its licence (the
    record keeps its decision and reason; the user is told and may upload again). The digests let go of — the caller
    deletes the files after its commit, when nothing points at them. Part of the caller's unit of work."""
    left = db.session.scalars(
        select(SignUp).where(
            SignUp.state == "returned",
            SignUp.decided_at <= now - ABANDONED_AFTER,
            SignUp.licence_sha256.is_not(None),
        )
    ).all()
    digests = []
    for record in left:
        digests.append(record.licence_sha256)
        record.licence_sha256 = record.licence_type = record.licence_name = None
        notices.notify(
            [record.user],
            "sign_up",
            "营业执照文件已删除",
            f"贵企业的注册退回后 {ABANDONED_AFTER.days} 天内未重新上传营业执照，已上传的文件已删除。"
            "如仍需注册，请重新上传营业执照。",
            None,
        )
    return [d for d in digests if d]


def _in_region(reviewer: User) -> ColumnElement[bool]:
    """Sign-ups of enterprises in a district the reviewer's fund serves (DESIGN §7: a sign-up is vetted by the funds
    it may apply to)."""
    served = [d.key for d in reviewer.fund.districts] if reviewer.fund is not None else []
    return SignUp.enterprise_id.in_(select(Enterprise.id).where(Enterprise.district.in_(served)))


def pending(reviewer: User) -> list[SignUp]:
    """Sign-ups waiting for the reviewer's fund, oldest first."""
    return list(
        db.session.scalars(select(SignUp).where(SignUp.state == "pending", _in_region(reviewer)).order_by(SignUp.id))
    )


def waiting(reviewer: User) -> int:
    """How many sign-ups wait for the reviewer's fund."""
    return int(
        db.session.scalar(
            select(func.count()).select_from(SignUp).where(SignUp.state == "pending", _in_region(reviewer))
        )
        or 0
    )


def sign_up_for(actor: User, sign_up_id: int, *, for_update: bool = False) -> SignUp:
    """:raise NotFound: no such sign-up, or not the reviewer's (or the user's own) to see."""
    query = select(SignUp).where(SignUp.id == sign_up_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    if actor.role_enum is Role.REVIEWER:
        query = query.where(_in_region(actor))
    record = db.session.scalar(query)
    if record is None or not (actor.role_enum is Role.REVIEWER or record.user_id == actor.id):
        raise NotFound("未找到该注册")
    return record


def licence_file(actor: User, sign_up_id: int) -> tuple[SignUp, Path]:
    """:raise NotFound: as ``sign_up_for``, or no licence uploaded."""
    record = sign_up_for(actor, sign_up_id)
    if not record.licence_sha256:
        raise NotFound("尚未上传营业执照")
    return record, materials.storage_dir() / record.licence_sha256


def decide(actor: User, sign_up_id: int, *, approve: bool, note: str) -> SignUp:
    """The reviewer vets a sign-up: approved, its user may use the enterprise's account; returned, the user is told
    why and may upload again.

    :raise NotAllowed: not the reviewer, or already decided. :raise InvalidInput: approving without a licence on
        file, returning without a reason.
    """
    if actor.role_enum is not Role.REVIEWER:
        raise NotAllowed("只有平台审核人员可以审核企业注册", code="role_not_allowed")
    record = sign_up_for(actor, sign_up_id, for_update=True)
    if record.state != "pending":
        raise NotAllowed("该注册已处理", code="state_not_allowed")
    note = note.strip()
    errors = FieldErrors()
    if approve and not record.licence_sha256:
        errors.add("decision", "尚未上传营业执照，不能通过")
    if not approve and not note:
        errors.add("note", "退回须写明原因")
    errors.raise_if_any()
    record.state = "vetted" if approve else "returned"
    record.note = note[:500]
    record.decided_by_id, record.decided_at = actor.id, clock.utcnow()
    if approve:
        record.user.vetted = True
    notices.notify(
        [record.user],
        "sign_up",
        "企业注册已通过审核" if approve else "企业注册被退回",
        (
            f"贵企业（{record.enterprise.name}）的注册已通过平台审核，现在可以在线申请应急转贷资金。"
            if approve
            else f"贵企业的注册被退回：{note}。请按要求重新上传营业执照，或联系平台。"
        ),
        None,
    )
    return finish(record)


@dataclass(frozen=True)
class Identity:
    name: str
    credit_code: str
    district: str


def declared(record: SignUp) -> list[tuple[str, str]]:
    """What the sign-up declared beside what the licence shows (issue 30: the reviewer compares them on one page):
    the legal representative, the address, the industry, the size figures and the size they make."""
    given = record.submitted
    industry = INDUSTRIES.get(str(given.get("industry", "")))
    size = str(given.get("size", ""))
    return [
        ("法定代表人", str(given.get("legal_representative") or "（未填写）")),
        ("地址", str(given.get("address") or "（未填写）")),
        ("所属行业", industry.name if industry is not None else "—"),
        ("从业人员", f"{int(given.get('employees') or 0):,} 人"),
        ("上年营业收入", f"{Money(int(given.get('revenue') or 0)).format()} 元"),
        ("资产总额", f"{Money(int(given.get('assets') or 0)).format()} 元"),
        ("企业规模（按所填数字划型）", f"{Size(size).label}企业" if size in Size.__members__.values() else "—"),
    ]


def district_note(record: SignUp) -> str | None:
    """What the reviewer should check about where the enterprise is registered (R10): the district its credit code
    names when it is not the one chosen on the form (None when they agree)."""
    submitted = record.submitted
    return district_disagreement(
        str(submitted.get("credit_code", "")), str(submitted.get("district", "")), platform_region().districts
    )


def correct_identity(actor: User, sign_up_id: int, data: Identity) -> Enterprise:
    """The reviewer corrects the enterprise's name, credit code or district (only the platform may; the audit record
    keeps before and after).

    :raise NotAllowed: not the reviewer. :raise InvalidInput: every bad field at once (a credit code already another
        enterprise's is named — to the reviewer, not the public).
    """
    if actor.role_enum is not Role.REVIEWER:
        raise NotAllowed("只有平台审核人员可以更正企业登记信息", code="role_not_allowed")
    enterprise = sign_up_for(actor, sign_up_id).enterprise
    errors = FieldErrors()
    name = data.name.strip()
    if not name:
        errors.add("name", "请填写企业名称")
    code = ""
    try:
        code = normalise_credit_code(data.credit_code)
        check_credit_code_region(code, platform_region())
    except InvalidValue as exc:
        errors.add("credit_code", exc.message)
    else:
        other = db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
        if other is not None and other != enterprise.id:
            errors.add("credit_code", "该统一社会信用代码已属于另一家企业")
    try:
        check_district(data.district, platform_region())
    except InvalidValue as exc:
        errors.add("district", exc.message)
    errors.raise_if_any()
    enterprise.name, enterprise.credit_code, enterprise.district = name, code, data.district
    return finish(enterprise)
