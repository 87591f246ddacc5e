"""Each fund its own cooperating banks (issue 27, DESIGN §7): a bank row is a bank's cooperation with one fund — its
agreement and its designated account — with code and name unique within the fund; an application goes through a
bank of its own fund, and a bank's officer works for the fund the bank's agreement is with (composite foreign keys;
on SQLite, whose applications and users are not rebuilt, triggers hold them as 0035's do).

Every bank there is the first fund's. A database that already let another fund use one of them (the demo of 0035–0044:
the county's ICBC officer and its applications on the city's ICBC row) gets a copy of that bank in the other fund,
and its officers, applications and claims are moved onto the copy — each change with its signed audit record, as the
application writes them, so that the history still verifies.

Revision ID: 0045_fund_banks
Revises: 0044_fund_group_register
Create Date: 2026-12-07 11:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0045_fund_banks'
down_revision = '0044_fund_group_register'
branch_labels = None
depends_on = None

NOTE = "迁移 0045：合作银行分资金登记，另一资金使用的银行复制到该资金名下"
TRIGGERS = {
    "applications_bank_fund_{event}": (
        "CREATE TRIGGER applications_bank_fund_{event} BEFORE {EVENT} ON applications "
        "WHEN NOT EXISTS (SELECT 1 FROM banks b WHERE b.id = NEW.bank_id AND b.fund_id = NEW.fund_id) "
        "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: bank_of_its_fund'); END"
    ),
    "users_bank_fund_{event}": (
        "CREATE TRIGGER users_bank_fund_{event} BEFORE {EVENT} ON users "
        "WHEN NEW.bank_id IS NOT NULL AND NEW.fund_id IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM banks b WHERE b.id = NEW.bank_id AND b.fund_id = NEW.fund_id) "
        "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: bank_of_its_fund'); END"
    ),
}


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("banks") as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("banks") as batch_op:
        batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_foreign_key(op.f("fk_banks_fund_id_funds"), "funds", ["fund_id"], ["id"])
        batch_op.create_index(op.f("ix_banks_fund_id"), ["fund_id"], unique=False)
        batch_op.drop_constraint(op.f("uq_banks_code"), type_="unique")
        batch_op.drop_constraint(op.f("uq_banks_name"), type_="unique")
        batch_op.create_unique_constraint("uq_banks_fund_code", ["fund_id", "code"])
        batch_op.create_unique_constraint("uq_banks_fund_name", ["fund_id", "name"])
        batch_op.create_unique_constraint("uq_banks_of_its_fund", ["id", "fund_id"])
    _split_shared_banks(bind)
    if sqlite:
        for name, sql in TRIGGERS.items():
            for event in ("insert", "update"):
                op.execute(sql.format(event=event, EVENT=event.upper()))
        return
    op.create_foreign_key(
        "fk_applications_bank_of_its_fund", "applications", "banks", ["bank_id", "fund_id"], ["id", "fund_id"]
    )
    op.create_foreign_key("fk_users_bank_of_its_fund", "users", "banks", ["bank_id", "fund_id"], ["id", "fund_id"])


def _split_shared_banks(bind):
    meta = sa.MetaData()
    banks = sa.Table("banks", meta, autoload_with=bind)
    users = sa.Table("users", meta, autoload_with=bind)
    applications = sa.Table("applications", meta, autoload_with=bind)
    claims = sa.Table("bank_claims", meta, autoload_with=bind)
    used = sa.union(
        sa.select(users.c.fund_id, users.c.bank_id)
        .join(banks, banks.c.id == users.c.bank_id)
        .where(users.c.fund_id != banks.c.fund_id),
        sa.select(applications.c.fund_id, applications.c.bank_id)
        .join(banks, banks.c.id == applications.c.bank_id)
        .where(applications.c.fund_id != banks.c.fund_id),
    )
    pairs = sorted(bind.execute(used).all())
    if not pairs:
        return
    record = _Recorder(bind, meta)
    now = datetime.now(UTC)
    for fund_id, bank_id in pairs:
        original = dict(bind.execute(sa.select(banks).where(banks.c.id == bank_id)).mappings().one())
        copy = {k: v for k, v in original.items() if k != "id"} | {"fund_id": fund_id}
        copy |= {k: now for k in ("created_at", "updated_at") if k in banks.c}
        new_id = bind.execute(banks.insert().values(**copy).returning(banks.c.id)).scalar_one()
        record("insert", "banks", new_id, None, {"id": new_id, **copy})
        for table in (users, applications):
            moved = bind.execute(
                sa.select(table.c.id).where(table.c.bank_id == bank_id, table.c.fund_id == fund_id)
            ).scalars().all()
            for row_id in moved:
                bind.execute(table.update().where(table.c.id == row_id).values(bank_id=new_id))
                record("update", table.name, row_id, {"bank_id": bank_id}, {"bank_id": new_id})
            if table is applications and moved:
                for claim_id in bind.execute(
                    sa.select(claims.c.id).where(claims.c.application_id.in_(moved))
                ).scalars().all():
                    bind.execute(claims.update().where(claims.c.id == claim_id).values(bank_id=new_id))
                    record("update", "bank_claims", claim_id, {"bank_id": bank_id}, {"bank_id": new_id})
    record.close()
    if bind.dialect.name == "postgresql":  # the records' checks now, before the tables are altered below
        bind.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))


class _Recorder:
    """Signed audit records of this migration's own changes, chained on as the application chains them, in the same
    transaction (on PostgreSQL the protected tables accept a change only with its record)."""

    def __init__(self, bind, meta):
        from loanfund.services.record.audit import GENESIS, key_id, keys

        self.bind = bind
        self.records = sa.Table("audit_records", meta, autoload_with=bind)
        self.head = sa.Table("audit_head", meta, autoload_with=bind)
        found = bind.execute(sa.select(self.head.c.seq, self.head.c.hash).where(self.head.c.id == 1)).first()
        self.had_head = found is not None
        self.seq, self.prev = (int(found.seq), str(found.hash)) if found else (0, GENESIS)
        self.key, _known = keys()
        self.signer = key_id(self.key)
        self.at = datetime.now(UTC)
        if bind.dialect.name == "postgresql":
            bind.execute(sa.text("SELECT set_config('loanfund.audit_from', :seq, true)"), {"seq": str(self.seq)})

    def __call__(self, action, subject, subject_id, old, new):
        from loanfund.services.record.audit import chain, value_of

        self.seq += 1
        row = {
            "seq": self.seq, "at": self.at.isoformat(), "actor_id": None, "actor_role": "system", "action": action,
            "subject": subject, "subject_id": subject_id,
            "old": None if old is None else {k: value_of(k, _utc(v)) for k, v in old.items()},
            "new": {k: value_of(k, _utc(v)) for k, v in new.items()}, "note": NOTE,
        }
        digest = chain(self.prev, row, self.key)
        self.bind.execute(
            self.records.insert().values(**row | {"at": self.at, "prev_hash": self.prev, "hash": digest,
                                                  "key_id": self.signer})
        )
        self.prev = digest

    def close(self):
        values = {"seq": self.seq, "hash": self.prev}
        if self.had_head:
            self.bind.execute(self.head.update().where(self.head.c.id == 1).values(**values))
        else:
            self.bind.execute(self.head.insert().values(id=1, **values))


def _utc(value):
    """A time as the application stores it: UTC, with its zone (SQLite gives it back without one)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def downgrade():
    raise NotImplementedError("each fund's banks cannot be put back into one list: restore the backup taken before")
