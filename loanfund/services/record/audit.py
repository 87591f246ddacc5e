"""The audit record, written by the database session itself: whatever a flush inserts, changes or deletes in the
fund's tables becomes one ``AuditRecord`` — who, when, what, the values before and after — in the same transaction,
chained by SHA-256 to the record before it. Nothing has to remember to call it, so a new service cannot forget.

Not recorded: what is not the fund's data (login limits and records, sessions, tokens, idempotency keys, notices,
mail, watch marks) and what is derived from the recorded rows and reconciled with them (the fund position row, the
ledger's accounts and running totals). The journal's entries and legs are recorded: an entry put in behind the
application with its totals kept in step would otherwise balance and reconcile. A password hash is never written
out, only a digest of it (a change shows, the hash does not).

Tampering shows: ``verify()`` recomputes every hash from the first record and names the first row whose content,
order or link does not match. Each hash is an HMAC-SHA-256 under the audit key (``AUDIT_KEY``, held by the
application's configuration, never by the database), so someone with only the database's login cannot append a record
that verifies. The chain cannot show the newest rows cut off by someone who also rewrites the head row — the head's
hash is printed by ``verify-audit`` and shown on the audit page, to be noted outside the database (with each month's
report, say), so that a copy exists where the database's owner cannot reach.

History the database enforces: ``compare()`` replays each row's records into its last audited image and names every
row of the audited tables whose current content differs from it, was never recorded, or is gone without a record —
a change made with the application's database login (or by the tables' owner with the triggers off) shows there. On
PostgreSQL the protected tables also refuse, at commit, a change whose own audit record is not written in the same
transaction (migration 0032's ``loanfund_recorded()``): the application says where its transaction's records begin
(``loanfund.audit_from``) when it appends them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from flask import current_app, g, has_request_context
from sqlalchemy import Table, event, inspect, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from loanfund import clock
from loanfund.domain.money import Money
from loanfund.extensions import Base, db
from loanfund.models import Application, Bank, BankClaim, User
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
        "journal_entries",
        "journal_legs",
        "bank_formats",
        "bank_statement_imports",
        "bank_statement_matches",
        "ledger_imports",
    }
)
SECRET = frozenset({"password_hash"})
# what a record written before a keyed row's column existed meant by leaving it out: settings became a fund's in
# migration 0043, and every setting there was then became the first fund's
_BEFORE_FUNDS = {"fund_id": 1}
UNCHANGED = frozenset({"updated_at"})
HIDDEN = "（已更改，不记录）"  # how a secret's value was recorded before its digest was (records before migration 0032)
SECRET_MARK = "摘要:"  # a secret is recorded as the SHA-256 of its stored form: it shows a change, never the value
# the tables whose every change must come with its own audit record in the same transaction (PostgreSQL refuses the
# commit otherwise): who may act, the banks and where their money goes, the blacklist, the rules, and money's history
PROTECTED = (
    "users",
    "settings",
    "banks",
    "bank_liaisons",
    "bank_account_changes",
    "blacklist_entries",
    "policy_versions",
    "receipts",
    "application_events",
    "bank_claims",
    "bank_claim_payments",
    "journal_entries",
    "journal_legs",
    "bank_formats",
    "bank_statement_imports",
    "bank_statement_matches",
)

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


def value_of(key: str, value: Any) -> Any:
    """A column's value as its record keeps it (a secret as its digest)."""
    if key in SECRET:
        return None if value is None else SECRET_MARK + hashlib.sha256(str(value).encode()).hexdigest()
    return _plain(value)


def _loaded(obj: Any) -> dict[str, Any]:
    """The row's column values as the session holds them (nothing is read again from the database inside a flush)."""
    held = inspect(obj).dict
    return {c.key: value_of(c.key, held.get(c.key)) for c in _columns(obj)}


# action, table, id, old, new, and the row itself (whose fund the record is filed under)
Change = tuple[str, str, int | None, dict[str, Any] | None, dict[str, Any] | None, Any]


def _changes(session: Session) -> list[Change]:
    found: list[Change] = []
    for obj in session.new:
        table = getattr(obj, "__tablename__", None)
        if table in AUDITED:
            found.append(("insert", table, inspect(obj).dict.get("id"), None, _loaded(obj), obj))
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
                    old[column.key], new[column.key] = value_of(column.key, before), value_of(column.key, after)
        if new:
            for key in _named_by(obj):  # a row not numbered by ``id`` (a setting) says which row it is
                old[key] = new[key] = value_of(key, state.dict.get(key))
            found.append(("update", table, state.dict.get("id"), old, new, obj))
    for obj in session.deleted:
        table = getattr(obj, "__tablename__", None)
        if table in AUDITED:
            found.append(("delete", table, inspect(obj).dict.get("id"), _loaded(obj), None, obj))
    return found


# a row that does not carry its fund is of the fund of the row it belongs to (DESIGN §7): that row as the session
# holds it, else its fund read (a claim's through its application)
_FUND_THROUGH: dict[str, tuple[type[Any], str]] = {
    "application_id": (Application, "SELECT fund_id FROM applications WHERE id = :id"),
    "bank_id": (Bank, "SELECT fund_id FROM banks WHERE id = :id"),
    "claim_id": (
        BankClaim,
        "SELECT a.fund_id FROM bank_claims c JOIN applications a ON a.id = c.application_id WHERE c.id = :id",
    ),
}


def _fund_of(connection: Any, obj: Any, known: dict[tuple[str, int], int | None]) -> int | None:
    """The fund whose record a change of ``obj`` is: its own ``fund_id``, else that of its application, bank or
    claim; None for the platform's rows (an enterprise, an enterprise's or the platform's user)."""
    state = inspect(obj)
    held = state.dict
    if hasattr(type(obj), "fund_id"):
        own: int | None = held.get("fund_id")
        return own
    for column, (model, query) in _FUND_THROUGH.items():
        row_id = held.get(column)
        if row_id is None:
            continue
        if (column, row_id) not in known:
            parent = state.session.identity_map.get(identity_key(model, (row_id,))) if state.session else None
            if parent is not None:
                known[column, row_id] = _fund_of(connection, parent, known)
            else:
                known[column, row_id] = connection.execute(text(query), {"id": row_id}).scalar()
        return known[column, row_id]
    return None


def _named_by(obj_or_class: Any) -> tuple[str, ...]:
    """The keys of a row's primary key when it is not the ``id`` the record's ``subject_id`` holds (a setting's)."""
    mapper = inspect(obj_or_class) if isinstance(obj_or_class, type) else inspect(obj_or_class).mapper
    keys = tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)
    return () if keys == ("id",) else keys


def content(row: dict[str, Any]) -> bytes:
    """The canonical bytes of a record's content (what its hash covers besides the previous hash)."""
    keys = ("seq", "at", "actor_id", "actor_role", "action", "subject", "subject_id", "old", "new", "note")
    return json.dumps({k: row[k] for k in keys}, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain(prev_hash: str, row: dict[str, Any], key: bytes | None = None) -> str:
    """The record's hash: HMAC-SHA-256 under ``key`` over the previous hash and the content (plain SHA-256 for the
    records written before the chain was keyed, migration 0032)."""
    message = prev_hash.encode() + b"\n" + content(row)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A key's name in the records: enough to tell keys apart, nothing to recover one from."""
    return hashlib.sha256(b"loanfund audit key\n" + key).hexdigest()[:16]


def keys() -> tuple[bytes, dict[str, bytes]]:
    """The key new records are signed with, and every key a record may carry (the current one and
    ``AUDIT_RETIRED_KEYS``) by its name. Without ``AUDIT_KEY`` the key is derived from ``SECRET_KEY``."""
    config = current_app.config
    given = config.get("AUDIT_KEY")
    if given:
        current = str(given).encode()
    else:
        current = hmac.new(str(config["SECRET_KEY"]).encode(), b"loanfund audit chain", hashlib.sha256).digest()
    known = {key_id(current): current}
    for retired in config.get("AUDIT_RETIRED_KEYS") or ():
        known.setdefault(key_id(str(retired).encode()), str(retired).encode())
    return current, known


def _hold_head(connection: Any) -> tuple[int, str]:
    """Lock the head row until the transaction ends and read it fresh: the row lock queues every other writer."""
    head_table = cast(Table, AuditHead.__table__)
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
    head_table = cast(Table, AuditHead.__table__)
    seq, prev = _hold_head(connection)
    if connection.dialect.name == "postgresql":  # where this transaction's records begin (for loanfund_recorded())
        connection.execute(
            text(
                "SELECT set_config('loanfund.audit_from', "
                "coalesce(nullif(current_setting('loanfund.audit_from', true), ''), :seq), true)"
            ),
            {"seq": str(seq)},
        )
    key, _known = keys()
    signer = key_id(key)
    at = clock.utcnow()
    actor_id, actor_role = _who()
    rows = []
    funds: dict[tuple[str, int], int | None] = {}
    for action, subject, subject_id, old, new, obj in changes:
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
        digest = chain(prev, row, key)
        fund_id = _fund_of(connection, obj, funds)
        rows.append(row | {"at": at, "prev_hash": prev, "hash": digest, "key_id": signer, "fund_id": fund_id})
        prev = digest
    connection.execute(cast(Table, AuditRecord.__table__).insert(), rows)
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
    _key, known = keys()
    keyed = False
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
            if record.key_id is None and keyed:
                return Verdict(count, prev, record.seq, f"第 {record.seq} 条记录没有以审计密钥签署（伪造的记录）")
            key = None if record.key_id is None else known.get(record.key_id)
            if record.key_id is not None and key is None:
                return Verdict(
                    count, prev, record.seq, f"第 {record.seq} 条记录以未知的密钥签署（密钥标识 {record.key_id}）"
                )
            keyed = keyed or key is not None
            if chain(prev, _row_of(record), key) != record.hash:
                return Verdict(count, prev, record.seq, f"第 {record.seq} 条记录的内容与其哈希不符（被改动过）")
            prev, expected, count, last = record.hash, expected + 1, count + 1, record.seq
        db.session.expunge_all()
    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)).first()
    if head is not None and (head.seq != count or head.hash != prev):
        return Verdict(
            count, prev, count + 1 if head.seq > count else count, "链头与最后一条记录不符（记录被截去或链头被改）"
        )
    return Verdict(count, prev)


@dataclass(frozen=True)
class Difference:
    """A row of an audited table that is not what its audit record says it is."""

    subject: str
    row_id: int
    problem: str
    columns: tuple[str, ...] = ()
    row_key: str = ""  # the row's own key where it is not numbered (a setting's name)


NEVER_RECORDED = "表中有这一行，审计记录中没有它的新增"
GONE_UNRECORDED = "这一行已不在表中，审计记录中没有它的删除"
DELETED_BUT_HERE = "审计记录中这一行已删除，表中仍在"
CHANGED_UNRECORDED = "与最后一次审计记录不符"


def compare(batch: int = 2000) -> list[Difference]:
    """Every row of the audited tables against its last audited image (its records replayed: the insert's values, each
    update's), table by table and in id windows, so memory stays flat. Names the rows changed, put in or removed
    without their record, and which columns differ. Columns a later migration added are not in older images and are
    not compared; ``updated_at`` is not recorded on updates and not compared."""
    mappers = {getattr(m.class_, "__tablename__", None): m.class_ for m in Base.registry.mappers}
    found: list[Difference] = []
    for table in sorted(AUDITED):
        model = mappers[table]
        found.extend(_compare_keyed(table, model) if _named_by(model) else _compare_table(table, model, batch))
    return found


def _compare_keyed(table: str, model: Any) -> Iterator[Difference]:
    """A small table numbered by its own key (the settings: fund and key): its records in order, each row found by the
    key the record carries. An update recorded before records carried the key (before migration 0032) cannot be
    placed: the columns it changed are not compared until a later record of the row says them again. A record written
    before settings were a fund's (migration 0043) names the key alone: it is the first fund's, as the row became."""
    keys = _named_by(model)

    def named(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values.get(k, _BEFORE_FUNDS.get(k)) for k in keys)

    images: dict[Any, dict[str, Any] | None] = {}
    unknown: dict[Any, set[str]] = {}
    for record in db.session.scalars(select(AuditRecord).where(AuditRecord.subject == table).order_by(AuditRecord.seq)):
        new, old = record.new or {}, record.old or {}
        if record.action == "insert":
            images[named(new)], unknown[named(new)] = dict(new), set()
        elif record.action == "delete":
            images[named(old)] = None
        elif all(k in new or k in _BEFORE_FUNDS for k in keys):
            image = images.get(named(new))
            if image is None:
                image = images[named(new)] = {}
            image.update(new)
            unknown.setdefault(named(new), set()).difference_update(new)
        else:
            for row in images:
                unknown.setdefault(row, set()).update(new)
    current = {named(_loaded(r)): _loaded(r) for r in db.session.scalars(select(model))}
    for row_key in sorted(current.keys() | images.keys(), key=str):
        image = images.get(row_key)
        if image is not None:
            image = {k: v for k, v in image.items() if k not in unknown.get(row_key, set())}
        named_parts = dict(zip(keys, row_key, strict=True))
        label = str(named_parts.pop("key", ""))
        label += "".join(f"（资金 {v}）" for v in named_parts.values())
        for found in _differ(table, 0, (row_key in images, image), current.get(row_key)):
            yield Difference(found.subject, found.row_id, found.problem, found.columns, label)


def _compare_table(table: str, model: Any, batch: int) -> Iterator[Difference]:
    mapper = inspect(model)
    # the optimistic lock's counter moves with every flush and is not the fund's data: not recorded, not compared
    skip = {mapper.get_property_by_column(mapper.version_id_col).key} if mapper.version_id_col is not None else set()
    last = 0
    while True:
        rows = list(db.session.scalars(select(model).where(model.id > last).order_by(model.id).limit(batch)))
        upto = rows[-1].id if rows else None
        images = _images(table, last, upto)
        current = {row.id: _loaded(row) for row in rows}
        db.session.expunge_all()
        for row_id in sorted(current.keys() | images.keys()):
            yield from _differ(table, row_id, images.get(row_id, (False, None)), current.get(row_id), skip)
        if upto is None:
            return
        last = upto


def _images(table: str, after: int, upto: int | None) -> dict[int, tuple[bool, dict[str, Any] | None]]:
    """Each row's replayed image for ids in (after, upto]: (recorded at all, its values or None once deleted)."""
    query = (
        select(AuditRecord.subject_id, AuditRecord.action, AuditRecord.new)
        .where(AuditRecord.subject == table, AuditRecord.subject_id > after)
        .order_by(AuditRecord.subject_id, AuditRecord.seq)
    )
    if upto is not None:
        query = query.where(AuditRecord.subject_id <= upto)
    images: dict[int, tuple[bool, dict[str, Any] | None]] = {}
    for row_id, records in itertools.groupby(db.session.execute(query), key=lambda r: r.subject_id):
        image: dict[str, Any] | None = None
        for record in records:
            if record.action == "delete":
                image = None
            elif record.action == "insert" or image is None:
                image = dict(record.new or {})
            else:
                image.update(record.new or {})
        images[row_id] = (True, image)
    return images


def _differ(
    table: str,
    row_id: int,
    recorded: tuple[bool, dict[str, Any] | None],
    now: dict[str, Any] | None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> Iterator[Difference]:
    seen, image = recorded
    if now is None:
        if image is not None:
            yield Difference(table, row_id, GONE_UNRECORDED)
        return
    if not seen:
        yield Difference(table, row_id, NEVER_RECORDED)
        return
    if image is None:
        yield Difference(table, row_id, DELETED_BUT_HERE)
        return
    columns = tuple(
        key
        for key in image
        if key in now and key not in UNCHANGED and key not in skip and not _same(key, image[key], now[key])
    )
    if columns:
        yield Difference(table, row_id, CHANGED_UNRECORDED, columns)


def _same(key: str, recorded: Any, now: Any) -> bool:
    """Whether a recorded value is the row's value: the same JSON, or the same number or moment written another way
    (a Decimal's trailing zeros, a time's offset as the database gives it back)."""
    if recorded == now or (key in SECRET and recorded == HIDDEN):
        return True
    if not (isinstance(recorded, str) and isinstance(now, str)):
        return False
    try:
        return Decimal(recorded) == Decimal(now)
    except ArithmeticError:
        pass
    try:
        return datetime.fromisoformat(recorded) == datetime.fromisoformat(now)
    except (TypeError, ValueError):
        return False


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
    "journal_entries": "记账分录",
    "journal_legs": "分录明细",
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


def search(fund_id: int, criteria: Search, *, before_seq: int | None = None, limit: int = PAGE) -> list[AuditRecord]:
    """The fund's records (and the platform's: enterprises and their users, which every fund serving them keeps)
    matching ``criteria``, newest first, ``limit`` of them older than ``before_seq`` (keyset pages)."""
    from sqlalchemy.orm import joinedload

    query = (
        select(AuditRecord)
        .where(or_(AuditRecord.fund_id == fund_id, AuditRecord.fund_id.is_(None)))
        .options(joinedload(AuditRecord.actor))
        .order_by(AuditRecord.seq.desc())
        .limit(limit)
    )
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
