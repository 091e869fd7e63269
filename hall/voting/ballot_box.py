"""The ballot box: whether a household's ballot may go in, and what the ledger keeps of it.

A household's ballot comes in one of three ways: cast online by an owner, cast by the
neighbour an owner made their proxy, or handed in on paper and recorded by the council. A
proxy grant hands the household's ballot to someone else before any of that. All four are
judged here, by the same rules, from the same facts, which their writers (`casting`,
`proxies`, `paper`) read under the vote chain's tip, so that nothing judged can be stale:

- ballots are taken while the vote is open, from its opening time until its closing time;
- the household must be in the vote's electorate;
- its owner casts for it, or the holder of the proxy it gave: never the owner while that
  proxy stands, never a holder whose proxy lapsed, and a proxy cannot be passed on;
- one ballot counts per household, and the first channel wins: an online ballot is replaced
  in place by naming the receipt of the one that counts (the latest), a paper sheet shuts
  the online door and a ballot cast shuts the paper one.

The box also builds the one ledger payload of a ballot; its entry's hash is the receipt.

Pure: standard library and the kernel's refusals only.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from hall.errors import Conflict
from hall.voting import refusals


class VoteState(enum.StrEnum):
    SCHEDULED = "scheduled"  # set up; the electorate is not fixed yet
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    ONLINE = "online"  # cast by an owner of the household
    PROXY = "proxy"  # cast by the person an owner authorised
    PAPER = "paper"  # a paper sheet, recorded by the council and confirmed by a second member


@dataclass(frozen=True)
class VoteFacts:
    """What the box needs to know of the vote."""

    vote_id: int
    state: VoteState
    opens_at: datetime
    closes_at: datetime
    secret: bool
    options: frozenset[str]


@dataclass(frozen=True)
class HouseholdFacts:
    """A household of the electorate as it stands: the ballot that counts and the proxy it
    gave (one taken back is no proxy; one that lapsed is kept, so its holder hears why it no
    longer works)."""

    household_id: int
    number: int  # its name in the ledger
    label: str
    area: Decimal
    weight: Decimal
    ballot_receipt: str | None = None
    ballot_channel: Channel | None = None
    proxy_id: int | None = None
    proxy_holder: int | None = None  # the person it was given to
    proxy_hash: str | None = None  # the entry that granted it
    proxy_expired: bool = False

    @property
    def proxy_active(self) -> bool:
        return self.proxy_id is not None and not self.proxy_expired

    def with_ballot(self, receipt: str, channel: Channel) -> HouseholdFacts:
        """The household once this ballot is in: a second one in the same batch sees it."""
        return replace(self, ballot_receipt=receipt, ballot_channel=channel)


@dataclass(frozen=True)
class Ballot:
    """A ballot judged writable, and what its ledger entry says."""

    household: HouseholdFacts
    choice: str
    channel: Channel
    proxy_id: int | None
    nonce: str | None  # opens a secret ballot's commitment
    payload: dict

    @property
    def replaces(self) -> str | None:
        """The receipt of the ballot this one replaces in place, if any."""
        return self.household.ballot_receipt


def taking_ballots(state: VoteState, opens_at: datetime, closes_at: datetime, now: datetime):
    """Does the box take ballots now? The question a page asks before showing the buttons."""
    try:
        check_taking_ballots(state, opens_at, closes_at, now)
    except Conflict:
        return False
    return True


def check_taking_ballots(
    state: VoteState, opens_at: datetime, closes_at: datetime, now: datetime
) -> None:
    state = VoteState(state)
    if state is VoteState.SCHEDULED:
        raise refusals.VOTE_NOT_OPEN()
    if state is VoteState.CLOSED:
        raise refusals.VOTE_CLOSED()
    if now < opens_at:
        raise refusals.VOTE_NOT_YET_OPEN(opens_at=opens_at.isoformat())
    if now >= closes_at:
        raise refusals.CLOSING_TIME_PASSED()


def judge_cast(
    vote: VoteFacts,
    households: Mapping[int, HouseholdFacts],
    *,
    own: int | None,
    unit_asked: bool,
    of_unit: int | None,
    person_id: int | None,
    choice: str,
    replaces: str | None,
    now: datetime,
) -> Ballot:
    """A ballot cast online, by an owner or a proxy: for the caster's own household (`own`),
    or, when they name a unit, for that unit's household (`of_unit`), which is by proxy
    unless it is their own. `households` holds both as they stand."""
    check_taking_ballots(vote.state, vote.opens_at, vote.closes_at, now)
    _check_choice(vote, choice)
    if not unit_asked:
        if own is None:
            raise refusals.NOT_IN_ELECTORATE()
        household_id = own
    elif of_unit is None:
        raise refusals.UNIT_NOT_IN_ELECTORATE()
    else:
        household_id = of_unit
    household = households[household_id]
    by_proxy = household_id != own
    _check_caster(household, by_proxy, person_id)
    _check_replacing(household, replaces)
    channel = Channel.PROXY if by_proxy else Channel.ONLINE
    payload = {
        "vote_id": vote.vote_id,
        "member": household.number,
        "channel": channel.value,
        "replaces": replaces,
    }
    if by_proxy:
        payload["proxy"] = household.proxy_hash
    proxy_id = household.proxy_id if by_proxy else None
    return _sealed(vote, household, choice, channel, proxy_id, payload)


def judge_paper(
    vote: VoteFacts,
    household: HouseholdFacts | None,
    *,
    choice: str,
    sheet: str,
    now: datetime,
) -> Ballot:
    """A paper sheet recorded by the council, for the household of the unit it names."""
    check_taking_ballots(vote.state, vote.opens_at, vote.closes_at, now)
    _check_choice(vote, choice)
    sheet = check_sheet(sheet)
    if household is None:
        raise refusals.UNIT_NOT_IN_ELECTORATE()
    if household.ballot_receipt is not None:
        raise refusals.ONE_BALLOT_COUNTS()
    payload = {
        "vote_id": vote.vote_id,
        "member": household.number,
        "channel": Channel.PAPER.value,
        "sheet": sheet,
    }
    return _sealed(vote, household, choice, Channel.PAPER, None, payload)


def check_sheet(sheet: str) -> str:
    """A sheet's reference, so that it can be found again."""
    if not sheet.strip():
        raise refusals.SHEET_REQUIRED()
    return sheet.strip()


def check_proxy_request(
    state: VoteState, authorisation: str, expires_at: datetime | None, now: datetime
) -> str:
    """Can a proxy be given in this vote, so worded and so long? The authorisation's words."""
    state = VoteState(state)
    if state is VoteState.CLOSED:
        raise refusals.VOTE_CLOSED()
    if not authorisation.strip():
        raise refusals.AUTHORISATION_REQUIRED()
    if expires_at is not None and expires_at <= now:
        raise refusals.PROXY_EXPIRY_PAST()
    if state is VoteState.SCHEDULED:
        raise refusals.PROXY_BEFORE_OPENING()
    return authorisation.strip()


def check_proxy_holder(holder_person_id: int, voters: frozenset[int]) -> None:
    """One of the household's own voters needs no proxy to cast its ballot."""
    if holder_person_id in voters:
        raise refusals.PROXY_VOTES_ALREADY()


def judge_proxy(
    vote_id: int,
    household: HouseholdFacts,
    *,
    holder_person_id: int,
    authorisation: str,
    expires_at: datetime | None,
) -> dict:
    """May the household hand its ballot to a proxy now? The grant's ledger payload.

    A household that voted has nothing left to hand over, and it gives one proxy at a time;
    one that lapsed makes room for the next, and its writer takes it back first."""
    if household.ballot_receipt is not None:
        raise refusals.VOTED_BEFORE_PROXY()
    if household.proxy_active:
        raise refusals.PROXY_ALREADY_GIVEN()
    return {
        "vote_id": vote_id,
        "member": household.number,
        "proxy_person": holder_person_id,
        "authorisation": authorisation,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }


def proxy_taken_back(vote_id: int, proxy_hash: str, why: str) -> dict:
    """The ledger payload of a proxy taken back: "revoked" by its owner or the council, or
    "expired" when a lapsed one makes room for a new one."""
    return {"vote_id": vote_id, "proxy": proxy_hash, "why": why}


def commitment(vote_id: int, number: int, choice: str, nonce: str) -> str:
    """What a secret ballot's ledger entry holds instead of its choice."""
    return hashlib.sha256(f"{vote_id}:{number}:{choice}:{nonce}".encode()).hexdigest()


def _check_choice(vote: VoteFacts, choice: str) -> None:
    if choice not in vote.options:
        raise refusals.NOT_AN_OPTION()


def _check_caster(household: HouseholdFacts, by_proxy: bool, person_id: int | None) -> None:
    """Does the caster speak for the household: its owner with no proxy given, or the person
    holding its proxy?"""
    if by_proxy:
        # No proxy leaves no holder, and an actor with no person holds no proxy.
        if household.proxy_holder is None or household.proxy_holder != person_id:
            raise refusals.NOT_YOUR_HOUSEHOLD()
        if household.proxy_expired:
            raise refusals.PROXY_EXPIRED()
    elif household.proxy_active:
        raise refusals.PROXY_HOLDS_BALLOT()


def _check_replacing(household: HouseholdFacts, replaces: str | None) -> None:
    """Is this the household's first ballot, or does it replace the one that counts?"""
    if household.ballot_channel is Channel.PAPER:
        raise refusals.PAPER_BALLOT_COUNTS()
    if household.ballot_receipt is None:
        if replaces:
            raise refusals.NOTHING_TO_REPLACE()
    elif replaces != household.ballot_receipt:
        raise refusals.RECEIPT_NOT_LATEST() if replaces else refusals.ALREADY_VOTED()


def _sealed(
    vote: VoteFacts,
    household: HouseholdFacts,
    choice: str,
    channel: Channel,
    proxy_id: int | None,
    payload: dict,
) -> Ballot:
    """The ballot, its payload holding its choice or, in a secret vote, a commitment that
    only the nonce the voter keeps opens."""
    if not vote.secret:
        return Ballot(household, choice, channel, proxy_id, None, {**payload, "choice": choice})
    nonce = secrets.token_hex(16)
    sealed = commitment(vote.vote_id, household.number, choice, nonce)
    return Ballot(household, choice, channel, proxy_id, nonce, {**payload, "commitment": sealed})
