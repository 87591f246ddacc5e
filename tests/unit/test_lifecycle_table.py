"""The transition table, pair by pair: every (state, action, role) is allowed exactly when the table says so."""

import itertools

import pytest

from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import ACTION_ROLES, TRANSITIONS, Action, Role, State, actions_for, transition_for


@pytest.mark.parametrize(("state", "action", "role"), list(itertools.product(State, Action, Role)))
def test_allowed_exactly_when_the_table_says(state, action, role):
    entry = TRANSITIONS.get((state, action))
    allowed = entry is not None and role in entry.roles
    if allowed:
        assert transition_for(state, action, role) is entry
    else:
        with pytest.raises(NotAllowed) as caught:
            transition_for(state, action, role)
        expected = "role_not_allowed" if role not in ACTION_ROLES.get(action, frozenset()) else "state_not_allowed"
        assert caught.value.code == expected


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
