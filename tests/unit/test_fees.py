"""R1–R4 with the 2018 Lianyungang policy: the regulation's worked numbers and every boundary of DESIGN §4."""

from datetime import date
from decimal import Decimal

import pytest

from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from loanfund.domain.policy import LIANYUNGANG_2018 as POLICY
from loanfund.domain.policy import Policy, RateMode, policy_in_force
from loanfund.domain.rules import days_used, due_date, fee_for, is_overdue, quote, renewal_late

M = Money.parse


def test_thirty_million_for_three_days_costs_37500():
    q = quote(POLICY, M("30000000.00"), 3)
    assert q.band == 1
    assert (q.base_rate_permille, q.extended_rate_permille) == (Decimal("0.40"), Decimal("0.45"))
    assert q.fee == M("37500.00")  # 2 days at 0.40‰ + 1 day at 0.45‰
    assert q.total == M("30037500.00")
    assert q.needs_group_approval is False
    assert q.policy_name == "连政办发〔2018〕162号"


def test_forty_million_for_two_days_costs_32000():
    assert quote(POLICY, M("40000000.00"), 2).fee == M("32000.00")


def test_forty_million_is_in_the_first_band_and_needs_no_group():
    q = quote(POLICY, M("40000000.00"), 1)
    assert q.band == 1
    assert q.needs_group_approval is False


def test_forty_million_and_one_fen_is_in_the_second_band_and_needs_the_group():
    q = quote(POLICY, M("40000000.01"), 1)
    assert q.band == 2
    assert (q.base_rate_permille, q.extended_rate_permille) == (Decimal("0.30"), Decimal("0.35"))
    assert q.needs_group_approval is True
    assert q.fee == M("12000.00")  # 40,000,000.01 × 0.30‰ = 12,000.000003 → 12,000.00


def test_one_fen_under_a_hundred_million_is_in_the_second_band():
    assert quote(POLICY, M("99999999.99"), 1).band == 2


def test_a_hundred_million_is_in_the_third_band():
    q = quote(POLICY, M("100000000.00"), 3)
    assert q.band == 3
    assert q.fee == M("65000.00")  # 2 × 0.20‰ + 1 × 0.25‰ = 0.65‰


def test_two_days_are_all_at_the_lower_rate():
    assert fee_for(POLICY, M("10000000.00"), 2) == M("8000.00")


def test_the_third_day_is_at_the_higher_rate():
    assert fee_for(POLICY, M("10000000.00"), 3) == M("12500.00")


def test_ten_days_is_the_longest_request():
    assert quote(POLICY, M("10000000.00"), 10).fee == M("44000.00")  # 2 × 0.40 + 8 × 0.45 = 4.4‰


def test_eleven_days_cannot_be_requested():
    with pytest.raises(InvalidValue) as caught:
        quote(POLICY, M("10000000.00"), 11)
    assert caught.value.message == "用款天数不得超过 10 天"


def test_zero_days_cannot_be_requested():
    with pytest.raises(InvalidValue) as caught:
        quote(POLICY, M("10000000.00"), 0)
    assert caught.value.message == "用款天数至少为 1 天"


def test_an_overdue_bridge_keeps_accruing_at_the_higher_rate():
    assert fee_for(POLICY, M("10000000.00"), 12) == M("53000.00")  # 2 × 0.40 + 10 × 0.45 = 5.3‰


def test_fee_rounds_half_up_once_at_the_end():
    assert fee_for(POLICY, M("12.50"), 1) == M("0.01")  # 1250 fen × 0.40‰ = 0.5 fen → 1 fen
    assert fee_for(POLICY, M("12.49"), 1) == M("0.00")  # 0.4996 fen → 0


def test_whole_period_mode_applies_the_higher_rate_to_every_day():
    whole = Policy(**{**POLICY.__dict__, "rate_mode": RateMode.WHOLE_PERIOD})
    assert fee_for(whole, M("30000000.00"), 3) == M("40500.00")  # 3 × 0.45‰
    assert fee_for(whole, M("30000000.00"), 2) == M("24000.00")


def test_amount_must_be_positive():
    for bad in ("0.00", "-1.00"):
        with pytest.raises(InvalidValue) as caught:
            quote(POLICY, M(bad), 3)
        assert caught.value.message == "金额必须大于零"


def test_days_used_counts_the_first_day_and_not_the_last():
    assert days_used(date(2026, 11, 1), date(2026, 11, 3)) == 2
    assert days_used(date(2026, 11, 1), date(2026, 11, 4)) == 3


def test_same_day_return_counts_one_day():
    assert days_used(date(2026, 11, 1), date(2026, 11, 1)) == 1


def test_return_before_value_date_is_refused():
    with pytest.raises(InvalidValue):
        days_used(date(2026, 11, 2), date(2026, 11, 1))


def test_due_date_is_ten_days_after_the_value_date():
    assert due_date(POLICY, date(2026, 11, 1)) == date(2026, 11, 11)
    assert days_used(date(2026, 11, 1), date(2026, 11, 11)) == 10


def test_overdue_only_after_the_end_of_the_due_date():
    out = date(2026, 11, 1)
    assert not is_overdue(POLICY, out, today=date(2026, 11, 11))
    assert is_overdue(POLICY, out, today=date(2026, 11, 12))
    assert not is_overdue(POLICY, out, today=date(2026, 11, 20), received_on=date(2026, 11, 11))
    assert is_overdue(POLICY, out, today=date(2026, 11, 20), received_on=date(2026, 11, 12))


def test_renewal_more_than_two_days_after_disbursement_is_late():
    out = date(2026, 11, 1)
    assert not renewal_late(POLICY, out, date(2026, 11, 3))
    assert renewal_late(POLICY, out, date(2026, 11, 4))


def test_policy_in_force_is_the_latest_effective_on_the_day():
    v2023 = Policy(**{**POLICY.__dict__, "name": "2023", "effective_from": date(2023, 6, 1)})
    assert policy_in_force([POLICY, v2023], date(2023, 5, 31)) is POLICY
    assert policy_in_force([POLICY, v2023], date(2023, 6, 1)) is v2023
    with pytest.raises(InvalidValue):
        policy_in_force([POLICY], date(2018, 11, 14))


def test_policy_round_trips_through_its_stored_form():
    assert Policy.from_dict(POLICY.to_dict()) == POLICY


def test_policy_2023_revision_is_configuration_not_code():
    """连政规发〔2023〕8号: 0.2‰ for the first 5 days, 0.4‰ beyond, cap 95 % — all parameters."""
    data = POLICY.to_dict() | {
        "name": "连政规发〔2023〕8号",
        "effective_from": "2023-06-01",
        "base_rate_days": 5,
        "cap_ratio": "0.95",
        "bands": [
            {
                "upper_bound": None,
                "upper_inclusive": False,
                "base_rate_permille": "0.20",
                "extended_rate_permille": "0.40",
            }
        ],
    }
    v2023 = Policy.from_dict(data)
    assert fee_for(v2023, M("10000000.00"), 6) == M("14000.00")  # 5 × 0.20 + 1 × 0.40 = 1.4‰
