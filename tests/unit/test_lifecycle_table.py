"""The transition table, pair by pair: every (state, action, role) is allowed exactly when the table says so."""

import itertools

import pytest

from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import TRANSITIONS, Action, Role, State, actions_for, transition_for
from tests.lifecycle_table import LIFECYCLE


@pytest.mark.parametrize(("state", "action", "role"), list(itertools.product(State, Action, Role)))
def test_allowed_exactly_when_design_says(state, action, role):
    """The oracle is DESIGN §3 written out in tests/lifecycle_table.py, not the table under test."""
    row = LIFECYCLE.get((state, action))
    if row is not None and role in row[0]:
        transition = transition_for(state, action, role)
        assert (transition.target, transition.alternative) == (row[1], row[2])
    else:
        with pytest.raises(NotAllowed) as caught:
            transition_for(state, action, role)
        takes_it_somewhere = any(role in roles for (_, a), (roles, _, _) in LIFECYCLE.items() if a is action)
        if action is Action.SUBMIT:
            takes_it_somewhere = role is Role.ENTERPRISE
        assert caught.value.code == ("state_not_allowed" if takes_it_somewhere else "role_not_allowed")


def test_the_table_under_test_has_no_entry_design_does_not():
    assert set(TRANSITIONS) == set(LIFECYCLE)


def test_the_happy_path_of_design_section_3():
    path = [
        (State.SUBMITTED, Action.ACCEPT, Role.REVIEWER, State.ACCEPTED),
        (State.ACCEPTED, Action.COMMIT, Role.BANK, State.BANK_COMMITTED),
        (State.BANK_COMMITTED, Action.APPROVE, Role.OPERATOR, State.APPROVED),
        (State.APPROVED, Action.AUTHORISE_DISBURSEMENT, Role.OPERATOR, State.DISBURSED),
        (State.DISBURSED, Action.CONFIRM_RENEWAL, Role.BANK, State.RENEWED),
        (State.RENEWED, Action.CONFIRM_RETURN, Role.BANK, State.REPAID),
        (State.REPAID, Action.ARCHIVE, Role.OPERATOR, State.ARCHIVED),
    ]
    for state, action, role, target in path:
        assert transition_for(state, action, role).target is target


def test_approval_may_route_to_the_group_and_returns_may_stay_open():
    assert TRANSITIONS[(State.BANK_COMMITTED, Action.APPROVE)].alternative is State.GROUP_REVIEW
    assert TRANSITIONS[(State.RENEWED, Action.CONFIRM_RETURN)].alternative is State.RENEWED


def test_nothing_leaves_a_final_state():
    for state in (
        State.ARCHIVED,
        State.REJECTED,
        State.BANK_DECLINED,
        State.GROUP_REJECTED,
        State.WITHDRAWN,
        State.CANCELLED,
        State.WRITTEN_OFF,
    ):
        assert all(actions_for(state, role) == [] for role in Role)


def test_withdrawal_is_possible_only_before_disbursement():
    states = {s for (s, a) in TRANSITIONS if a is Action.WITHDRAW}
    assert states == {State.SUBMITTED, State.ACCEPTED, State.BANK_COMMITTED, State.GROUP_REVIEW, State.APPROVED}


def test_messages_are_chinese_and_name_state_and_action():
    with pytest.raises(NotAllowed) as caught:
        transition_for(State.DISBURSED, Action.WITHDRAW, Role.ENTERPRISE)
    assert caught.value.message == "当前状态“已放款”下不能执行“撤回”"
    with pytest.raises(NotAllowed) as caught:
        transition_for(State.SUBMITTED, Action.ACCEPT, Role.ENTERPRISE)
    assert caught.value.message == "“企业”无权执行“受理”"
