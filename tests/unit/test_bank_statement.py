"""Matching the special account's statement with the books (issue 29), as the domain decides it: which pairs match by
themselves, what an unmatched line is shown beside, when a hand match is refused, when a day stands reconciled, and
what makes a line the same line in a second file. Every expected value written out."""

from __future__ import annotations

from datetime import date

import pytest

from loanfund.domain.bank_statement import (
    Day,
    Line,
    Movement,
    StatementLine,
    automatic_matches,
    fingerprints,
    hand_match_problems,
    near,
    normalise,
    references_agree,
)
from loanfund.domain.money import Money
from loanfund.domain.warning import Risk, Thresholds, bank_statement

M = Money.parse
NOV2, NOV3 = date(2026, 11, 2), date(2026, 11, 3)


def test_a_line_and_an_entry_of_one_reference_amount_and_day_match_by_themselves():
    lines = [Line(1, NOV2, -M("30,000,000.00"), "HK-A1"), Line(2, NOV2, M("30,037,500.00"), "转账 HS-A1 归还")]
    movements = [
        Movement(11, NOV2, -M("30,000,000.00"), " hk-a1 "),  # spelled otherwise: spaces and case do not count
        Movement(12, NOV2, M("30,037,500.00"), "HS-A1"),  # printed inside the bank's 摘要
    ]
    assert automatic_matches(lines, movements) == [(1, 11), (2, 12)]


@pytest.mark.parametrize(
    ("line", "movement"),
    [
        (Line(1, NOV2, M("100.00"), "HK1"), Movement(11, NOV2, M("100.01"), "HK1")),  # a fen apart
        (Line(1, NOV2, M("100.00"), "HK1"), Movement(11, NOV3, M("100.00"), "HK1")),  # a day apart
        (Line(1, NOV2, M("100.00"), "HK1"), Movement(11, NOV2, -M("100.00"), "HK1")),  # in against out
        (Line(1, NOV2, M("100.00"), "HK2"), Movement(11, NOV2, M("100.00"), "HK1")),  # another reference
        (Line(1, NOV2, M("100.00"), ""), Movement(11, NOV2, M("100.00"), "HK1")),  # the bank printed none
        (Line(1, NOV2, M("100.00"), "XHK1"), Movement(11, NOV2, M("100.00"), "HK1")),  # 3 characters: not "inside"
    ],
)
def test_anything_short_of_full_agreement_is_left_for_a_person(line, movement):
    assert automatic_matches([line], [movement]) == []


def test_two_candidates_on_either_side_match_neither():
    twins = [Line(1, NOV2, M("100.00"), "HK1"), Line(2, NOV2, M("100.00"), "HK1")]
    assert automatic_matches(twins, [Movement(11, NOV2, M("100.00"), "HK1")]) == []
    assert (
        automatic_matches(twins[:1], [Movement(11, NOV2, M("100.00"), "HK1"), Movement(12, NOV2, M("100.00"), "HK1")])
        == []
    )


def test_references_are_compared_without_spaces_and_case_and_found_inside_from_four_characters():
    assert normalise(" hk -001 ") == "HK-001"
    assert references_agree("HK-001", "hk-001")
    assert references_agree("网银转账HK-001应急转贷", "HK-001")
    assert not references_agree("网银转账ABC应急", "ABC")
    assert references_agree("ABC", "ABC")
    assert not references_agree("", "")
    assert not references_agree("HK-001", None)


def test_an_unmatched_line_is_shown_with_the_entries_it_nearly_agrees_with():
    line = Line(1, NOV2, M("30,037,400.00"), "HS-A1")
    found = near(
        line,
        [
            Movement(12, NOV2, M("30,037,500.00"), "HS-A1"),
            Movement(13, NOV3, M("30,037,400.00"), "HS-A1"),
            Movement(14, NOV2, M("30,037,400.00"), "HS-B9"),
            Movement(15, NOV3, M("5.00"), "QT-1"),
        ],
    )
    assert [(n.movement.entry_id, n.differences) for n in found] == [
        (12, ("金额不同：银行 30,037,400.00 元，账面 30,037,500.00 元，相差 -100.00 元",)),
        (13, ("日期不同：银行 2026-11-02，账面 2026-11-03",)),
        (14, ("金额、日期相同，凭证号不同：银行 HS-A1，账面 HS-B9",)),
    ]


def test_a_hand_match_needs_the_same_amount_and_a_reason():
    line = Line(1, NOV2, M("100.00"), "X")
    assert hand_match_problems(line, Movement(11, NOV3, M("100.00"), "Y"), "银行次日入账") == {}
    assert hand_match_problems(line, Movement(11, NOV2, M("99.99"), "X"), "  ") == {
        "entry_id": ["金额不一致（银行 100.00 元，账面 99.99 元），不能对账：请先查明差额"],
        "reason": ["人工对账须写明理由"],
    }


def _day(**given: object) -> Day:
    base: dict[str, object] = {
        "day": NOV2,
        "bank_in": M("0.00"),
        "bank_out": M("0.00"),
        "books_in": M("0.00"),
        "books_out": M("0.00"),
        "bank_closing": M("170,000,000.00"),
        "books_closing": M("170,000,000.00"),
        "unmatched_lines": 0,
        "unmatched_movements": 0,
    }
    return Day(**(base | given))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "difference", "reconciled"),
    [
        ({}, M("0.00"), True),
        ({"bank_closing": None}, None, True),  # a file without balances: matched is all it can be
        ({"bank_closing": M("170,000,000.01")}, M("0.01"), False),
        ({"unmatched_lines": 1}, M("0.00"), False),
        ({"unmatched_movements": 1}, M("0.00"), False),
    ],
)
def test_a_day_is_reconciled_when_everything_is_matched_and_the_balances_agree(given, difference, reconciled):
    day = _day(**given)
    assert (day.difference, day.reconciled) == (difference, reconciled)


def test_a_line_is_the_same_line_in_a_second_file_and_two_identical_lines_are_two():
    a = StatementLine(5, NOV2, M("100.00"), "对方", "HK1")
    same_elsewhere = StatementLine(9, NOV2, M("100.00"), "对方", "HK1")  # another row of another file
    first, second = fingerprints([a, same_elsewhere])
    assert first != second  # two transfers of one day, amount and reference: two lines
    assert fingerprints([same_elsewhere]) == [first]  # alone in another file: the first of them, as before
    with_id = StatementLine(1, NOV2, M("100.00"), bank_txn_id="20261102000123")
    assert fingerprints([with_id]) == ["id:20261102000123"]


# -- R15: the special account apart from the bank ------------------------------------------------------------------

DEC1 = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("unreconciled", "covered_to", "why"),
    [
        ([], None, []),  # no statement ever imported: not warned
        ([date(2026, 11, 29)], date(2026, 11, 28), []),  # 2 days on, 2 days allowed; covered to 2 days ago
        (
            [date(2026, 11, 28)],
            date(2026, 11, 28),
            ["1 天与银行对账单未对平（2026-11-28），已超过 2 天"],
        ),
        (
            [],
            date(2026, 11, 27),
            ["银行对账单只导入到 2026-11-27，此后 3 天未导入（超过 2 天）"],
        ),
        (
            [date(2026, 11, d) for d in (1, 2, 3, 4, 5, 6, 29)],
            date(2026, 11, 30),
            ["6 天与银行对账单未对平（2026-11-01、2026-11-02、2026-11-03、2026-11-04、2026-11-05等），已超过 2 天"],
        ),
    ],
)
def test_a_day_apart_from_the_bank_past_the_threshold_and_a_statement_missing_are_warned(unreconciled, covered_to, why):
    found = bank_statement(unreconciled, covered_to, DEC1, Thresholds())
    assert [(w.risk, w.subject, w.why) for w in found] == [(Risk.BANK_UNRECONCILED, "专用账户", text) for text in why]
