"""The audit record, written by the database session itself: whatever a flush inserts, changes or deletes in the
fund's tables becomes one ``AuditRecord`` — who, when, what, the values before and after — in the same transaction,
chained by SHA-256 to the record before it. Nothing has to remember to call it, so a new service cannot forget.

Not recorded: what is not the fund's data (login limits and records, sessions, tokens, idempotency keys, notices,
mail, watch marks) and what is derived and reconciled on its own (the fund position row, the ledger's accounts,
entries and legs — ``reconcile`` checks those against the receipts). A password hash is never written out, only that
it changed.

Tampering shows: ``verify()`` recomputes every hash from the first record and names the first row whose content,
order or link does not match. The chain cannot show the newest rows cut off by someone who also rewrites the head
row — the head's hash is printed by ``verify-audit`` and shown on the audit page, to be noted outside the database
(with each month's report, say), so that a copy exists where the database's owner cannot reach.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from loanfund import clock
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import User
from loanfund.models.audit import AuditHead, AuditRecord

GENESIS = "0" * 64
HEAD_ID = 1
AUDITED = frozenset(
    {
        "users",
        "settings",
        "banks",
        "bank_liaisons",
        "bank_account_changes",
        "enterprises",
        "blacklist_entries",
        "contributors",
        "contributions",
        "distributions",
        "bank_claims",
        "bank_claim_payments",
        "policy_versions",
        "applications",
        "application_events",
        "receipts",
        "materials",
        "material_items",
        "recovery_records",
        "monthly_reports",
        "usage_statements",
        "green_channel_letters",
        "group_meetings",
        "group_decisions",
        "rules_documents",
    }
)
SECRET = frozenset({"password_hash"})
UNCHANGED = frozenset({"updated_at"})

_actor: ContextVar[User | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Changes made in the block are recorded as ``user``'s (a command run for someone, a background job)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def _who() -> tuple[int | None, str]:
    user = _actor.get()
    if user is None and has_request_context():
        user = g.get("api_user") or g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "id", None):
        return user.id, user.role
    return None, "public" if has_request_context() else "system"


def _plain(value: Any) -> Any:
    """A value as the record keeps it (and hashes it): JSON's own types only."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return str(value)


def _columns(obj: Any) -> list[Any]:
    return list(inspect(obj).mapper.column_attrs)


def _value(key: str, value: Any) -> Any:
    return "（已更改，不记录）" if key in SECRET else _plain(value)


def _loaded(obj: Any) -> dict[str, Any]:
    """The row's column values as the session holds them (nothing is read again from the database inside a flush)."""
    held = inspect(obj).dict
    return {c.key: _value(c.key, held.get(c.key)) for c in _columns(obj)}


def _changes(session: Session) -> list[tuple[str, str, int | None, dict[str, Any] | None, dict[str, Any] | None]]:
    found = []
    for obj in session.new:
        table = getattr(obj, "__tablename__", None)
        if table in AUDITED:
            found.append(("insert", table, inspect(obj).dict.get("id"), None, _loaded(obj)))
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", None)
        if table not in AUDITED or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        old: dict[str, Any] = {}
        new = {}
        for column in _columns(obj):
            if column.key in UNCHANGED:
                continue
            history = state.attrs[column.key].history
            if history.has_changes():
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                if before != after:
                    old[column.key], new[column.key] = _value(column.key, before), _value(column.key, after)
        if new:
            found.append(("update", table, state.dict.get("id"), old, new))
    for obj in session.deleted:
        table = getattr(obj, "__tablename__", None)
        if table in AUDITED:
            found.append(("delete", table, inspect(obj).dict.get("id"), _loaded(obj), None))
    return found


def content(row: dict[str, Any]) -> bytes:
    """The canonical bytes of a record's content (what its hash covers besides the previous hash)."""
    keys = ("seq", "at", "actor_id", "actor_role", "action", "subject", "subject_id", "old", "new", "note")
    return json.dumps({k: row[k] for k in keys}, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content(row)).hexdigest()


def _hold_head(connection: Any) -> tuple[int, str]:
    """Lock the head row until the transaction ends and read it fresh: the row lock queues every other writer."""
    head_table = AuditHead.__table__
    locked = update(head_table).where(head_table.c.id == HEAD_ID).values(seq=head_table.c.seq)
    head = connection.execute(locked.returning(head_table.c.seq, head_table.c.hash)).first()
    if head is None:
        connection.execute(head_table.insert().values(id=HEAD_ID, seq=0, hash=GENESIS))
        head = connection.execute(locked.returning(head_table.c.seq, head_table.c.hash)).first()
    return int(head.seq), str(head.hash)


def take_turn() -> None:
    """Queue behind every other writer now rather than at the next flush. Whoever moves the fund's position calls
    this first, so that every transaction takes the two shared rows in one order — the record's head, then the
    position. One that took the position first and the head at its next flush (a disbursement with nothing pending)
    deadlocked on PostgreSQL with one that flushed first (a return, its receipt added): 40P01, a refused step."""
    _hold_head(db.session.connection())


def _append(session: Session, flush_context: Any) -> None:
    changes = _changes(session)
    if not changes:
        return
    connection = session.connection()
    head_table = AuditHead.__table__
    seq, prev = _hold_head(connection)
    at = clock.utcnow()
    actor_id, actor_role = _who()
    rows = []
    for action, subject, subject_id, old, new in changes:
        seq += 1
        row = {
            "seq": seq,
            "at": at.isoformat(),
            "actor_id": actor_id,
            "actor_role": actor_role,
            "action": action,
            "subject": subject,
            "subject_id": subject_id,
            "old": old,
            "new": new,
            "note": "",
        }
        digest = chain(prev, row)
        rows.append(row | {"at": at, "prev_hash": prev, "hash": digest})
        prev = digest
    connection.execute(AuditRecord.__table__.insert(), rows)
    connection.execute(update(head_table).where(head_table.c.id == HEAD_ID).values(seq=seq, hash=prev))


def register() -> None:
    """Write the audit record with every flush (once per process; the listener is on every session)."""
    if not event.contains(Session, "after_flush", _append):
        event.listen(Session, "after_flush", _append)


@dataclass(frozen=True)
class Verdict:
    records: int
    head: str
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(batch: int = 5000) -> Verdict:
    """Recompute the chain from the first record, in ``seq`` order and in batches; the first record that does not
    follow from the one before it (content changed, a record removed or put in) is named."""
    prev, expected, count = GENESIS, 1, 0
    last = 0
    while True:
        records = db.session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last).order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not records:
            break
        for record in records:
            if record.seq != expected:
                return Verdict(count, prev, expected, f"第 {expected} 条记录缺失（下一条为第 {record.seq} 条）")
            if record.prev_hash != prev:
                return Verdict(count, prev, record.seq, f"第 {record.seq} 条记录与前一条的链接不符")
            if chain(prev, _row_of(record)) != record.hash:
                return Verdict(count, prev, record.seq, f"第 {record.seq} 条记录的内容与其哈希不符（被改动过）")
            prev, expected, count, last = record.hash, expected + 1, count + 1, record.seq
        db.session.expunge_all()
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)).first()
    if head is not None and (head.seq != count or head.hash != prev):
        return Verdict(
            count, prev, count + 1 if head.seq > count else count, "链头与最后一条记录不符（记录被截去或链头被改）"
        )
    return Verdict(count, prev)


def _row_of(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "at": record.at.isoformat(),
        "actor_id": record.actor_id,
        "actor_role": record.actor_role,
        "action": record.action,
        "subject": record.subject,
        "subject_id": record.subject_id,
        "old": record.old,
        "new": record.new,
        "note": record.note,
    }


SUBJECTS = {
    "users": "用户",
    "settings": "预警设置",
    "banks": "合作银行",
    "bank_liaisons": "银行联络专人",
    "bank_account_changes": "银行账户变更",
    "enterprises": "企业",
    "blacklist_entries": "黑名单",
    "contributors": "出资人",
    "contributions": "出资",
    "distributions": "收益分配",
    "bank_claims": "银行赔付责任",
    "bank_claim_payments": "银行赔付款",
    "policy_versions": "政策版本",
    "applications": "申请",
    "application_events": "申请事件",
    "receipts": "收款登记",
    "materials": "申请材料",
    "material_items": "材料清单",
    "recovery_records": "追偿记录",
    "monthly_reports": "月度分析",
    "usage_statements": "使用情况表",
    "green_channel_letters": "绿色通道函",
    "group_meetings": "领导小组会议",
    "group_decisions": "领导小组决定",
    "rules_documents": "管理制度",
}
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}
PAGE = 100


@dataclass(frozen=True)
class Search:
    subject: str = ""
    subject_id: int | None = None
    actor: str = ""  # a username
    since: date | None = None
    until: date | None = None


def search(criteria: Search, *, before_seq: int | None = None, limit: int = PAGE) -> list[AuditRecord]:
    """Records matching ``criteria``, newest first, ``limit`` of them older than ``before_seq`` (keyset pages)."""
    from sqlalchemy.orm import joinedload

    query = select(AuditRecord).options(joinedload(AuditRecord.actor)).order_by(AuditRecord.seq.desc()).limit(limit)
    if criteria.subject:
        query = query.where(AuditRecord.subject == criteria.subject)
    if criteria.subject_id is not None:
        query = query.where(AuditRecord.subject_id == criteria.subject_id)
    if criteria.actor:
        query = query.join(User, User.id == AuditRecord.actor_id).where(User.username == criteria.actor)
    if criteria.since is not None:
        query = query.where(AuditRecord.at >= clock.day_start(criteria.since))
    if criteria.until is not None:
        query = query.where(AuditRecord.at < clock.day_start(criteria.until + timedelta(days=1)))
    if before_seq is not None:
        query = query.where(AuditRecord.seq < before_seq)
    return list(db.session.scalars(query))


def head() -> tuple[int, str]:
    """The chain's length and last hash as the head row holds them."""
    row = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)).first()
    return (int(row.seq), str(row.hash)) if row is not None else (0, GENESIS)
