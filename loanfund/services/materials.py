"""Application materials (申请材料): PDF, JPG or PNG, checked by content, kept outside the web root by checksum."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from flask import current_app

from loanfund.domain.errors import InvalidInput, NotAllowed
from loanfund.domain.lifecycle import Role, State
from loanfund.extensions import db
from loanfund.models import Application, Material, User
from loanfund.services.access import application_for
from loanfund.services.uow import finish

MAX_BYTES = 10 * 1024 * 1024
CATEGORIES = {
    "licence": "营业执照",
    "loan_contract": "到期贷款合同",
    "financials": "财务报表",
    "commitment": "银行续贷承诺",
    "other": "其他材料",
}
# What the file must start with, whatever its name says: an .exe renamed .pdf is refused.
SIGNATURES: dict[str, tuple[bytes, str]] = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
# While the application is being decided, and not after the money goes out (第十九条: what was formed is the record).
# Written as the states it allows, so a state added later is closed until someone opens it here.
UPLOAD_STATES = frozenset({State.SUBMITTED, State.ACCEPTED, State.BANK_COMMITTED, State.GROUP_REVIEW, State.APPROVED})


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


def upload(actor: User, application_id: int, category: str, filename: str, data: bytes) -> Material:
    """The enterprise adds a document to its application, before the money goes out.

    :raise NotFound: not the actor's application.
    :raise NotAllowed: not the enterprise, or the application no longer takes materials.
    :raise InvalidInput: category or file refused.
    """
    application: Application = application_for(actor, application_id)
    if actor.role_enum is not Role.ENTERPRISE:
        raise NotAllowed("只有申请企业可以上传材料", code="role_not_allowed")
    if application.state_enum not in UPLOAD_STATES:
        raise NotAllowed(f"当前状态“{application.state_enum.label}”下不能再上传材料", code="state_not_allowed")
    if category not in CATEGORIES:
        raise InvalidInput({"category": ["请选择材料类别"]})
    content_type = check_file(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    target = storage_dir() / digest
    if not target.exists():
        target.write_bytes(data)
    material = Material(
        application_id=application.id,
        category=category,
        filename=Path(filename).name[:200],
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by_id=actor.id,
    )
    db.session.add(material)
    return finish(material)


def material_for(actor: User, application_id: int, material_id: int) -> tuple[Material, Path]:
    """A material of an application the actor may see, with where its bytes are.

    :raise NotFound: otherwise.
    """
    from loanfund.domain.errors import NotFound

    application_for(actor, application_id)
    material = db.session.get(Material, material_id)
    if material is None or material.application_id != application_id:
        raise NotFound("未找到该材料")
    return material, storage_dir() / material.sha256
