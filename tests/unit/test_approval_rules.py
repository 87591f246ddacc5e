"""R5–R8 at approval: every violation at once, each naming its numbers; R6 routing."""

import pytest

from loanfund.domain.money import Money
from loanfund.domain.policy import LIANYUNGANG_2018 as POLICY
from loanfund.domain.rules import ApprovalFacts, check_approval, commitment_cover, max_approvable

M = Money.parse


def facts(**overrides):
    base = dict(
        amount=M("30000000.00"),
        committed_amount=M("40000000.00"),
        loan_amount_due=M("35000000.00"),
        own_funds=M("5000000.00"),
        fund_available=M("200000000.00"),
        loan_overdue=False,
    )
    return ApprovalFacts(**(base | overrides))


def codes(check):
    return [v.code for v in check.violations]


def test_a_sound_application_passes():
    check = check_approval(POLICY, facts())
    assert check.ok
    assert not check.needs_group_approval


def test_exactly_eighty_percent_of_the_commitment_is_allowed():
    check = check_approval(POLICY, facts(amount=M("32000000.00"), loan_amount_due=M("32000000.00")))
    assert check.ok


def test_eighty_percent_and_one_fen_is_refused_with_the_numbers():
    check = check_approval(
        POLICY, facts(amount=M("32000000.01"), loan_amount_due=M("33000000.00"), own_funds=M("1000000.00"))
    )
    assert codes(check) == ["exceeds_commitment_cap"]
    assert check.violations[0].message == ("申请金额 3,200.000001 万元超过银行承诺续贷额度的80%（3,200.00 万元）")


def test_the_design_example_message():
    check = check_approval(POLICY, facts(amount=M("33000000.00"), loan_amount_due=M("33000000.00")))
    assert check.violations[0].message == "申请金额 3,300.00 万元超过银行承诺续贷额度的80%（3,200.00 万元）"


def test_own_funds_one_fen_short_is_refused():
    check = check_approval(POLICY, facts(own_funds=M("4999999.99")))
    assert codes(check) == ["own_funds_insufficient"]
    assert check.violations[0].rule == "R7"
    assert check.violations[0].message == (
        "自筹资金 499.999999 万元与申请金额 3,000.00 万元合计不足到期贷款本息 3,500.00 万元，尚缺 0.000001 万元"
    )


def test_amount_over_the_loan_due_is_refused():
    check = check_approval(POLICY, facts(amount=M("30000000.00"), loan_amount_due=M("29999999.99")))
    assert codes(check) == ["exceeds_loan_due"]


def test_fund_balance_one_fen_short_is_refused():
    check = check_approval(POLICY, facts(fund_available=M("29999999.99")))
    assert codes(check) == ["fund_insufficient"]
    assert check.violations[0].message == "申请金额 3,000.00 万元超过专用账户可用余额 2,999.999999 万元"


def test_fund_balance_exactly_the_amount_is_enough():
    assert check_approval(POLICY, facts(fund_available=M("30000000.00"))).ok


def test_all_violations_are_returned_together():
    check = check_approval(
        POLICY,
        facts(
            amount=M("36000000.00"),
            committed_amount=M("40000000.00"),
            loan_amount_due=M("35000000.00"),
            fund_available=M("1000000.00"),
        ),
    )
    assert codes(check) == ["exceeds_commitment_cap", "exceeds_loan_due", "fund_insufficient"]


def test_forty_million_needs_no_group_but_one_fen_more_does():
    at = check_approval(
        POLICY, facts(amount=M("40000000.00"), committed_amount=M("50000000.00"), loan_amount_due=M("40000000.00"))
    )
    assert at.ok and not at.needs_group_approval
    over = check_approval(
        POLICY, facts(amount=M("40000000.01"), committed_amount=M("60000000.00"), loan_amount_due=M("40000000.01"))
    )
    assert over.ok and over.needs_group_approval
    assert over.group_reasons == ("金额超过 4,000.00 万元",)


def test_a_loan_overdue_at_the_bank_needs_the_group_even_when_small():
    check = check_approval(POLICY, facts(amount=M("1000000.00"), loan_amount_due=M("1000000.00"), loan_overdue=True))
    assert check.needs_group_approval
    assert check.group_reasons == ("到期贷款已在银行逾期",)


def test_max_approvable_is_the_smallest_ceiling():
    assert max_approvable(POLICY, facts()) == M("32000000.00")  # 80 % of 40,000,000.00
    assert max_approvable(POLICY, facts(fund_available=M("1000.00"))) == M("1000.00")
    assert max_approvable(POLICY, facts(loan_amount_due=M("20000000.00"))) == M("20000000.00")


def test_the_cap_rounds_down_to_the_fen():
    check = check_approval(
        POLICY, facts(amount=M("0.80"), committed_amount=M("1.01"), loan_amount_due=M("0.80"), own_funds=M("0.00"))
    )
    assert check.ok  # 80 % of 1.01 = 0.808 → 0.80 allowed
    assert check.cap == M("0.80")
    refused = check_approval(
        POLICY, facts(amount=M("0.81"), committed_amount=M("1.01"), loan_amount_due=M("0.81"), own_funds=M("0.00"))
    )
    assert codes(refused) == ["exceeds_commitment_cap"]


@pytest.mark.parametrize(
    ("committed", "requested", "cap", "short", "words"),
    [
        (
            "40,000,000.00",
            "30,000,000.00",
            "32,000,000.00",
            "0.00",
            "按现行政策，应急转贷资金最多为承诺续贷额度的 80%：承诺 40,000,000.00 元，可借 32,000,000.00 元",
        ),
        (
            "30,000,000.00",
            "30,000,000.00",
            "24,000,000.00",
            "6,000,000.00",
            "按现行政策，应急转贷资金最多为承诺续贷额度的 80%：承诺 30,000,000.00 元，可借 24,000,000.00 元；"
            "少于企业申请的 30,000,000.00 元，企业还需另筹 6,000,000.00 元",
        ),
        ("0.01", "1.00", "0.00", "1.00", None),  # 80 % of one fen rounds down to nothing (R5: 以内)
    ],
)
def test_what_a_commitment_lets_the_fund_lend(committed, requested, cap, short, words):
    cover = commitment_cover(POLICY, Money.parse(committed), Money.parse(requested))
    assert (cover.cap, cover.short) == (Money.parse(cap), Money.parse(short))
    if words:
        assert cover.explain() == words
