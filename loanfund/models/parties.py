"""The parties (DESIGN §2): cooperating banks and their designated accounts, enterprises, the blacklist,
contributors."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.domain.eligibility import BLACKLIST_GROUNDS, INDUSTRIES, Size
from loanfund.domain.money import Money
from loanfund.extensions import Model
from loanfund.models.base import TimestampMixin, _in
from loanfund.types import MoneyType, UTCDateTime

if TYPE_CHECKING:
    from loanfund.models.access import User
    from loanfund.models.funds import District, Fund

BLACKLIST_STATES = ("proposed", "confirmed", "rejected")


class Bank(TimestampMixin, Model):
    """A bank's cooperation with one fund (合作银行): its agreement and the designated account the fund pays into
    (第十、十七条). A bank that cooperates with two funds has a row in each, with each agreement and account (DESIGN
    §7); its officers work for one of them."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # the fund the agreement is with
    code: Mapped[str] = mapped_column(String(20))  # unique within the fund
    name: Mapped[str] = mapped_column(String(100))
    agreement_no: Mapped[str] = mapped_column(String(64))
    agreement_start: Mapped[date] = mapped_column(Date)
    agreement_end: Mapped[date] = mapped_column(Date)
    account_name: Mapped[str] = mapped_column(String(100))  # 指定账户户名
    account_no: Mapped[str] = mapped_column(String(40))  # 指定账户账号
    account_bank: Mapped[str] = mapped_column(String(100))  # 开户行
    officer_name: Mapped[str] = mapped_column(String(50), default="")
    officer_phone: Mapped[str] = mapped_column(String(30), default="")

    # 第十二条: the fund's own 专人 for this bank, when one is named
    liaison: Mapped[BankLiaison | None] = relationship(uselist=False, viewonly=True)
    fund: Mapped[Fund] = relationship()

    __table_args__ = (
        CheckConstraint("agreement_end >= agreement_start", name="agreement_period"),
        UniqueConstraint("fund_id", "code", name="uq_banks_fund_code"),
        UniqueConstraint("fund_id", "name", name="uq_banks_fund_name"),
        # the target of the (bank_id, fund_id) keys: an application and a bank officer are of the bank's fund
        UniqueConstraint("id", "fund_id", name="uq_banks_of_its_fund"),
    )

    def agreement_in_force(self, on: date) -> bool:
        return self.agreement_start <= on <= self.agreement_end


class BankLiaison(TimestampMixin, Model):
    """第十二条: 资金管理平台指定专人 for a cooperating bank — an operator who follows that bank's bridges and receives
    the notices the platform's operators get about them. A row of its own (not a column of the bank) because the
    users already refer to the banks."""

    __tablename__ = "bank_liaisons"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User] = relationship()


ACCOUNT_CHANGE_DECISIONS = ("pending", "confirmed", "rejected")


class BankAccountChange(TimestampMixin, Model):
    """A change of a bank's designated receiving account — the only account the fund pays a bridge into (第十七条).
    Proposed by one person, in force only once another confirms it (maker–checker, like a disbursement); kept as the
    record of who changed what, when, from what."""

    __tablename__ = "bank_account_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    old_account_name: Mapped[str] = mapped_column(String(100))
    old_account_no: Mapped[str] = mapped_column(String(40))
    old_account_bank: Mapped[str] = mapped_column(String(100))
    new_account_name: Mapped[str] = mapped_column(String(100))
    new_account_no: Mapped[str] = mapped_column(String(40))
    new_account_bank: Mapped[str] = mapped_column(String(100))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    bank: Mapped[Bank] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint(_in("decision", ACCOUNT_CHANGE_DECISIONS), name="decision_known"),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="maker_checker"),
        CheckConstraint("(decision = 'pending') = (decided_by_id IS NULL)", name="decided_when_not_pending"),
        # at most one change of a bank's account waits for confirmation at a time
        Index(
            "uq_bank_account_changes_one_pending",
            "bank_id",
            unique=True,
            sqlite_where=text("decision = 'pending'"),
            postgresql_where=text("decision = 'pending'"),
        ),
    )


class Enterprise(TimestampMixin, Model):
    """An applicant enterprise (企业). ``size`` is computed from industry and measures when saved (第二条)."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.key"))  # the platform's list (R10)
    industry: Mapped[str] = mapped_column(String(32))
    employees: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Money] = mapped_column(MoneyType)  # 上年营业收入
    assets: Mapped[Money] = mapped_column(MoneyType)  # 资产总额
    size: Mapped[str] = mapped_column(String(8))
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")

    district_row: Mapped[District] = relationship()

    __table_args__ = (
        CheckConstraint(_in("industry", INDUSTRIES), name="industry_known"),
        CheckConstraint(_in("size", [s.value for s in Size]), name="size_known"),
        CheckConstraint("employees >= 0 AND revenue >= 0 AND assets >= 0", name="measures_not_negative"),
        # a name searched by part (the lists' 搜索): on PostgreSQL a trigram index serves LIKE '%…%' (pg_trgm, issue
        # 28); elsewhere a plain index on the name
        Index(
            "ix_enterprises_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        # the early-warning page finds the enterprises of a blacklisted enterprise's representative (第十三条)
        Index("ix_enterprises_legal_representative", "legal_representative"),
    )

    @property
    def size_enum(self) -> Size:
        return Size(self.size)

    @property
    def district_name(self) -> str:
        return self.district_row.name

    @property
    def industry_name(self) -> str:
        return INDUSTRIES[self.industry].name


class BlacklistEntry(TimestampMixin, Model):
    """An enterprise barred from the fund (R11, 第二十二条), keyed by credit code so a new account cannot escape it.

    An operator proposes (or a default proposes by itself: ``proposed_by_id`` empty), the leading group confirms or
    rejects; only a confirmed entry bars, from ``listed_on`` through ``ends_on``, unless the group lifts it early
    (``lifted_on``, with a reason). Entries are never deleted: they end and stay in the history."""

    __tablename__ = "blacklist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the fund whose bar it is: it refuses applications to that fund; the others see it as an early warning (R15)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(200))  # the ground in words, e.g. 逾期不还
    listed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who proposed (None: automatic)
    ground: Mapped[str] = mapped_column(String(16), default="not_returned", server_default="not_returned")
    basis: Mapped[str] = mapped_column(Text, default="", server_default="")  # the facts and documents relied on
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    state: Mapped[str] = mapped_column(String(12), default="proposed", server_default="confirmed")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        CheckConstraint("ends_on >= listed_on", name="period"),
        CheckConstraint(_in("state", BLACKLIST_STATES), name="state_known"),
        CheckConstraint(_in("ground", BLACKLIST_GROUNDS), name="ground_known"),
        CheckConstraint("lifted_on IS NULL OR state = 'confirmed'", name="only_confirmed_lifted"),
        Index(
            "uq_blacklist_entries_one_proposal",
            "fund_id",
            "credit_code",
            unique=True,
            sqlite_where=text("state = 'proposed'"),
            postgresql_where=text("state = 'proposed'"),
        ),
    )

    def status(self, today: date) -> str:
        """proposed, rejected, lifted, in_force, ended or (confirmed, starting later) scheduled."""
        if self.state != "confirmed":
            return self.state
        if self.lifted_on is not None and self.lifted_on <= today:
            return "lifted"
        if today > self.ends_on:
            return "ended"
        return "in_force" if today >= self.listed_on else "scheduled"


class Contributor(TimestampMixin, Model):
    """A contributor of capital to the fund (第五、二十五、二十六条)."""

    __tablename__ = "contributors"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # a contributor of that fund's capital
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # municipal, county, private

    __table_args__ = (
        CheckConstraint("kind IN ('municipal', 'county', 'private')", name="kind_known"),
        UniqueConstraint("fund_id", "name", name="uq_contributors_fund_name"),
        UniqueConstraint("id", "fund_id", name="uq_contributors_of_its_fund"),
    )


class BankClaim(TimestampMixin, Model):
    """R12 (第二十三条): a bank liable for a bridge it did not renew on time and in full — what the bridge still owed
    on ``claimed_on``, now owed by the bank (a receivable from it in the books). One per application."""

    __tablename__ = "bank_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    claimed_on: Mapped[date] = mapped_column(Date, index=True)
    principal: Mapped[Money] = mapped_column(MoneyType)
    fee: Mapped[Money] = mapped_column(MoneyType)
    basis: Mapped[str] = mapped_column(Text)  # how the bank failed, with the numbers
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    bank: Mapped[Bank] = relationship()
    payments: Mapped[list[BankClaimPayment]] = relationship(back_populates="claim", order_by="BankClaimPayment.id")

    __table_args__ = (CheckConstraint("principal >= 0 AND fee >= 0 AND principal + fee > 0", name="amount_positive"),)

    @property
    def amount(self) -> Money:
        return self.principal + self.fee

    @property
    def paid(self) -> Money:
        return sum((p.amount for p in self.payments), Money.zero())

    @property
    def outstanding(self) -> Money:
        return self.amount - self.paid


class BankClaimPayment(TimestampMixin, Model):
    """Money the bank paid on its claim, into the special account; one bank transfer is one payment."""

    __tablename__ = "bank_claim_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("bank_claims.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Money] = mapped_column(MoneyType)
    transfer_ref: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    claim: Mapped[BankClaim] = relationship(back_populates="payments")

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("claim_id", "transfer_ref", name="one_transfer_once"),
    )


# A name searched by part on SQLite (issue 28): SQLite has no trigram index, so an FTS5 table with the trigram
# tokenizer indexes the enterprises' names (external content: it keeps only the index, read from ``enterprises``),
# kept by three triggers. ``migrations/versions/0055`` makes it in a migrated database; these make it with the tables
# a test builds from the models. ``services.applications.listing`` searches it for three characters or more.
NAME_SEARCH = "enterprises_name_search"


def not_name_search(name: str | None, type_: str, parent_names: object = None) -> bool:
    """For a schema comparison (alembic's ``include_name``): the FTS5 table and its shadow tables are not models."""
    return not (type_ == "table" and (name or "").startswith(NAME_SEARCH))


NAME_SEARCH_DDL = (
    f"CREATE VIRTUAL TABLE {NAME_SEARCH} USING fts5(name, content='enterprises', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER {NAME_SEARCH}_insert AFTER INSERT ON enterprises BEGIN "
    f"INSERT INTO {NAME_SEARCH}(rowid, name) VALUES (new.id, new.name); END",
    f"CREATE TRIGGER {NAME_SEARCH}_delete AFTER DELETE ON enterprises BEGIN "
    f"INSERT INTO {NAME_SEARCH}({NAME_SEARCH}, rowid, name) VALUES ('delete', old.id, old.name); END",
    f"CREATE TRIGGER {NAME_SEARCH}_update AFTER UPDATE OF name ON enterprises BEGIN "
    f"INSERT INTO {NAME_SEARCH}({NAME_SEARCH}, rowid, name) VALUES ('delete', old.id, old.name); "
    f"INSERT INTO {NAME_SEARCH}(rowid, name) VALUES (new.id, new.name); END",
)
for _statement in NAME_SEARCH_DDL:
    _made = DDL(_statement).execute_if(dialect="sqlite")  # type: ignore[no-untyped-call]
    event.listen(Enterprise.__table__, "after_create", _made)
event.listen(
    Enterprise.__table__,
    "before_drop",
    DDL(f"DROP TABLE IF EXISTS {NAME_SEARCH}").execute_if(dialect="sqlite"),  # type: ignore[no-untyped-call]
)
