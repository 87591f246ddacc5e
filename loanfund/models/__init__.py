"""The database model: typed SQLAlchemy 2 declarative classes by subject. Rules live in ``loanfund.domain``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from loanfund.models.access import (
    ApiToken,
    IdempotencyKey,
    LoginRecord,
    LoginThrottle,
    PasswordReset,
    RecoveryCode,
    SecondFactor,
    SecondFactorEvent,
    SignUp,
    User,
    UserSession,
)
from loanfund.models.application import (
    Application,
    ApplicationEvent,
    BridgeOut,
    GreenChannelLetter,
    Material,
    MaterialItem,
    PolicyVersion,
    Receipt,
    RecoveryRecord,
)
from loanfund.models.audit import AuditHead, AuditRecord
from loanfund.models.bank_statement import BankFormat, StatementBalance, StatementImport, StatementLine, StatementMatch
from loanfund.models.books import (
    AppendOnlyViolation,
    Contribution,
    Distribution,
    FundBalance,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    LedgerDay,
    LedgerImport,
    LedgerTotal,
    ReconciliationRun,
    ReservedDay,
    TransferReference,
)
from loanfund.models.funds import District, Fund, fund_districts
from loanfund.models.group import (
    DECISION_KINDS,
    DISSOLUTION_STATES,
    Dissolution,
    GroupDecision,
    GroupMeeting,
    RulesDocument,
)
from loanfund.models.notices import MailAttempt, MailDelivery, Message, SmsAttempt, SmsDelivery, WatchMark
from loanfund.models.parties import (
    ACCOUNT_CHANGE_DECISIONS,
    Bank,
    BankAccountChange,
    BankClaim,
    BankClaimPayment,
    BankLiaison,
    BlacklistEntry,
    Contributor,
    Enterprise,
)
from loanfund.models.reports import AuditPackRun, CohortDay, MonthlyReport, StageTime, UsageStatement
from loanfund.models.settings import Setting

__all__ = [
    "ACCOUNT_CHANGE_DECISIONS",
    "APPEND_ONLY",
    "DECISION_KINDS",
    "DISSOLUTION_STATES",
    "ApiToken",
    "AppendOnlyViolation",
    "Application",
    "ApplicationEvent",
    "AuditHead",
    "AuditPackRun",
    "AuditRecord",
    "Bank",
    "BankAccountChange",
    "BankClaim",
    "BankClaimPayment",
    "BankFormat",
    "BankLiaison",
    "BlacklistEntry",
    "BridgeOut",
    "CohortDay",
    "Contribution",
    "Contributor",
    "Dissolution",
    "Distribution",
    "District",
    "Enterprise",
    "Fund",
    "FundBalance",
    "GreenChannelLetter",
    "GroupDecision",
    "GroupMeeting",
    "IdempotencyKey",
    "JournalEntry",
    "JournalLeg",
    "LedgerAccount",
    "LedgerDay",
    "LedgerImport",
    "LedgerTotal",
    "LoginRecord",
    "LoginThrottle",
    "MailAttempt",
    "MailDelivery",
    "Material",
    "MaterialItem",
    "Message",
    "MonthlyReport",
    "PasswordReset",
    "PolicyVersion",
    "Receipt",
    "ReconciliationRun",
    "RecoveryCode",
    "RecoveryRecord",
    "ReservedDay",
    "RulesDocument",
    "SecondFactor",
    "SecondFactorEvent",
    "Setting",
    "SignUp",
    "SmsAttempt",
    "SmsDelivery",
    "StageTime",
    "StatementBalance",
    "StatementImport",
    "StatementLine",
    "StatementMatch",
    "TransferReference",
    "UsageStatement",
    "User",
    "UserSession",
    "WatchMark",
    "fund_districts",
]

APPEND_ONLY = (
    AuditRecord,
    ApplicationEvent,
    Receipt,
    JournalEntry,
    JournalLeg,
    RecoveryRecord,
    MonthlyReport,
    UsageStatement,
    GreenChannelLetter,
    TransferReference,
    GroupMeeting,
    GroupDecision,
    RulesDocument,
    StatementLine,
    StatementBalance,
)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_history(session: Session, flush_context: Any, instances: Any) -> None:
    """Events, receipts and journal entries are history: changing or deleting one is a programming error, stopped
    before the flush (the database refuses it too, see the ledger migration's triggers)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"{type(obj).__tablename__} is append-only")
