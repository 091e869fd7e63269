"""What one person may do with a vote, decided once from plain facts (hall.voting.access)."""

from __future__ import annotations

import pytest

from hall.voting import access
from hall.voting.access import ActorHousehold, Situation
from hall.voting.ballot_box import Channel, VoteState


def situation(state=VoteState.OPEN, *, taking=True, manages=False, households=(), **more):
    return Situation(
        state=state,
        taking_ballots=taking,
        closing_time_passed=more.pop("closing_time_passed", False),
        manages=manages,
        issue_state=more.pop("issue_state", "judgment"),
        issue_has_running_vote=more.pop("running", state is not VoteState.CLOSED),
        households=tuple(households),
        results_live=more.pop("results_live", True),
    )


OWN = ActorHousehold(own=True, ballot_channel=None)


def allowed(permissions: access.VotePermissions) -> set[str]:
    return {name for name, value in permissions.as_dict().items() if value}


def test_an_owner_who_has_not_voted_may_cast_or_hand_the_ballot_to_a_proxy():
    assert allowed(access.decide(situation(households=[OWN]))) == {
        "view", "cast", "grant_proxy", "view_tally", "view_results", "view_ledger",
    }  # fmt: skip


def test_an_owner_who_voted_may_change_the_ballot_but_no_longer_give_a_proxy():
    voted = ActorHousehold(own=True, ballot_channel=Channel.ONLINE)
    found = access.decide(situation(households=[voted]))
    assert (found.cast, found.change_ballot, found.grant_proxy) == (False, True, False)


def test_a_paper_sheet_or_a_proxy_given_shuts_the_online_door():
    on_paper = ActorHousehold(own=True, ballot_channel=Channel.PAPER)
    assert not access.may_cast(situation(), on_paper)
    handed = ActorHousehold(own=True, ballot_channel=None, proxy_given=True)
    found = access.decide(situation(households=[handed]))
    assert (found.cast, found.grant_proxy, found.revoke_proxy) == (False, False, True)
    held = ActorHousehold(own=False, ballot_channel=None)
    assert access.decide(situation(households=[handed, held])).cast


@pytest.mark.parametrize(
    ("state", "taking", "expected"),
    [
        (VoteState.SCHEDULED, False, {"open", "cancel", "view_ledger", "view"}),
        (VoteState.OPEN, True, {"close", "record_paper", "confirm_paper", "reject_paper",
                                "record_proxy", "view_tally", "view_results", "view_ledger",
                                "view"}),
        # Past its closing time: no more sheets, but those handed in are still confirmed.
        (VoteState.OPEN, False, {"close", "confirm_paper", "reject_paper", "record_proxy",
                                 "view_tally", "view_results", "view_ledger", "view"}),
        (VoteState.CLOSED, False, {"set_up", "view_tally", "view_results", "view_ledger",
                                   "view"}),
    ],
)  # fmt: skip
def test_the_council_runs_the_vote_through_its_course(state, taking, expected):
    running = state is not VoteState.CLOSED
    found = access.decide(situation(state, taking=taking, manages=True, running=running))
    assert allowed(found) == expected


def test_a_vote_past_its_closing_time_is_not_opened_and_hidden_results_stay_hidden():
    late = situation(VoteState.SCHEDULED, taking=False, manages=True, closing_time_passed=True)
    assert allowed(access.decide(late)) == {"cancel", "view", "view_ledger"}
    hidden = access.decide(situation(results_live=False))
    assert (hidden.view_tally, hidden.view_results) == (True, False)


def test_a_vote_is_set_up_on_an_issue_in_deliberation_or_judgment_with_none_running():
    assert access.on_issue(manages=True, issue_state="deliberation",
                           issue_has_running_vote=False).set_up  # fmt: skip
    assert not access.on_issue(manages=True, issue_state="publicity",
                               issue_has_running_vote=False).set_up  # fmt: skip
    assert not access.on_issue(manages=True, issue_state="judgment",
                               issue_has_running_vote=True).set_up  # fmt: skip
    assert not access.on_issue(manages=False, issue_state="judgment",
                               issue_has_running_vote=False).set_up  # fmt: skip


def test_a_sheet_is_confirmed_by_a_second_council_member_only():
    council = access.decide(situation(manages=True))
    assert access.confirms_sheet(council, 5, recorder=6)
    assert not access.confirms_sheet(council, 6, recorder=6)
    assert not access.confirms_sheet(access.decide(situation()), 5, recorder=6)
