"""What the ballot box judges by, read with statements built once.

The writers of ballots and proxies read these under the vote chain's tip, so what they read
is what the last writer committed. Casting runs them for every ballot when a whole
electorate votes at once, so each is one round trip: the vote with its options, and the
households asked for, each with the ballot that counts and the proxy it gave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, and_, bindparam, cast, null, select, union_all

from hall.community.models import Community
from hall.types import utcnow
from hall.voting.ballot_box import Channel, HouseholdFacts, VoteFacts, VoteState
from hall.voting.models import (
    Ballot,
    ElectorateUnit,
    ElectorateVoter,
    Household,
    Proxy,
    Vote,
    VoteOption,
)


@dataclass(frozen=True)
class VoteAt:
    """The vote as the box sees it, and where it is, for the policy."""

    facts: VoteFacts
    community_id: int
    subdistrict_id: int


@dataclass(frozen=True)
class Asked:
    """The households a batch of ballots is for: by the person casting, by the unit named."""

    voters: dict[int, int]  # person -> the household they vote for as its owner
    units: dict[int, int]  # unit -> its household
    households: dict[int, HouseholdFacts]


def vote_at(session, vote_id: int) -> VoteAt | None:
    rows = session.execute(_VOTE, {"vote_id": vote_id}).all()
    if not rows:
        return None
    first = rows[0]
    facts = VoteFacts(
        vote_id=vote_id,
        state=VoteState(first.state),
        opens_at=first.opens_at,
        closes_at=first.closes_at,
        secret=first.secret,
        options=frozenset(row.key for row in rows if row.key is not None),
    )
    return VoteAt(facts, first.community_id, first.subdistrict_id)


def households_asked(session, vote_id: int, persons: Iterable[int], units: Iterable[int]) -> Asked:
    """The households of these people and of these units, as they stand."""
    persons, units = sorted(set(persons)), sorted(set(units))
    found = Asked({}, {}, {})
    if not persons and not units:
        return found
    rows = session.execute(_ASKED, {"vote_id": vote_id, "persons": persons, "units": units})
    for row in rows:
        if row.asked_person is not None:
            found.voters[row.asked_person] = row.household_id
        if row.asked_unit is not None:
            found.units[row.asked_unit] = row.household_id
        found.households[row.household_id] = _household(row)
    return found


def household_facts(session, vote_id: int, household_id: int) -> HouseholdFacts:
    row = session.execute(_ONE, {"vote_id": vote_id, "household_id": household_id}).one()
    return _household(row)


def held_by(session, vote_id: int, person_id: int) -> list[HouseholdFacts]:
    """The households whose proxy the person holds, not taken back and not expired."""
    rows = session.execute(_HELD, {"vote_id": vote_id, "person_id": person_id})
    return [household for household in map(_household, rows) if not household.proxy_expired]


def _household(row) -> HouseholdFacts:
    expired = row.proxy_expires_at is not None and row.proxy_expires_at <= utcnow()
    return HouseholdFacts(
        household_id=row.household_id,
        number=row.number,
        label=row.label,
        area=row.area,
        weight=row.weight,
        ballot_receipt=row.ballot_receipt,
        ballot_channel=Channel(row.ballot_channel) if row.ballot_channel else None,
        proxy_id=row.proxy_id,
        proxy_holder=row.proxy_person_id,
        proxy_hash=row.proxy_hash,
        proxy_expired=expired,
    )


_votes, _options = Vote.__table__, VoteOption.__table__
_communities = Community.__table__
_households, _proxies, _ballots = Household.__table__, Proxy.__table__, Ballot.__table__
_voters, _units = ElectorateVoter.__table__, ElectorateUnit.__table__

_VOTE = (
    select(
        _votes.c.state,
        _votes.c.opens_at,
        _votes.c.closes_at,
        _votes.c.secret,
        _votes.c.community_id,
        _communities.c.subdistrict_id,
        _options.c.key,
    )
    .join(_communities, _communities.c.id == _votes.c.community_id)
    .outerjoin(_options, _options.c.vote_id == _votes.c.id)
    .where(_votes.c.id == bindparam("vote_id"))
)

_NOBODY = cast(null(), Integer)
_ASKED_FOR = union_all(
    select(
        _voters.c.household_id,
        _voters.c.person_id.label("asked_person"),
        _NOBODY.label("asked_unit"),
    ).where(
        _voters.c.vote_id == bindparam("vote_id"),
        _voters.c.person_id.in_(bindparam("persons", expanding=True)),
    ),
    select(_units.c.household_id, _NOBODY, _units.c.unit_id).where(
        _units.c.vote_id == bindparam("vote_id"),
        _units.c.unit_id.in_(bindparam("units", expanding=True)),
    ),
).subquery("asked")


def _standing(base, *asked_columns):
    """Each household of `base` with its ballot and the proxy it gave: one taken back is left
    out, an expired one kept, so that its holder hears why it no longer works."""
    joined = base.outerjoin(
        _proxies,
        and_(
            _proxies.c.vote_id == _households.c.vote_id,
            _proxies.c.household_id == _households.c.id,
            _proxies.c.revoked_at.is_(None),
        ),
    ).outerjoin(
        _ballots,
        and_(
            _ballots.c.vote_id == _households.c.vote_id,
            _ballots.c.household_id == _households.c.id,
        ),
    )
    return select(
        *asked_columns,
        _households.c.id.label("household_id"),
        _households.c.number,
        _households.c.label,
        _households.c.area,
        _households.c.weight,
        _ballots.c.receipt.label("ballot_receipt"),
        _ballots.c.channel.label("ballot_channel"),
        _proxies.c.id.label("proxy_id"),
        _proxies.c.proxy_person_id,
        _proxies.c.entry_hash.label("proxy_hash"),
        _proxies.c.expires_at.label("proxy_expires_at"),
    ).select_from(joined)


_ASKED = _standing(
    _ASKED_FOR.join(_households, _households.c.id == _ASKED_FOR.c.household_id),
    _ASKED_FOR.c.asked_person,
    _ASKED_FOR.c.asked_unit,
).where(_households.c.vote_id == bindparam("vote_id"))
_ONE = _standing(_households).where(
    _households.c.vote_id == bindparam("vote_id"),
    _households.c.id == bindparam("household_id"),
)
_HELD = (
    _standing(_households)
    .where(
        _households.c.vote_id == bindparam("vote_id"),
        _proxies.c.proxy_person_id == bindparam("person_id"),
    )
    .order_by(_households.c.number)
)
