"""The issue lifecycle as a pure state machine: which transitions exist, who may make each,
and what must hold first. Plain data in, the next state out; no Flask, no session.

    draft -> collecting -> deliberation -> judgment -> publicity -> implementation -> closed

with the side exits withdrawn, rejected, merged and escalated. The service works out who the
actor is to the issue (`Capacity`) and the facts the preconditions need (`Facts`), and records
each transition it makes in the ledger.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class State(enum.StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"  # gathering supports
    DELIBERATION = "deliberation"
    JUDGMENT = "judgment"  # a vote is open or being prepared
    PUBLICITY = "publicity"  # the decision is on public notice
    IMPLEMENTATION = "implementation"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    MERGED = "merged"
    ESCALATED = "escalated"  # handed to the subdistrict


FINAL = frozenset({State.CLOSED, State.WITHDRAWN, State.REJECTED, State.MERGED})
# Where residents may still add to the thread; a closed-off issue's thread is read-only.
DISCUSSABLE = frozenset({State.COLLECTING, State.DELIBERATION, State.JUDGMENT, State.ESCALATED})
SUPPORTABLE = frozenset({State.COLLECTING})


class Capacity(enum.StrEnum):
    """Who the actor is to this issue. One actor may hold several."""

    PROPOSER = "proposer"
    COUNCIL = "council"  # chair, committee or branch of the community
    SUBDISTRICT = "subdistrict"  # an officer overseeing the community
    SYSTEM = "system"  # Hall itself, e.g. when supports reach the threshold


class Name(enum.StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"  # the council moves a supported issue into deliberation
    ADVANCE = "advance"  # the same, made by Hall when the community lets the threshold decide
    OPEN_JUDGMENT = "open_judgment"
    PUBLISH = "publish"
    IMPLEMENT = "implement"
    CLOSE = "close"
    REOPEN = "reopen"  # back to deliberation: a failed vote, a sustained objection, a return
    WITHDRAW = "withdraw"
    REJECT = "reject"
    MERGE = "merge"
    ESCALATE = "escalate"


class Requirement(enum.StrEnum):
    REASON = "reason"
    SUPPORT_THRESHOLD = "support_threshold"
    MERGE_TARGET = "merge_target"


@dataclass(frozen=True)
class Transition:
    name: Name
    sources: frozenset[State]
    target: State
    by: frozenset[Capacity]
    requires: frozenset[Requirement] = frozenset()


def _t(name, sources, target, by, requires=()) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(by), frozenset(requires))


S, C, R = State, Capacity, Requirement
BEFORE_JUDGMENT = (S.DRAFT, S.COLLECTING, S.DELIBERATION)
TRANSITIONS: dict[Name, Transition] = {
    t.name: t
    for t in (
        _t(Name.SUBMIT, [S.DRAFT], S.COLLECTING, [C.PROPOSER]),
        _t(Name.ACCEPT, [S.COLLECTING], S.DELIBERATION, [C.COUNCIL], [R.SUPPORT_THRESHOLD]),
        _t(Name.ADVANCE, [S.COLLECTING], S.DELIBERATION, [C.SYSTEM], [R.SUPPORT_THRESHOLD]),
        _t(Name.OPEN_JUDGMENT, [S.DELIBERATION], S.JUDGMENT, [C.COUNCIL]),
        _t(Name.PUBLISH, [S.JUDGMENT], S.PUBLICITY, [C.COUNCIL]),
        _t(Name.IMPLEMENT, [S.PUBLICITY], S.IMPLEMENTATION, [C.COUNCIL]),
        _t(
            Name.CLOSE,
            [S.IMPLEMENTATION, S.JUDGMENT, S.ESCALATED],
            S.CLOSED,
            [C.COUNCIL, C.SUBDISTRICT],
            [R.REASON],
        ),
        _t(
            Name.REOPEN,
            [S.JUDGMENT, S.PUBLICITY, S.ESCALATED],
            S.DELIBERATION,
            [C.COUNCIL, C.SUBDISTRICT],
            [R.REASON],
        ),
        _t(Name.WITHDRAW, BEFORE_JUDGMENT, S.WITHDRAWN, [C.PROPOSER]),
        _t(Name.REJECT, [S.COLLECTING, S.DELIBERATION], S.REJECTED, [C.COUNCIL], [R.REASON]),
        _t(Name.MERGE, [S.COLLECTING, S.DELIBERATION], S.MERGED, [C.COUNCIL], [R.MERGE_TARGET]),
        _t(
            Name.ESCALATE,
            [S.COLLECTING, S.DELIBERATION, S.JUDGMENT],
            S.ESCALATED,
            [C.COUNCIL],
            [R.REASON],
        ),
    )
}
# The transitions this stage's service makes; the ones after judgment belong to voting and
# publicity, which call the same machine.
DELIBERATION_TRANSITIONS = frozenset(
    {
        Name.SUBMIT,
        Name.ACCEPT,
        Name.OPEN_JUDGMENT,
        Name.WITHDRAW,
        Name.REJECT,
        Name.MERGE,
        Name.ESCALATE,
        Name.REOPEN,
        Name.CLOSE,
    }
)


@dataclass(frozen=True)
class Facts:
    """What the preconditions look at, gathered by the caller."""

    reason: str | Mapping = ""  # a person's words, or said data of a reason Hall gives
    support_threshold_met: bool = False
    merge_target_state: State | None = None  # None: no target given, or not found
    merge_target_is_self: bool = False


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown_transition"
    WRONG_STATE = "wrong_state"
    NOT_YOURS = "not_yours"
    REASON_REQUIRED = "reason_required"
    THRESHOLD_NOT_MET = "threshold_not_met"
    NO_MERGE_TARGET = "no_merge_target"
    MERGE_TARGET_INVALID = "merge_target_invalid"


class TransitionRefused(Exception):
    def __init__(self, refusal: Refusal, detail: str):
        super().__init__(detail)
        self.refusal = refusal
        self.detail = detail


def apply(
    state: State, name: Name | str, capacities: frozenset[Capacity], facts: Facts = Facts()
) -> State:
    """The state after `name`, or TransitionRefused saying the first thing that stops it."""
    try:
        transition = TRANSITIONS[Name(name)]
    except ValueError:
        raise TransitionRefused(Refusal.UNKNOWN, f"There is no transition {name!r}.") from None
    if state not in transition.sources:
        raise TransitionRefused(
            Refusal.WRONG_STATE, f"An issue in {state.value} cannot {transition.name.value}."
        )
    if not capacities & transition.by:
        who = ", ".join(sorted(c.value for c in transition.by))
        raise TransitionRefused(
            Refusal.NOT_YOURS, f"Only the {who} may {transition.name.value} this issue."
        )
    _check_requirements(transition, facts)
    return transition.target


def _check_requirements(transition: Transition, facts: Facts) -> None:
    given = facts.reason.strip() if isinstance(facts.reason, str) else facts.reason
    if Requirement.REASON in transition.requires and not given:
        raise TransitionRefused(Refusal.REASON_REQUIRED, "Give a reason.")
    if Requirement.SUPPORT_THRESHOLD in transition.requires and not facts.support_threshold_met:
        raise TransitionRefused(
            Refusal.THRESHOLD_NOT_MET, "The issue has not yet gathered enough supports."
        )
    if Requirement.MERGE_TARGET in transition.requires:
        if facts.merge_target_state is None:
            raise TransitionRefused(Refusal.NO_MERGE_TARGET, "Name the issue to merge into.")
        # A draft is its proposer's alone: merging into one would send followers to a page
        # they cannot open, and the draft can still be withdrawn.
        if facts.merge_target_is_self or facts.merge_target_state in FINAL | {State.DRAFT}:
            raise TransitionRefused(
                Refusal.MERGE_TARGET_INVALID, "An issue merges into another open issue."
            )


def available(state: State, capacities: frozenset[Capacity]) -> list[Name]:
    """Transitions these capacities could make from `state` (preconditions aside), for buttons."""
    return [t.name for t in TRANSITIONS.values() if state in t.sources and capacities & t.by]


def supports_needed(kind: str, value: int, households: int) -> int:
    """How many supports a threshold asks for. `count`: `value`. `share`: `value` per cent of
    the households in scope, rounded up, and never fewer than one."""
    if kind == "count":
        return value
    return max(1, -(-households * value // 100))
