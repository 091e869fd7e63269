"""The issue lifecycle, written out by hand from the workflow and checked against the machine.

The expected table is independent of hall.issues.lifecycle.TRANSITIONS on purpose: a change to
the lifecycle must be made in both places, and a slip in either fails here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.issues.lifecycle import (
    FINAL,
    Capacity,
    Facts,
    Name,
    Refusal,
    State,
    TransitionRefused,
    apply,
    available,
    supports_needed,
)

P, C, S, Y = Capacity.PROPOSER, Capacity.COUNCIL, Capacity.SUBDISTRICT, Capacity.SYSTEM
LETTERS = {"P": P, "C": C, "S": S, "Y": Y}
COLUMNS = (
    State.DRAFT,
    State.COLLECTING,
    State.DELIBERATION,
    State.JUDGMENT,
    State.PUBLICITY,
    State.IMPLEMENTATION,
    State.CLOSED,
    State.WITHDRAWN,
    State.REJECTED,
    State.MERGED,
    State.ESCALATED,
)
# Who may make each transition from each state: P proposer, C council, S subdistrict,
# Y Hall itself; "." nobody. The last column is where the transition leads.
EXPECTED = """
                dra col del jud pub imp clo wit rej mer esc   target
submit           P   .   .   .   .   .   .   .   .   .   .    collecting
accept           .   C   .   .   .   .   .   .   .   .   .    deliberation
advance          .   Y   .   .   .   .   .   .   .   .   .    deliberation
open_judgment    .   .   C   .   .   .   .   .   .   .   .    judgment
publish          .   .   .   C   .   .   .   .   .   .   .    publicity
implement        .   .   .   .   C   .   .   .   .   .   .    implementation
close            .   .   .   CS  .   CS  .   .   .   .   CS   closed
reopen           .   .   .   CS  CS  .   .   .   .   .   CS   deliberation
withdraw         P   P   P   .   .   .   .   .   .   .   .    withdrawn
reject           .   C   C   .   .   .   .   .   .   .   .    rejected
merge            .   C   C   .   .   .   .   .   .   .   .    merged
escalate         .   C   C   C   .   .   .   .   .   .   .    escalated
"""


def expected_table() -> tuple[dict[tuple[State, Name], frozenset[Capacity]], dict[Name, State]]:
    who, target = {}, {}
    for line in EXPECTED.strip().splitlines()[1:]:
        name, *marks, leads_to = line.split()
        for state, mark in zip(COLUMNS, marks, strict=True):
            who[state, Name(name)] = frozenset(LETTERS[letter] for letter in mark.strip("."))
        target[Name(name)] = State(leads_to)
    return who, target


WHO, TARGET = expected_table()
# Facts under which every precondition holds, so that only state and capacity decide.
EVERYTHING_HOLDS = Facts(
    reason="The lift has stopped twice this week.",
    support_threshold_met=True,
    merge_target_state=State.COLLECTING,
)
CASES = [(state, name, capacity) for state in State for name in Name for capacity in Capacity]


def test_the_table_covers_every_state_and_transition():
    assert set(COLUMNS) == set(State)
    assert {name for _, name in WHO} == set(Name)


@pytest.mark.parametrize(
    ("state", "name", "capacity"),
    CASES,
    ids=[f"{s.value}-{n.value}-{c.value}" for s, n, c in CASES],
)
def test_a_transition_is_made_only_from_its_states_by_its_capacities(state, name, capacity):
    allowed = WHO[state, name]
    if capacity in allowed:
        assert apply(state, name, frozenset({capacity}), EVERYTHING_HOLDS) is TARGET[name]
        return
    with pytest.raises(TransitionRefused) as refused:
        apply(state, name, frozenset({capacity}), EVERYTHING_HOLDS)
    # The state is judged before the actor: from a state where nobody may make it, the
    # answer is "wrong state" whoever asks.
    expected = Refusal.NOT_YOURS if allowed else Refusal.WRONG_STATE
    assert refused.value.refusal is expected


def test_an_actor_holding_several_capacities_may_make_what_any_of_them_may():
    proposer_on_council = frozenset({P, C})
    assert apply(State.COLLECTING, Name.WITHDRAW, proposer_on_council) is State.WITHDRAWN
    assert apply(State.DELIBERATION, Name.OPEN_JUDGMENT, proposer_on_council) is State.JUDGMENT


def test_nobody_moves_an_issue_without_a_capacity():
    with pytest.raises(TransitionRefused) as refused:
        apply(State.DRAFT, Name.SUBMIT, frozenset())
    assert refused.value.refusal is Refusal.NOT_YOURS


def test_a_transition_may_be_named_by_its_string():
    assert apply(State.DRAFT, "submit", frozenset({P})) is State.COLLECTING


@pytest.mark.parametrize("name", ["frobnicate", "", "SUBMIT", "close "])
def test_an_unknown_transition_is_refused_as_unknown(name):
    with pytest.raises(TransitionRefused) as refused:
        apply(State.DRAFT, name, frozenset(Capacity), EVERYTHING_HOLDS)
    assert refused.value.refusal is Refusal.UNKNOWN
    assert repr(name) in refused.value.detail


def test_the_refusal_names_who_may_make_the_transition():
    with pytest.raises(TransitionRefused) as refused:
        apply(State.JUDGMENT, Name.CLOSE, frozenset({P}), EVERYTHING_HOLDS)
    assert refused.value.detail == "Only the council, subdistrict may close this issue."


def test_the_wrong_state_is_reported_before_the_wrong_actor_and_the_missing_reason():
    with pytest.raises(TransitionRefused) as refused:
        apply(State.DRAFT, Name.REJECT, frozenset({P}), Facts())
    assert refused.value.refusal is Refusal.WRONG_STATE


def test_the_wrong_actor_is_reported_before_the_missing_reason():
    with pytest.raises(TransitionRefused) as refused:
        apply(State.COLLECTING, Name.REJECT, frozenset({P}), Facts())
    assert refused.value.refusal is Refusal.NOT_YOURS


# Preconditions ---------------------------------------------------------------------------------

NEEDS_A_REASON = [
    (Name.CLOSE, State.JUDGMENT, C),
    (Name.CLOSE, State.IMPLEMENTATION, S),
    (Name.CLOSE, State.ESCALATED, S),
    (Name.REOPEN, State.JUDGMENT, C),
    (Name.REOPEN, State.PUBLICITY, S),
    (Name.REOPEN, State.ESCALATED, C),
    (Name.REJECT, State.COLLECTING, C),
    (Name.REJECT, State.DELIBERATION, C),
    (Name.ESCALATE, State.DELIBERATION, C),
]


@pytest.mark.parametrize(("name", "state", "capacity"), NEEDS_A_REASON)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_closing_reopening_rejecting_and_escalating_need_a_reason(name, state, capacity, reason):
    facts = Facts(reason=reason, support_threshold_met=True)
    with pytest.raises(TransitionRefused) as refused:
        apply(state, name, frozenset({capacity}), facts)
    assert refused.value.refusal is Refusal.REASON_REQUIRED


@pytest.mark.parametrize(("name", "state", "capacity"), NEEDS_A_REASON)
def test_a_reason_is_enough_for_those_transitions(name, state, capacity):
    assert apply(state, name, frozenset({capacity}), Facts(reason="Done.")) is TARGET[name]


@pytest.mark.parametrize(
    ("name", "state", "capacity"),
    [
        (Name.SUBMIT, State.DRAFT, P),
        (Name.WITHDRAW, State.DELIBERATION, P),
        (Name.OPEN_JUDGMENT, State.DELIBERATION, C),
        (Name.PUBLISH, State.JUDGMENT, C),
        (Name.IMPLEMENT, State.PUBLICITY, C),
    ],
)
def test_the_other_transitions_need_no_reason_at_all(name, state, capacity):
    assert apply(state, name, frozenset({capacity}), Facts()) is TARGET[name]


@pytest.mark.parametrize(("name", "capacity"), [(Name.ACCEPT, C), (Name.ADVANCE, Y)])
def test_moving_into_deliberation_waits_for_the_support_threshold(name, capacity):
    facts = Facts(reason="Urgent.", support_threshold_met=False)
    with pytest.raises(TransitionRefused) as refused:
        apply(State.COLLECTING, name, frozenset({capacity}), facts)
    assert refused.value.refusal is Refusal.THRESHOLD_NOT_MET
    met = Facts(support_threshold_met=True)
    assert apply(State.COLLECTING, name, frozenset({capacity}), met) is State.DELIBERATION


def test_a_merge_needs_a_target():
    with pytest.raises(TransitionRefused) as refused:
        apply(State.COLLECTING, Name.MERGE, frozenset({C}), Facts(reason="Same lift."))
    assert refused.value.refusal is Refusal.NO_MERGE_TARGET


def test_an_issue_does_not_merge_into_itself():
    facts = Facts(merge_target_state=State.COLLECTING, merge_target_is_self=True)
    with pytest.raises(TransitionRefused) as refused:
        apply(State.COLLECTING, Name.MERGE, frozenset({C}), facts)
    assert refused.value.refusal is Refusal.MERGE_TARGET_INVALID


@pytest.mark.parametrize("target", sorted(FINAL | {State.DRAFT}))
def test_an_issue_does_not_merge_into_a_finished_one_or_a_draft(target):
    facts = Facts(merge_target_state=target)
    with pytest.raises(TransitionRefused) as refused:
        apply(State.DELIBERATION, Name.MERGE, frozenset({C}), facts)
    assert refused.value.refusal is Refusal.MERGE_TARGET_INVALID


@pytest.mark.parametrize("target", sorted(set(State) - FINAL - {State.DRAFT}))
def test_an_issue_merges_into_any_open_one(target):
    facts = Facts(merge_target_state=target)
    assert apply(State.COLLECTING, Name.MERGE, frozenset({C}), facts) is State.MERGED


def test_the_final_states_are_closed_withdrawn_rejected_and_merged():
    assert {State.CLOSED, State.WITHDRAWN, State.REJECTED, State.MERGED} == FINAL


# Available transitions -------------------------------------------------------------------------

CAPACITY_SETS = [frozenset(), frozenset({P}), frozenset({C}), frozenset({S}), frozenset({Y})]
CAPACITY_SETS += [frozenset({P, C}), frozenset({C, S}), frozenset(Capacity)]


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("capacities", CAPACITY_SETS, ids=lambda c: "+".join(sorted(c)) or "none")
def test_available_lists_what_the_capacities_may_make_from_the_state(state, capacities):
    expected = {name for name in Name if WHO[state, name] & capacities}
    names = available(state, capacities)
    assert set(names) == expected
    assert len(names) == len(set(names))


def test_available_ignores_preconditions():
    assert available(State.COLLECTING, frozenset({C})) == [
        Name.ACCEPT,
        Name.REJECT,
        Name.MERGE,
        Name.ESCALATE,
    ]


def test_the_proposer_of_a_draft_may_submit_or_withdraw_it():
    assert available(State.DRAFT, frozenset({P})) == [Name.SUBMIT, Name.WITHDRAW]


@pytest.mark.parametrize("state", sorted(FINAL))
def test_nothing_is_available_from_a_final_state(state):
    assert available(state, frozenset(Capacity)) == []


# Support thresholds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "households", "needed"), [(5, 0, 5), (5, 3, 5), (12, 400, 12), (1, 1, 1)]
)
def test_a_count_threshold_asks_for_that_many_whatever_the_households(value, households, needed):
    assert supports_needed("count", value, households) == needed


@pytest.mark.parametrize(
    ("percent", "households", "needed"),
    [
        (10, 20, 2),  # exactly 2
        (10, 25, 3),  # 2.5 rounds up
        (10, 21, 3),  # 2.1 rounds up
        (33, 3, 1),  # 0.99 rounds up to 1
        (34, 3, 2),  # 1.02 rounds up to 2
        (50, 7, 4),  # 3.5
        (100, 7, 7),  # every household
        (1, 10, 1),  # 0.1: never fewer than one
        (20, 0, 1),  # no households in scope: still one
        (0, 50, 1),  # a zero share: still one
    ],
)
def test_a_share_threshold_is_a_share_of_the_households_rounded_up_and_at_least_one(
    percent, households, needed
):
    assert supports_needed("share", percent, households) == needed


@given(st.integers(0, 100), st.integers(0, 100_000))
def test_a_share_threshold_is_the_smallest_count_that_reaches_the_share(percent, households):
    needed = supports_needed("share", percent, households)
    assert needed >= 1
    assert needed * 100 >= households * percent  # reaches the share
    assert needed == 1 or (needed - 1) * 100 < households * percent  # one fewer would not


# Properties ------------------------------------------------------------------------------------

any_facts = st.builds(
    Facts,
    reason=st.sampled_from(["", " ", "A reason."]),
    support_threshold_met=st.booleans(),
    merge_target_state=st.none() | st.sampled_from(list(State)),
    merge_target_is_self=st.booleans(),
)
capacity_sets = st.frozensets(st.sampled_from(list(Capacity)))
steps = st.lists(st.tuples(st.sampled_from(list(Name)), capacity_sets, any_facts), max_size=40)


@given(steps)
def test_from_a_draft_no_sequence_of_transitions_leaves_a_final_state(sequence):
    state = State.DRAFT
    for name, capacities, facts in sequence:
        was_final = state in FINAL
        try:
            state_after = apply(state, name, capacities, facts)
        except TransitionRefused:
            continue
        assert not was_final, f"{name} moved a {state} issue to {state_after}"
        assert name in available(state, capacities)
        state = state_after


@given(
    st.sampled_from(list(State)),
    st.sampled_from(list(Name)) | st.text(max_size=20),
    capacity_sets,
    any_facts,
)
def test_apply_returns_a_state_or_refuses(state, name, capacities, facts):
    try:
        result = apply(state, name, capacities, facts)
    except TransitionRefused as refused:
        assert refused.refusal in set(Refusal)
        assert refused.detail
        return
    assert isinstance(result, State)
    assert result in set(State)


def reachable_from(start: State) -> set[State]:
    """Every state some sequence of transitions leads to, whoever makes them."""
    seen, frontier = {start}, [start]
    while frontier:
        state = frontier.pop()
        for name in available(state, frozenset(Capacity)):
            after = apply(state, name, frozenset(Capacity), EVERYTHING_HOLDS)
            if after not in seen:
                seen.add(after)
                frontier.append(after)
    return seen


def test_every_state_is_reachable_from_a_draft():
    assert reachable_from(State.DRAFT) == set(State)


@pytest.mark.parametrize("state", sorted(set(State) - FINAL))
def test_every_unfinished_issue_can_still_be_finished(state):
    assert reachable_from(state) & FINAL


@given(st.lists(st.tuples(st.sampled_from(list(Name)), capacity_sets), max_size=30))
def test_a_walk_from_a_draft_with_every_precondition_met_reaches_only_known_states(walk):
    state, visited = State.DRAFT, [State.DRAFT]
    for name, capacities in walk:
        try:
            state = apply(state, name, capacities, EVERYTHING_HOLDS)
        except TransitionRefused as refused:
            assert refused.refusal in (Refusal.WRONG_STATE, Refusal.NOT_YOURS)
            continue
        visited.append(state)
    assert set(visited) <= reachable_from(State.DRAFT)
    # Once final, the walk stays there.
    finals = [i for i, s in enumerate(visited) if s in FINAL]
    if finals:
        assert len(visited) == finals[0] + 1
