"""A bank transfer is booked once (issue 25): its reference, per bank, across the returns of all its bridges, its
claim payments and money recovered — one transfer cannot settle two bridges. The database's unique (bank,
reference) decides between two at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from loanfund.domain.errors import Conflict
from loanfund.extensions import db
from loanfund.models import Application, TransferReference

KIND_LABELS = {"return": "收回", "claim_payment": "银行清偿款", "recovery": "追回资金"}


def book(bank_id: int, ref: str, kind: str, booked_on: date, application_id: int | None = None) -> TransferReference:
    """Book ``ref`` for the bank in the caller's transaction.

    :raise Conflict: the bank's transfer of that reference is booked already (naming where)."""
    _refuse_booked(bank_id, ref)
    row = TransferReference(
        bank_id=bank_id, transfer_ref=ref, kind=kind, application_id=application_id, booked_on=booked_on
    )
    db.session.add(row)
    try:
        db.session.flush()  # the unique (bank, reference): a concurrent twin of this booking stops here
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"划款凭证号 {ref} 已被登记，同一笔划款不能重复登记", code="transfer_ref_booked", field="transfer_ref"
        ) from None
    return row


def _refuse_booked(bank_id: int, ref: str) -> None:
    booked = db.session.scalar(
        select(TransferReference).where(TransferReference.bank_id == bank_id, TransferReference.transfer_ref == ref)
    )
    if booked is None:
        return
    where = ""
    if booked.application_id is not None:
        application = db.session.get(Application, booked.application_id)
        where = f"（应急转贷 {application.reference}）" if application else ""
    raise Conflict(
        f"划款凭证号 {ref} 已于 {booked.booked_on.isoformat()} 登记为{KIND_LABELS[booked.kind]}{where}，"
        "同一笔划款不能重复登记",
        code="transfer_ref_booked",
        field="transfer_ref",
    )
