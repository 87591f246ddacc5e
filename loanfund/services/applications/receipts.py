"""Receipts (issue 30): what an SME's finance officer and a bank file — a numbered 受理回执 when an application is
accepted or refused (with the reason), and an 电子回单 for each money movement on it: the disbursement, each return,
each payment the bank made on a claim. Each is made from the record that booked it (the acceptance or refusal
event, the journal entry with its bank reference), numbered from that record's id — so it is the same document every
time it is asked for, and two never share a number — and printed as PDF. Whoever may see the application may
download its receipts (``access.application_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import NotFound
from loanfund.domain.ledger import (
    BANK_CLAIM_PAYMENT_KEY_PREFIX,
    DISBURSEMENT_KEY_PREFIX,
    DISTRIBUTION_PAYMENT_KEY_PREFIX,
    RETURN_KEY_PREFIX,
    TAXES_PAYABLE,
    payable_to,
)
from loanfund.domain.lifecycle import Action
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    BankClaim,
    BankClaimPayment,
    Contributor,
    Fund,
    JournalEntry,
    User,
)
from loanfund.services.access import application_for

# the two steps a 受理回执 answers (the reviewer's decision on the submission): its kind, title and outcome
DECISIONS = {
    Action.ACCEPT.value: ("accepted", "受理回执", "予以受理"),
    Action.REJECT.value: ("refused", "不予受理回执", "不予受理"),
}


@dataclass(frozen=True)
class Slip:
    """One receipt: its kind, number, title, when it was issued and its lines (label, text); ``amount`` in 大写 too."""

    kind: str  # accepted, refused, disbursed, returned, claim_paid, distribution_paid
    fund_name: str  # the fund that issues it
    number: str
    title: str
    issued_on: date
    lines: tuple[tuple[str, str], ...]
    amount: Money | None = None

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


def _money(amount: Money) -> str:
    return f"{amount.format()} 元（{amount.capitals()}）"


def _account(name: str, number: str, bank: str) -> str:
    return f"{name}（{bank}，账号 {number}）" if name else "—"


def for_application(actor: User, application_id: int) -> list[Slip]:
    """The application's receipts in the order they were issued. :raise NotFound: not the actor's to see."""
    return of(application_for(actor, application_id))


def of(a: Application) -> list[Slip]:
    """The receipts of ``a`` (whoever asks: the caller has checked who may see it — the audit pack, a party)."""
    fund = a.fund
    heading = (
        ("申请编号", a.reference),
        ("申请企业", f"{a.enterprise.name}（统一社会信用代码 {a.enterprise.credit_code}）"),
        ("合作银行", a.bank.name),
    )
    slips: list[Slip] = []
    for event in db.session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == a.id, ApplicationEvent.action.in_(list(DECISIONS)))
        .order_by(ApplicationEvent.id)
    ):
        kind, title, outcome = DECISIONS[event.action]
        day = clock.local(event.at).date()
        lines = [
            *heading,
            ("申请金额", _money(a.requested_amount)),
            ("提交时间", f"{clock.local(a.submitted_at):%Y-%m-%d %H:%M}" if a.submitted_at else "—"),
            ("审核结果", outcome),
        ]
        if kind == "refused":
            lines.append(("原因", event.note or "—"))
        else:
            lines.append(("下一步", f"转{a.bank.name}审核并出具续贷承诺意见"))
        lines += [("受理单位", fund.reviewing_body), ("时间", f"{clock.local(event.at):%Y-%m-%d %H:%M}")]
        slips.append(Slip(kind, fund.name, f"SL{day:%Y}{event.id:08d}", title, day, tuple(lines)))
    special = _account(fund.account_name, fund.account_no, fund.account_bank)
    designated = _account(
        a.destination_account_name or "", a.destination_account_no or "", a.destination_account_bank or ""
    )
    entries = db.session.scalars(
        select(JournalEntry).where(JournalEntry.application_id == a.id).order_by(JournalEntry.id)
    ).all()
    returned = {f"{RETURN_KEY_PREFIX}{r.id}": r for r in a.receipts}

    def moved(kind: str, title: str, entry: JournalEntry, amount: Money, payer: str, payee: str, why: str) -> Slip:
        lines = (*heading, ("金额", _money(amount)), ("付款方", payer), ("收款方", payee), ("用途", why))
        return _entry_slip(kind, fund.name, title, entry, amount, lines)

    for entry in entries:
        if entry.key.startswith(DISBURSEMENT_KEY_PREFIX) and a.approved_amount is not None:
            why = f"应急转贷资金放款，用于归还到期贷款（合同 {a.loan_contract_no}）"
            slips.append(
                moved("disbursed", "电子回单（应急转贷资金放款）", entry, a.approved_amount, special, designated, why)
            )
        elif (receipt := returned.get(entry.key)) is not None:
            why = f"归还本金 {receipt.principal.format()} 元、用款费用 {receipt.fee.format()} 元"
            amount = receipt.principal + receipt.fee
            slips.append(moved("returned", "电子回单（归还应急转贷资金）", entry, amount, designated, special, why))
    claim = db.session.scalars(select(BankClaim).where(BankClaim.application_id == a.id)).first()
    if claim is not None:
        paid = {
            f"{BANK_CLAIM_PAYMENT_KEY_PREFIX}{p.id}": p
            for p in db.session.scalars(select(BankClaimPayment).where(BankClaimPayment.claim_id == claim.id))
        }
        for entry in db.session.scalars(
            select(JournalEntry).where(JournalEntry.key.in_(list(paid) or [""])).order_by(JournalEntry.id)
        ):
            why = "合作银行未按承诺续贷，按合作协议清偿应急转贷资金"
            amount = paid[entry.key].amount
            slips.append(moved("claim_paid", "电子回单（合作银行清偿）", entry, amount, a.bank.name, special, why))
    return sorted(slips, key=lambda s: s.issued_on)  # stable: a decision before the money of its day


def _entry_slip(
    kind: str, fund_name: str, title: str, entry: JournalEntry, amount: Money, lines: tuple[tuple[str, str], ...]
) -> Slip:
    """An 电子回单 of the journal entry that moved the money: ``lines``, then the bank's reference and the booking."""
    booked = (
        ("银行凭证号", entry.bank_ref or "—"),
        ("记账日期", entry.posted_on.isoformat()),
        ("记账凭证", f"第 {entry.id} 号"),
    )
    number = f"HD{entry.posted_on:%Y}{entry.id:08d}"
    return Slip(kind, fund_name, number, title, entry.posted_on, (*lines, *booked), amount)


def slip(actor: User, application_id: int, number: str) -> Slip:
    """One receipt of the application. :raise NotFound: no such receipt, or not the actor's to see."""
    found = next((s for s in for_application(actor, application_id) if s.number == number), None)
    if found is None:
        raise NotFound("没有这份回执或回单")
    return found


def distribution_payments(fund_id: int) -> list[Slip]:
    """An 电子回单 for each payment of distributions (第二十五条) out of the fund's special account: whom each share
    went to and the taxes, with the bank's batch reference — newest first, for the fund's administrator."""
    fund = db.session.get_one(Fund, fund_id)
    names = {c.id: c.name for c in db.session.scalars(select(Contributor).where(Contributor.fund_id == fund_id))}
    slips = []
    for entry in db.session.scalars(
        select(JournalEntry)
        .where(JournalEntry.fund_id == fund_id, JournalEntry.key.startswith(DISTRIBUTION_PAYMENT_KEY_PREFIX))
        .order_by(JournalEntry.id.desc())
    ):
        paid: list[tuple[str, str]] = []
        total = Money.zero()
        for leg in entry.legs:
            code = leg.account.code
            if not leg.debit.is_positive:
                continue
            total += leg.debit
            if code == TAXES_PAYABLE:
                paid.append(("应交税费", _money(leg.debit)))
            else:
                contributor = payable_to(code)
                paid.append((f"分配款：{names.get(contributor or 0, code)}", _money(leg.debit)))
        lines = (
            ("付款方", _account(fund.account_name, fund.account_no, fund.account_bank)),
            ("合计", _money(total)),
            *paid,
            ("用途", "支付收益分配款及税费（第二十五条）"),
        )
        slips.append(_entry_slip("distribution_paid", fund.name, "电子回单（支付收益分配款）", entry, total, lines))
    return slips
