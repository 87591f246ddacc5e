"""A fund's early-warning thresholds (R15) as its administrator set them, or the defaults."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import FieldErrors
from loanfund.domain.warning import Thresholds
from loanfund.extensions import db
from loanfund.models import Setting, User
from loanfund.services.oversight import time_limits
from loanfund.services.uow import finish

_KEYS = ("due_within_days", "concentration_percent", "utilisation_percent", "statement_days")


def thresholds(fund_id: int) -> Thresholds:
    stored = {
        s.key: s.value
        for s in db.session.scalars(select(Setting).where(Setting.fund_id == fund_id, Setting.key.in_(_KEYS)))
    }
    default = Thresholds()
    return Thresholds(
        due_within_days=int(stored.get("due_within_days", default.due_within_days)),
        concentration_percent=Decimal(stored.get("concentration_percent", default.concentration_percent)),
        utilisation_percent=Decimal(stored.get("utilisation_percent", default.utilisation_percent)),
        statement_days=int(stored.get("statement_days", default.statement_days)),
    )


def save_thresholds(
    actor: User,
    fund_id: int,
    due_within_days: str,
    concentration_percent: str,
    utilisation_percent: str,
    statement_days: str | None = None,
    limits: Mapping[str, str | None] | None = None,
) -> Thresholds:
    """The fund's thresholds, changed by its administrator (or the platform's); ``statement_days`` left as it is when
    not given; with them the stages' promised working days (``limits``, by ``time_limits.KEYS``; one not given is
    left as it is).

    :raise InvalidInput: every field that is not a sensible number, at once."""
    errors = FieldErrors()
    promised = time_limits.check(limits or {}, errors)
    days = due_within_days.strip()
    if not (days.isascii() and days.isdigit() and 0 <= int(days) <= 30):
        errors.add("due_within_days", "请填写 0 至 30 之间的整数天数")
    grace = (statement_days if statement_days is not None else str(thresholds(fund_id).statement_days)).strip()
    if not (grace.isascii() and grace.isdigit() and 0 <= int(grace) <= 30):
        errors.add("statement_days", "请填写 0 至 30 之间的整数天数")
    percents = {}
    for key, text in (("concentration_percent", concentration_percent), ("utilisation_percent", utilisation_percent)):
        try:
            value = Decimal(text.strip()) if text.strip().isascii() else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not (Decimal(0) < value <= Decimal(100)):
            errors.add(key, "请填写 0 至 100 之间的百分比，如 30")
        elif value.as_tuple().exponent < -1:  # type: ignore[operator]
            errors.add(key, "百分比最多保留 1 位小数")
        else:
            percents[key] = value
    errors.raise_if_any()
    whole = (("due_within_days", str(int(days))), ("statement_days", str(int(grace))))
    for key, stored in (*whole, *((k, str(v)) for k, v in percents.items())):
        setting = db.session.get(Setting, (fund_id, key)) or Setting(fund_id=fund_id, key=key)
        setting.value, setting.updated_by_id, setting.updated_at = stored, actor.id, clock.utcnow()
        db.session.add(setting)
    time_limits.store(actor, fund_id, promised)
    finish(None)
    return thresholds(fund_id)
