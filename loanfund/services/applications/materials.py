"""Application materials (申请材料): PDF, JPG or PNG, checked by content, kept outside the web root by checksum."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role, State
from loanfund.extensions import db
from loanfund.models import Application, GroupMeeting, Material, MaterialItem, RulesDocument, SignUp, User
from loanfund.services.access import application_for
from loanfund.services.uow import finish

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10  # at once, in one upload
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # all the files of one upload together (the request limit is just above)
# what one application may hold in all (a bridge needs a handful of documents; this stops a disk being filled)
QUOTA_FILES = 40
QUOTA_BYTES = 100 * 1024 * 1024

# The platform's checklist as first seeded (migration 0015 wrote the same rows); the administrator keeps it after.
DEFAULT_CHECKLIST = (
    ("licence", "营业执照", "enterprise", "accept", True),
    ("loan_contract", "到期贷款合同", "enterprise", "accept", True),
    ("financials", "最近一期财务报表", "enterprise", "accept", True),
    ("credit_authorisation", "征信查询授权书", "enterprise", "accept", False),
    ("credit_report", "企业征信报告", "reviewer", "accept", True),
    ("commitment", "合作银行转贷承诺意见（签字盖章）", "bank", "commit", True),
    ("voucher", "划款凭证", "operator", "authorise-disbursement", False),
    ("other", "其他材料", "any", "accept", False),
)
PROVIDER_LABELS = {
    "enterprise": "申请企业",
    "bank": "合作银行",
    "reviewer": "平台受理",
    "operator": "平台运营",
    "any": "各方",
}
STAGE_LABELS = {"accept": "受理前", "commit": "银行承诺前", "approve": "批准前", "authorise-disbursement": "放款复核前"}
# What the file must start with, whatever its name says: an .exe renamed .pdf is refused.
SIGNATURES: dict[str, tuple[bytes, str]] = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
# While the application is being decided, and not after the money goes out (第十九条: what was formed is the record);
# the bank once the platform has forwarded it; the operator until the transfer voucher of a disbursement is on file.
# Written as the states they allow, so a state added later is closed until someone opens it here.
UPLOAD_STATES = frozenset({State.SUBMITTED, State.ACCEPTED, State.BANK_COMMITTED, State.GROUP_REVIEW, State.APPROVED})
UPLOAD_STATES_BY_ROLE = {
    Role.ENTERPRISE: UPLOAD_STATES,
    Role.BANK: UPLOAD_STATES - {State.SUBMITTED},
    Role.REVIEWER: frozenset({State.SUBMITTED}),  # the 征信 report, before the credit check at acceptance
    Role.OPERATOR: UPLOAD_STATES | {State.DISBURSED},
}


def ensure_checklist(fund_id: int) -> None:
    """Seed the fund's checklist with the default list when it has none (a new fund; a database made without the
    migrations: tests, a first demo)."""
    if db.session.scalar(select(MaterialItem.id).where(MaterialItem.fund_id == fund_id).limit(1)) is None:
        for n, (code, label, by, stage, required) in enumerate(DEFAULT_CHECKLIST, start=1):
            db.session.add(
                MaterialItem(
                    fund_id=fund_id,
                    code=code,
                    label=label,
                    provided_by=by,
                    needed_for=stage,
                    required=required,
                    active=True,
                    position=n,
                )
            )
        db.session.flush()


def checklist(fund_id: int, active_only: bool = True) -> list[MaterialItem]:
    """The fund's checklist in its order."""
    query = select(MaterialItem).where(MaterialItem.fund_id == fund_id).order_by(MaterialItem.position, MaterialItem.id)
    if active_only:
        query = query.where(MaterialItem.active.is_(True))
    return list(db.session.scalars(query))


def labels(fund_id: int) -> dict[str, str]:
    """Every category's name in the fund, retired ones too (a material keeps the category it was filed under)."""
    return {item.code: item.label for item in checklist(fund_id, active_only=False)}


def uploadable(actor: User, application: Application) -> list[MaterialItem]:
    """The items ``actor`` may add to ``application`` now (none when its state is closed to the actor's role)."""
    role = actor.role_enum
    if application.state_enum not in UPLOAD_STATES_BY_ROLE.get(role, frozenset()):
        return []
    return [item for item in checklist(application.fund_id) if item.provided_by in (role.value, "any")]


def missing(application: Application, stage: str) -> list[MaterialItem]:
    """The required items for ``stage`` that ``application`` has no file for."""
    on_file = set(db.session.scalars(select(Material.category).where(Material.application_id == application.id)))
    return [
        item
        for item in checklist(application.fund_id)
        if item.required and item.needed_for == stage and item.code not in on_file
    ]


def explained(
    application: Application, stage: str, reason: str, field: str = "missing_materials_reason"
) -> dict[str, Any]:
    """What the step records about required materials: nothing when all are on file; the missing ones with the reason
    given for going on without them.

    :raise InvalidInput: a required item is missing and no reason is given (named next to ``field``).
    """
    absent = missing(application, stage)
    if not absent:
        return {}
    names = "、".join(item.label for item in absent)
    if not (reason or "").strip():
        raise InvalidInput({field: [f"尚缺必需材料：{names}。请补齐后再办理；如确需先行办理，请填写理由"]})
    return {"missing_materials": [item.label for item in absent], "missing_materials_reason": reason.strip()}


def storage_dir() -> Path:
    path = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "materials")
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_file(filename: str, data: bytes) -> str:
    """The content type of an acceptable file.

    :raise InvalidInput: empty, too large, not PDF/JPG/PNG, or content that does not match the extension.
    """
    if any(unicodedata.category(c).startswith("C") for c in filename or ""):
        # NUL, line breaks, direction overrides: no one names a file with them, and they would reach the disk and
        # the Content-Disposition of every download
        raise InvalidInput({"file": ["文件名含有控制字符，请重命名后再上传"]})
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SIGNATURES:
        raise InvalidInput({"file": ["只接受 PDF、JPG、PNG 格式的文件"]})
    if not data:
        raise InvalidInput({"file": ["文件为空"]})
    if len(data) > MAX_BYTES:
        raise InvalidInput({"file": [f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB"]})
    signature, content_type = SIGNATURES[suffix]
    if not data.startswith(signature):
        raise InvalidInput({"file": ["文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件"]})
    return content_type


def check_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """Files of one upload, each with its content type, once all of them are acceptable (how many, how much, and
    each by ``check_file``).

    :raise InvalidInput: under ``file``, every problem, each file named when there are several.
    """
    files = [(name, data) for name, data in files if name or data]
    if not files:
        raise InvalidInput({"file": ["请选择要上传的文件"]})
    if len(files) > MAX_FILES:
        raise InvalidInput({"file": [f"一次最多上传 {MAX_FILES} 个文件"]})
    if sum(len(data) for _, data in files) > MAX_UPLOAD_BYTES:
        raise InvalidInput({"file": [f"一次上传的文件合计不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请分次上传"]})
    problems: list[str] = []
    checked: list[tuple[str, bytes, str]] = []
    for name, data in files:
        try:
            checked.append((name, data, check_file(name, data)))
        except InvalidInput as exc:
            problems += [f"{Path(name or '').name}：{m}" if len(files) > 1 else m for m in exc.errors["file"]]
    if problems:
        raise InvalidInput({"file": problems})
    return checked


def upload(actor: User, application_id: int, category: str, files: list[tuple[str, bytes]]) -> list[Material]:
    """Add documents to an application: the enterprise its own, the bank its signed commitment, the operator the
    transfer voucher — each as the checklist says. Several files at once, all or none.

    :raise NotFound: not the actor's application.
    :raise NotAllowed: the actor may not add documents to it now.
    :raise InvalidInput: category or a file refused (the file named).
    """
    # locked: two uploads at once cannot both fit the quota that only one of them fits
    application: Application = application_for(actor, application_id, for_update=True)
    allowed = {item.code: item for item in uploadable(actor, application)}
    if not allowed:
        if actor.role_enum not in UPLOAD_STATES_BY_ROLE:
            raise NotAllowed("您的角色不能上传材料", code="role_not_allowed")
        raise NotAllowed(f"当前状态“{application.state_enum.label}”下不能再上传材料", code="state_not_allowed")
    if category not in allowed:
        raise InvalidInput({"category": ["请选择材料类别"]})
    return finish(file_under(actor, application, category, check_files(files)))


def for_new_application(fund_id: int) -> list[MaterialItem]:
    """What an enterprise may attach on the application form itself (its own items of the fund's checklist)."""
    return [item for item in checklist(fund_id) if item.provided_by in ("enterprise", "any")]


def file_under(
    actor: User, application: Application, category: str, checked: list[tuple[str, bytes, str]]
) -> list[Material]:
    """Store checked files under ``category`` in the current transaction (the caller commits), within the
    application's quota (``QUOTA_FILES`` files, ``QUOTA_BYTES`` in all).

    :raise InvalidInput: the quota would be exceeded (nothing is stored).
    """
    held, size = db.session.execute(
        select(func.count(Material.id), func.coalesce(func.sum(Material.size), 0)).where(
            Material.application_id == application.id
        )
    ).one()
    adding = sum(len(data) for _, data, _ in checked)
    if held + len(checked) > QUOTA_FILES or size + adding > QUOTA_BYTES:
        raise InvalidInput(
            {
                "file": [
                    f"每笔申请的材料合计不超过 {QUOTA_FILES} 个文件、{filesize(QUOTA_BYTES)}；"
                    f"本申请已有 {held} 个文件、{filesize(size)}，请合并或压缩后再上传"
                ]
            }
        )
    added = []
    for name, data, content_type in checked:
        digest = store(data)
        material = Material(
            application_id=application.id,
            category=category,
            filename=Path(name).name[:200],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by_id=actor.id,
        )
        db.session.add(material)
        added.append(material)
    db.session.flush()
    return added


def filesize(size: int) -> str:
    """A file's size as people read it (字节, KB, MB)."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def discard_unreferenced(digest: str) -> bool:
    """Delete the stored file ``digest`` when no record holds it any more (a replaced licence); whether it went."""
    for column in (Material.sha256, SignUp.licence_sha256, GroupMeeting.sha256, RulesDocument.sha256):
        if db.session.scalar(select(column).where(column == digest).limit(1)) is not None:
            return False
    (storage_dir() / digest).unlink(missing_ok=True)
    return True


def store(data: bytes) -> str:
    """Keep ``data`` under its SHA-256 in the upload folder (once, however often it comes); the digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = storage_dir() / digest
    if not target.exists():
        target.write_bytes(data)
    return digest


def material_for(actor: User, application_id: int, material_id: int) -> tuple[Material, Path]:
    """A material of an application the actor may see, with where its bytes are.

    :raise NotFound: otherwise.
    """
    application_for(actor, application_id)
    material = db.session.get(Material, material_id)
    if material is None or material.application_id != application_id:
        raise NotFound("未找到该材料")
    return material, storage_dir() / material.sha256


CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


@dataclass(frozen=True)
class ItemInput:
    code: str
    label: str
    provided_by: str
    needed_for: str
    required: bool
    active: bool
    position: int


def item_of(actor: User, item_id: int) -> MaterialItem:
    """An item of the administrator's own fund's checklist. :raise NotFound: no such item, or another fund's."""
    item = db.session.get(MaterialItem, item_id)
    if actor.role_enum is not Role.ADMIN or item is None or item.fund_id != actor.fund_id:
        raise NotFound("未找到该材料项")
    return item


def save_item(actor: User, item_id: int | None, data: ItemInput) -> MaterialItem:
    """The administrator adds a checklist item or changes one (a code, once used by a file, stays: materials keep it).

    :raise NotAllowed: not the administrator. :raise NotFound: no such item.
    :raise InvalidInput: every bad field at once.
    """
    if actor.role_enum is not Role.ADMIN or actor.fund_id is None:
        raise NotAllowed("只有系统管理员可以维护材料清单", code="role_not_allowed")
    # another fund's: as if it did not exist
    item = item_of(actor, item_id) if item_id is not None else MaterialItem(fund_id=actor.fund_id)
    errors: dict[str, list[str]] = {}
    code = (data.code or "").strip()
    if item_id is None:
        if not CODE.match(code):
            errors["code"] = ["代码用小写英文字母、数字和下划线，以字母开头，2–32 位"]
        elif (
            db.session.scalar(
                select(MaterialItem.id).where(MaterialItem.fund_id == actor.fund_id, MaterialItem.code == code)
            )
            is not None
        ):
            errors["code"] = [f"代码 {code} 已存在"]
    label = (data.label or "").strip()
    if not label:
        errors["label"] = ["请填写材料名称"]
    elif len(label) > 100:
        errors["label"] = ["不能超过 100 个字符"]
    if data.provided_by not in PROVIDER_LABELS:
        errors["provided_by"] = ["请选择提供方"]
    if data.needed_for not in STAGE_LABELS:
        errors["needed_for"] = ["请选择何时需要"]
    if not 0 <= data.position <= 999:
        errors["position"] = ["排序为 0–999 的整数"]
    if errors:
        raise InvalidInput(errors)
    if item_id is None:
        item.code = code
        db.session.add(item)
    item.label, item.provided_by, item.needed_for = label, data.provided_by, data.needed_for
    item.required, item.active, item.position = data.required, data.active, data.position
    return finish(item)


LICENCE = "licence"  # the checklist's code for the business licence (营业执照)


@dataclass(frozen=True)
class LicenceOnFile:
    """The newest business licence the platform holds for an enterprise, and where it came from."""

    filename: str
    content_type: str
    sha256: str
    size: int
    uploaded_by_id: int
    source: str  # 注册审核 or the application it was filed with


def licence_on_file(enterprise_id: int) -> LicenceOnFile | None:
    """Ask once (issue 30): the licence the enterprise's sign-up was vetted against, or one filed later with any of
    its applications — whichever came last, as the newer replaces the older — while its file is kept."""
    filed = db.session.execute(
        select(Material, Application.id)
        .join(Application, Application.id == Material.application_id)
        .where(Application.enterprise_id == enterprise_id, Material.category == LICENCE)
        .order_by(Material.created_at.desc(), Material.id.desc())
        .limit(1)
    ).first()
    vetted = db.session.scalars(
        select(SignUp)
        .where(SignUp.enterprise_id == enterprise_id, SignUp.state == "vetted", SignUp.licence_sha256.is_not(None))
        .order_by(SignUp.decided_at.desc(), SignUp.id.desc())
        .limit(1)
    ).first()
    found = []
    if filed is not None:
        material, application_id = filed
        reference = db.session.get_one(Application, application_id).reference
        found.append(
            (
                material.created_at,
                LicenceOnFile(
                    material.filename,
                    material.content_type,
                    material.sha256,
                    material.size,
                    material.uploaded_by_id,
                    f"申请 {reference}",
                ),
            )
        )
    if vetted is not None and vetted.decided_at is not None and vetted.licence_sha256:
        path = storage_dir() / vetted.licence_sha256
        if path.exists():
            found.append(
                (
                    vetted.decided_at,
                    LicenceOnFile(
                        vetted.licence_name or "营业执照",
                        vetted.licence_type or "application/pdf",
                        vetted.licence_sha256,
                        path.stat().st_size,
                        vetted.user_id,
                        "注册审核",
                    ),
                )
            )
    return max(found, key=lambda pair: pair[0])[1] if found else None


def carry_licence(application: Application) -> Material | None:
    """File the enterprise's licence on file under the new application's checklist (when the fund's checklist asks
    for one): the SME uploads it once, not with every application. Part of the caller's transaction."""
    wanted = db.session.scalar(
        select(MaterialItem.id).where(
            MaterialItem.fund_id == application.fund_id, MaterialItem.code == LICENCE, MaterialItem.active.is_(True)
        )
    )
    licence = licence_on_file(application.enterprise_id) if wanted is not None else None
    if licence is None:
        return None
    material = Material(
        application_id=application.id,
        category=LICENCE,
        filename=licence.filename[:200],
        content_type=licence.content_type,
        size=licence.size,
        sha256=licence.sha256,
        uploaded_by_id=licence.uploaded_by_id,
    )
    db.session.add(material)
    return material
