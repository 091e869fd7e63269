"""What one person may do with one vote, decided once from plain facts.

The service gathers the actor's situation (do they run votes on the issue, which households
do they cast for and how do those stand, where is the vote in its course) and asks `decide`;
the API publishes the answer as the vote's `permissions`, the pages render it. The answers
are the rules the services apply, asked beforehand: a door never decides for itself, and a
service still refuses whatever the answer did not foresee (a race, a closing time passed).

Pure: standard library and the ballot box only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields

from hall.voting.ballot_box import Channel, VoteState

# The issue states a vote is set up in: deliberation, or judgment (after a failed vote).
SETTING_UP_STATES = frozenset({"deliberation", "judgment"})


@dataclass(frozen=True)
class ActorHousehold:
    """A household the actor casts for, as it stands: their own, or one whose proxy they hold
    (a proxy that lapsed or was taken back is not held)."""

    own: bool
    ballot_channel: Channel | None  # the channel of the ballot that counts, if any
    proxy_given: bool = False  # their own household handed its ballot to a proxy


@dataclass(frozen=True)
class Situation:
    state: VoteState
    taking_ballots: bool  # open and within its times: the ballot box's own rule
    closing_time_passed: bool
    manages: bool  # the actor runs votes on the vote's issue (the policy's answer)
    issue_state: str  # the issue's lifecycle state, by its value
    issue_has_running_vote: bool  # a vote not yet closed stands on the issue
    households: tuple[ActorHousehold, ...] = ()
    results_live: bool = True  # each option's count is shown while the vote is open


@dataclass(frozen=True)
class VotePermissions:
    view: bool = False
    cast: bool = False  # a first ballot, for some household the actor casts for
    change_ballot: bool = False  # replace a ballot that counts, for some household
    grant_proxy: bool = False  # authorise a neighbour for their own household
    revoke_proxy: bool = False  # take back the proxy their own household gave
    record_proxy: bool = False  # the council records an owner's signed letter
    set_up: bool = False  # set a (further) vote up on the issue
    open: bool = False
    close: bool = False
    cancel: bool = False
    record_paper: bool = False
    confirm_paper: bool = False  # a sheet another member recorded; see `confirms_sheet`
    reject_paper: bool = False
    view_tally: bool = False  # participation against the thresholds
    view_results: bool = False  # each option's headcount and area
    view_ledger: bool = False

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)


NAMES = tuple(field.name for field in fields(VotePermissions))


def may_cast(situation: Situation, household: ActorHousehold) -> bool:
    """May the actor cast (or change) this household's ballot now? Not while the vote takes
    no ballots, not over a paper ballot (the first channel counts), and not for their own
    household while a proxy holds its ballot."""
    if not situation.taking_ballots or household.ballot_channel is Channel.PAPER:
        return False
    return not (household.own and household.proxy_given)


def decide(situation: Situation) -> VotePermissions:
    open_ = situation.state is VoteState.OPEN
    scheduled = situation.state is VoteState.SCHEDULED
    castable = [h for h in situation.households if may_cast(situation, h)]
    own = _own(situation.households)
    return VotePermissions(
        view=True,
        cast=any(h.ballot_channel is None for h in castable),
        change_ballot=any(h.ballot_channel is not None for h in castable),
        grant_proxy=open_
        and own is not None
        and own.ballot_channel is None
        and not own.proxy_given,
        revoke_proxy=open_ and own is not None and own.proxy_given,
        record_proxy=open_ and situation.manages,
        set_up=situation.manages
        and situation.issue_state in SETTING_UP_STATES
        and not situation.issue_has_running_vote,
        open=situation.manages and scheduled and not situation.closing_time_passed,
        close=situation.manages and open_,
        cancel=situation.manages and scheduled,
        record_paper=situation.manages and situation.taking_ballots,
        confirm_paper=situation.manages and open_,
        reject_paper=situation.manages and open_,
        view_tally=not scheduled,
        view_results=not scheduled
        and (situation.state is VoteState.CLOSED or situation.results_live),
        view_ledger=True,
    )


def on_issue(*, manages: bool, issue_state: str, issue_has_running_vote: bool) -> VotePermissions:
    """What one may do about votes on an issue, before any vote of it is read: set one up."""
    return VotePermissions(
        view=True,
        set_up=manages and issue_state in SETTING_UP_STATES and not issue_has_running_vote,
    )


def confirms_sheet(
    permissions: VotePermissions, actor_account_id: int | None, recorder: int
) -> bool:
    """A second council member confirms (or strikes) a paper sheet, never its recorder."""
    return permissions.confirm_paper and actor_account_id not in (None, recorder)


def _own(households: Sequence[ActorHousehold]) -> ActorHousehold | None:
    return next((household for household in households if household.own), None)
