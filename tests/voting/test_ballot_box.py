"""The ballot box judges an online ballot, a proxy's and a paper sheet alike, from plain facts:
no database, no Flask. What the writers do with its answer is tested through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hall.errors import HallError
from hall.voting import ballot_box
from hall.voting.ballot_box import Channel, HouseholdFacts, VoteFacts, VoteState

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
OPEN = VoteFacts(
    vote_id=7,
    state=VoteState.OPEN,
    opens_at=NOW - timedelta(days=1),
    closes_at=NOW + timedelta(days=6),
    secret=False,
    options=frozenset({"for", "against", "abstain"}),
)
OWNER, HOLDER, STRANGER = 101, 202, 303
HOME = HouseholdFacts(household_id=1, number=5, label="1栋 301", area=Decimal("89.50"),
                      weight=Decimal(0))  # fmt: skip


def given(**proxy) -> HouseholdFacts:
    """The household with a proxy given to HOLDER."""
    return HouseholdFacts(**{**HOME.__dict__, "proxy_id": 9, "proxy_holder": HOLDER,
                             "proxy_hash": "a" * 64, **proxy})  # fmt: skip


def online(household=HOME, *, vote=OPEN, caster=OWNER, unit=False, replaces=None, choice="for"):
    """A ballot cast by `caster`: for their own household, or with `unit`, for HOME's."""
    own = HOME.household_id if caster == OWNER else None
    return ballot_box.judge_cast(
        vote,
        {household.household_id: household},
        own=own,
        unit_asked=unit,
        of_unit=HOME.household_id if unit else None,
        person_id=caster,
        choice=choice,
        replaces=replaces,
        now=NOW,
    )


def refused_as(code: str, judge, *args, **kwargs) -> HallError:
    with pytest.raises(HallError) as refused:
        judge(*args, **kwargs)
    assert refused.value.code == code
    return refused.value


def test_an_owner_casts_and_the_ledger_keeps_the_one_payload():
    ballot = online()
    assert (ballot.channel, ballot.choice, ballot.proxy_id, ballot.replaces) == (
        Channel.ONLINE, "for", None, None,
    )  # fmt: skip
    assert ballot.payload == {
        "vote_id": 7, "member": 5, "channel": "online", "replaces": None, "choice": "for",
    }  # fmt: skip


def test_a_secret_ballot_keeps_a_commitment_its_nonce_opens():
    ballot = online(vote=VoteFacts(**{**OPEN.__dict__, "secret": True}))
    assert "choice" not in ballot.payload
    assert ballot.payload["commitment"] == ballot_box.commitment(7, 5, "for", ballot.nonce)


@pytest.mark.parametrize(
    ("state", "opens", "closes", "code"),
    [
        (VoteState.SCHEDULED, -1, 6, "vote_not_open"),
        (VoteState.CLOSED, -1, 6, "vote_closed"),
        (VoteState.OPEN, 1, 6, "vote_not_yet_open"),
        (VoteState.OPEN, -7, 0, "closing_time_passed"),
    ],
)
def test_ballots_are_taken_while_the_vote_is_open_and_within_its_times(state, opens, closes, code):
    vote = VoteFacts(7, state, NOW + timedelta(days=opens), NOW + timedelta(days=closes), False,
                     OPEN.options)  # fmt: skip
    refused_as(code, online, vote=vote)
    assert not ballot_box.taking_ballots(vote.state, vote.opens_at, vote.closes_at, NOW)
    refused_as(code, ballot_box.judge_paper, vote, HOME, choice="for", sheet="S-1", now=NOW)


def test_who_may_cast_for_a_household():
    refused_as("not_an_option", online, choice="plan_1")
    refused_as("not_in_electorate", online, caster=STRANGER)
    refused_as("not_your_household", online, caster=STRANGER, unit=True)
    proxied = online(given(), caster=HOLDER, unit=True)
    assert (proxied.channel, proxied.proxy_id, proxied.payload["proxy"]) == (
        Channel.PROXY, 9, "a" * 64,
    )  # fmt: skip
    refused_as("proxy_expired", online, given(proxy_expired=True), caster=HOLDER, unit=True)
    # The owner handed the ballot over; once the proxy lapses, it is theirs again.
    refused_as("proxy_holds_ballot", online, given())
    assert online(given(proxy_expired=True)).channel is Channel.ONLINE
    # A proxy holder cannot pass the ballot on to a third person.
    refused_as("not_your_household", online, given(), caster=STRANGER, unit=True)


def test_one_ballot_counts_and_the_first_channel_wins():
    voted = HOME.with_ballot("b" * 64, Channel.ONLINE)
    refused_as("already_voted", online, voted)
    refused_as("receipt_not_latest", online, voted, replaces="c" * 64)
    assert online(voted, replaces="b" * 64).replaces == "b" * 64
    refused_as("no_ballot_to_replace", online, replaces="b" * 64)
    on_paper = HOME.with_ballot("d" * 64, Channel.PAPER)
    refused_as("paper_ballot_counts", online, on_paper, replaces="d" * 64)
    paper = dict(choice="for", sheet="S-1", now=NOW)
    refused_as("one_ballot_counts", ballot_box.judge_paper, OPEN, voted, **paper)
    refused_as("unit_not_in_electorate", ballot_box.judge_paper, OPEN, None, **paper)
    refused_as("sheet_required", ballot_box.judge_paper, OPEN, HOME, choice="for", sheet=" ",
               now=NOW)  # fmt: skip
    sheet = ballot_box.judge_paper(OPEN, HOME, choice="against", sheet=" S-1 ", now=NOW)
    assert sheet.payload == {
        "vote_id": 7, "member": 5, "channel": "paper", "sheet": "S-1", "choice": "against",
    }  # fmt: skip


def test_a_proxy_is_given_once_before_the_household_votes():
    words = ballot_box.check_proxy_request(VoteState.OPEN, " 委托书 ", None, NOW)
    assert words == "委托书"
    for state, words, expires, code in [
        (VoteState.CLOSED, "委托书", None, "vote_closed"),
        (VoteState.OPEN, "  ", None, "authorisation_required"),
        (VoteState.OPEN, "委托书", NOW, "proxy_expiry_past"),
        (VoteState.SCHEDULED, "委托书", None, "proxy_before_opening"),
    ]:
        refused_as(code, ballot_box.check_proxy_request, state, words, expires, NOW)
    refused_as("proxy_votes_already", ballot_box.check_proxy_holder, OWNER, frozenset({OWNER}))
    grant = dict(holder_person_id=HOLDER, authorisation="委托书", expires_at=None)
    voted = HOME.with_ballot("b" * 64, Channel.ONLINE)
    refused_as("voted_before_proxy", ballot_box.judge_proxy, 7, voted, **grant)
    refused_as("proxy_already_given", ballot_box.judge_proxy, 7, given(), **grant)
    assert ballot_box.judge_proxy(7, given(proxy_expired=True), **grant) == {
        "vote_id": 7, "member": 5, "proxy_person": HOLDER, "authorisation": "委托书",
        "expires_at": None,
    }  # fmt: skip
