"""The ledger's domain rules: balanced postings, non-negative legs, splits that add up exactly."""

from decimal import Decimal

import pytest

from loanfund.domain.ledger import (
    CASH,
    FEE_INCOME,
    Leg,
    Posting,
    Unbalanced,
    bank_reference,
    capital,
    contribution_posting,
    distribution_posting,
    return_posting,
    split_by_ratio,
    tax_on,
)
from loanfund.domain.money import Money

M = Money.parse


def test_a_distribution_of_1_000_000_01_across_2_1_and_half_yi_sums_exactly():
    parts = split_by_ratio(M("1,000,000.01"), [200_000_000_00, 100_000_000_00, 50_000_000_00])
    assert parts == [M("571,428.58"), M("285,714.29"), M("142,857.14")]
    assert sum(p.fen for p in parts) == M("1,000,000.01").fen


@pytest.mark.parametrize("total", ["0.00", "0.01", "0.02", "99.99", "123,456,789.01"])
def test_splits_always_add_back_to_the_total(total):
    for weights in ([1, 1, 1], [3, 0, 7], [1], [5, 5], [2, 1, 1, 1, 1, 1, 1]):
        assert sum(p.fen for p in split_by_ratio(M(total), weights)) == M(total).fen


def test_one_fen_left_over_goes_to_the_largest_remainder_then_the_earlier():
    assert split_by_ratio(M("0.01"), [1, 1]) == [M("0.01"), M("0.00")]
    assert split_by_ratio(M("0.02"), [1, 1, 1]) == [M("0.01"), M("0.01"), M("0.00")]


def test_an_unbalanced_posting_is_refused():
    with pytest.raises(Unbalanced) as caught:
        Posting("k", "x", (Leg(CASH, debit=M("1.00")), Leg(FEE_INCOME, credit=M("0.99"))))
    assert caught.value.message == "借贷不平：借方 1.00，贷方 0.99"


def test_a_negative_or_two_sided_leg_is_refused():
    with pytest.raises(Unbalanced):
        Posting("k", "x", (Leg(CASH, debit=M("-1.00")), Leg(FEE_INCOME, credit=M("-1.00"))))
    with pytest.raises(Unbalanced):
        Posting("k", "x", (Leg(CASH, debit=M("1.00"), credit=M("1.00")), Leg(FEE_INCOME, credit=M("0.00"))))


def test_a_posting_needs_a_key_and_two_legs():
    with pytest.raises(Unbalanced):
        Posting("", "x", (Leg(CASH, debit=M("1.00")), Leg(FEE_INCOME, credit=M("1.00"))))
    with pytest.raises(Unbalanced):
        Posting("k", "x", (Leg(CASH, debit=M("0.01")),))


def test_unknown_accounts_are_refused():
    with pytest.raises(ValueError):
        Posting("k", "x", (Leg("petty_cash", debit=M("1.00")), Leg(FEE_INCOME, credit=M("1.00"))))


def test_a_return_splits_into_principal_and_fee():
    posting = return_posting(7, 3, M("30,000,000.00"), M("37,500.00"))
    assert posting.key == "return:7"
    assert [(leg.account, leg.debit, leg.credit) for leg in posting.legs] == [
        ("cash", M("30,037,500.00"), Money(0)),
        ("receivable:3", Money(0), M("30,000,000.00")),
        ("fee_income", Money(0), M("37,500.00")),
    ]


def test_a_return_of_fee_only_has_no_empty_principal_leg():
    assert len(return_posting(1, 1, Money(0), M("0.01")).legs) == 2


def test_reversal_swaps_every_leg():
    posting = contribution_posting(1, 2, M("100.00"))
    back = posting.reversed("contribution:1:reversal", "冲销")
    assert [(leg.account, leg.debit, leg.credit) for leg in back.legs] == [
        (CASH, Money(0), M("100.00")),
        (capital(2), M("100.00"), Money(0)),
    ]


def test_tax_rounds_half_up_once():
    assert tax_on(M("0.25"), Decimal("0.06")) == M("0.02")  # 1.5 fen → 2
    assert tax_on(M("1,000,000.01"), Decimal("0.06")) == M("60,000.00")


def test_distribution_posting_balances():
    income = M("1,000,000.01")
    tax = tax_on(income, Decimal("0.06"))
    shares = split_by_ratio(income - tax, [2, 1])
    posting = distribution_posting("d1", income, tax, [(1, shares[0]), (2, shares[1])])
    assert posting.total == income


# -- the bank's reference an entry carries (issue 29) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("posting", "ref", "kept", "refused"),
    [
        # money in, money out: the reference is kept as typed, trimmed
        (contribution_posting(1, 1, M("100.00")), "CZ20181220001", "CZ20181220001", None),
        (contribution_posting(1, 1, M("100.00")), "  CZ1  ", "CZ1", None),
        (return_posting(1, 1, M("100.00"), M("0.40")), "HS1", "HS1", None),
        # a movement of money without one
        (contribution_posting(1, 1, M("100.00")), None, None, "bank_ref_required"),
        (contribution_posting(1, 1, M("100.00")), "", None, "bank_ref_required"),
        (contribution_posting(1, 1, M("100.00")), " \t", None, "bank_ref_required"),
        # an entry between other accounts moves nothing at the bank: no reference, and none given
        (distribution_posting("distribution:2026-11-30", M("100.00"), M("6.00"), [(1, M("94.00"))]), None, None, None),
        (
            distribution_posting("distribution:2026-11-30", M("100.00"), M("6.00"), [(1, M("94.00"))]),
            "FP1",
            None,
            "bank_ref_not_cash",
        ),
        # the column's length, at and past it
        (contribution_posting(1, 1, M("100.00")), "R" * 64, "R" * 64, None),
        (contribution_posting(1, 1, M("100.00")), "R" * 65, None, "bank_ref_too_long"),
    ],
)
def test_an_entry_that_moves_money_names_the_bank_transfer_and_no_other_does(posting, ref, kept, refused):
    if refused is None:
        assert bank_reference(posting, ref) == kept
    else:
        with pytest.raises(Unbalanced) as caught:
            bank_reference(posting, ref)
        assert caught.value.code == refused


def test_the_cash_an_entry_moves_is_in_positive_and_out_negative():
    assert contribution_posting(1, 1, M("100.00")).cash == M("100.00")
    assert return_posting(1, 1, M("100.00"), M("0.40")).cash == M("100.40")
    money_out = Posting(
        "distribution_payment:2026-11-30", "支付", (Leg("taxes_payable", debit=M("6.00")), Leg(CASH, credit=M("6.00")))
    )
    assert money_out.cash == -M("6.00")
    assert (
        distribution_posting("distribution:2026-11-30", M("100.00"), M("6.00"), [(1, M("94.00"))]).cash == Money.zero()
    )
