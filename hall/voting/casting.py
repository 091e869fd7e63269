"""Casting a ballot online: an owner for their household, or a proxy for the household that
authorised them. The path every voter takes at once when a vote opens, so it is kept lean.

A request only says who asks and what for. Ballots arriving together for one vote are then
judged and written together (`group_commit`): with the vote chain's tip held, a few reads of
the vote and of the households asked for, one insert of their ledger entries and one of the
ballots, one commit. Judging under the tip means nothing read can be stale: a ballot racing
another for the same household, a vote closing, or a proxy given or taken back meanwhile is
refused, never written.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import and_, bindparam, insert, select, update

from hall.community.models import Community
from hall.community.policy import Action, Actor, Place
from hall.community.service import require
from hall.errors import Conflict, Forbidden, HallError, Invalid, NotFound
from hall.extensions import db
from hall.ledger import chain as ledger
from hall.types import utcnow
from hall.voting import group_commit, live
from hall.voting.models import (
    Ballot,
    Channel,
    ElectorateMember,
    ElectorateUnit,
    ElectorateVoter,
    Proxy,
    Vote,
    VoteOption,
    VoteState,
)
from hall.voting.service import vote_chain, vote_subject

_votes = Vote.__table__
_communities = Community.__table__
_members = ElectorateMember.__table__
_proxies = Proxy.__table__
_ballots = Ballot.__table__
_NOT_AN_OWNER = "You are not an owner who votes in this vote's electorate."
CHOOSE_AN_OPTION = "Choose one of the options offered."


@dataclass(frozen=True)
class Cast:
    """What the voter is shown and keeps."""

    receipt: str
    choice: str
    channel: Channel
    household: str
    cast_at: datetime
    nonce: str | None  # opens a secret ballot's commitment in the ledger


@dataclass(frozen=True)
class Request:
    """One voter's ballot as asked for, waiting for its batch."""

    actor: Actor
    choice: str
    unit_id: int | None
    replaces: str | None


@dataclass(frozen=True)
class Household:
    """A household as it stands: its ballot and the proxy it gave, if any."""

    member_id: int
    number: int
    label: str
    area: Decimal
    weight: Decimal
    ballot_receipt: str | None
    ballot_channel: Channel | None
    proxy_id: int | None  # an active proxy: given, not taken back, not expired
    proxy_holder: int | None  # the person it was given to
    proxy_hash: str | None
    proxy_expired: bool = False


@dataclass(frozen=True)
class Electorate:
    """What a batch needs to know of the vote and of the households its ballots are for."""

    vote: object  # the vote's row: state, times, secrecy, community
    options: frozenset[str]
    voters: dict[int, int]  # person -> the household they vote for
    units: dict[int, int]  # unit -> its household
    households: dict[int, Household]


def commitment(vote_id: int, member_number: int, choice: str, nonce: str) -> str:
    """What a secret ballot's ledger entry holds instead of its choice."""
    return hashlib.sha256(f"{vote_id}:{member_number}:{choice}:{nonce}".encode()).hexdigest()


def cast(
    actor: Actor,
    vote_id: int,
    choice: str,
    *,
    unit_id: int | None = None,
    replaces: str | None = None,
) -> Cast:
    """Cast (or change) the ballot of the actor's household, or, with `unit_id`, of one they
    hold a proxy for. Changing names the receipt of the ballot it replaces."""
    db.session.rollback()  # what this request read so far ends here: no connection held waiting
    request = Request(actor, choice, unit_id, replaces)
    return group_commit.submit(vote_id, request, partial(_write, vote_id))


def _write(vote_id: int, batch: list[group_commit.Pending]) -> None:
    """Judge and write a batch of one vote's ballots in one transaction, all of it read under
    the chain's tip; set each one's outcome."""
    written = []
    inserts, changes = [], []
    with ledger.locked(vote_chain(vote_id)) as tip:
        electorate = _electorate(vote_id, [pending.work for pending in batch])
        if electorate is None:  # no such vote: nothing to write, the tip row goes with it
            for pending in batch:
                pending.fail(NotFound("No such vote."))
            db.session.rollback()
            return
        for pending in batch:
            try:
                household, intent = _judge(vote_id, pending.work, electorate)
            except HallError as refusal:
                pending.fail(refusal)
                continue
            entry = tip.add("ballot.cast", vote_subject(vote_id), intent.account_id, intent.payload)
            row = {
                "choice": intent.choice,
                "channel": intent.channel,
                "cast_by_id": intent.account_id,
                "proxy_id": intent.proxy_id,
                "cast_at": entry.recorded_at,
                "receipt": entry.hash,
                "nonce": intent.nonce,
            }
            if household.ballot_receipt is None:
                inserts.append(
                    {
                        **row,
                        "vote_id": vote_id,
                        "member_id": household.member_id,
                        "area": household.area,
                        "weight": household.weight,
                        "counted": True,
                        "changes": 0,
                    }
                )
            else:
                changes.append({**row, "old_receipt": household.ballot_receipt})
            # A second ballot for the household in this batch sees this one.
            electorate.households[household.member_id] = replace(
                household, ballot_receipt=entry.hash, ballot_channel=intent.channel
            )
            cast = Cast(
                entry.hash, intent.choice, intent.channel, household.label,
                entry.recorded_at, intent.nonce,
            )  # fmt: skip
            written.append((pending, cast))
    if not written:  # every one refused: not even the tip's row is touched
        db.session.rollback()
        return
    if inserts:
        db.session.execute(insert(_ballots), inserts)
    if changes:
        db.session.execute(_CHANGE_BALLOT, changes)
    db.session.commit()
    for pending, cast in written:
        pending.succeed(cast)
    live.tally_changed(vote_id)


@dataclass(frozen=True)
class Intent:
    """A ballot judged writable, and what its ledger entry says."""

    choice: str
    channel: Channel
    account_id: int
    proxy_id: int | None
    nonce: str | None
    payload: dict


def _judge(vote_id: int, request: Request, electorate: Electorate) -> tuple[Household, Intent]:
    """May this ballot be written over what is there? Raises the refusal if not."""
    vote, actor = electorate.vote, request.actor
    require(actor, Action.VIEW_COMMUNITY, Place(vote.subdistrict_id, vote.community_id), "vote")
    check_open(vote.state, vote.opens_at, vote.closes_at)
    if request.choice not in electorate.options:
        raise Invalid(CHOOSE_AN_OPTION, {"choice": [CHOOSE_AN_OPTION]})
    own = electorate.voters.get(actor.person_id)
    if request.unit_id is None:
        if own is None:
            raise Forbidden(_NOT_AN_OWNER)
        member_id = own
    else:
        member_id = electorate.units.get(request.unit_id)
        if member_id is None:
            message = "That unit is not in this vote's electorate."
            raise Invalid(message, {"unit": [message]})
    household = electorate.households[member_id]
    by_proxy = member_id != own
    _check_proxy(household, by_proxy, actor.person_id)
    _check_ballot(household, request.replaces)
    channel = Channel.PROXY if by_proxy else Channel.ONLINE
    nonce = secrets.token_hex(16) if vote.secret else None
    payload = {
        "vote_id": vote_id,
        "member": household.number,
        "channel": channel.value,
        "replaces": request.replaces,
    }
    if by_proxy:
        payload["proxy"] = household.proxy_hash
    if nonce is None:
        payload["choice"] = request.choice
    else:
        payload["commitment"] = commitment(vote_id, household.number, request.choice, nonce)
    intent = Intent(
        choice=request.choice,
        channel=channel,
        account_id=actor.account_id,
        proxy_id=household.proxy_id if by_proxy else None,
        nonce=nonce,
        payload=payload,
    )
    return household, intent


def _electorate(vote_id: int, requests: list[Request]) -> Electorate | None:
    vote = db.session.execute(_VOTE, {"vote_id": vote_id}).first()
    if vote is None:
        return None
    options = frozenset(db.session.scalars(_OPTIONS, {"vote_id": vote_id}))
    persons = [r.actor.person_id for r in requests if r.actor.person_id is not None]
    units = [r.unit_id for r in requests if r.unit_id is not None]
    asked = {"vote_id": vote_id, "persons": persons, "units": units}
    voters = dict(db.session.execute(_VOTERS, asked).all()) if persons else {}
    unit_members = dict(db.session.execute(_UNITS, asked).all()) if units else {}
    members = list(set(voters.values()) | set(unit_members.values()))
    rows = db.session.execute(_HOUSEHOLDS, {**asked, "members": members}) if members else []
    households = {row.member_id: _household(row) for row in rows}
    return Electorate(vote, options, voters, unit_members, households)


def _household(row) -> Household:
    expired = row.proxy_expires_at is not None and row.proxy_expires_at <= utcnow()
    return Household(
        member_id=row.member_id,
        number=row.number,
        label=row.label,
        area=row.area,
        weight=row.weight,
        ballot_receipt=row.ballot_receipt,
        ballot_channel=Channel(row.ballot_channel) if row.ballot_channel else None,
        proxy_id=None if expired else row.proxy_id,
        proxy_holder=row.proxy_person_id,
        proxy_hash=row.proxy_hash,
        proxy_expired=expired,
    )


def check_open(state, opens_at: datetime, closes_at: datetime) -> None:
    now = utcnow()
    if VoteState(state) is not VoteState.OPEN:
        raise Conflict(f"The vote is {VoteState(state).value}: ballots are taken while it is open.")
    if now < opens_at:
        raise Conflict(f"The vote opens at {opens_at.isoformat()}.")
    if now >= closes_at:
        raise Conflict("The vote has closed: its closing time has passed.")


def _check_proxy(household: Household, by_proxy: bool, person_id: int | None) -> None:
    """Does the caster speak for the household: its owner with no proxy given, or the person
    holding its proxy?"""
    if by_proxy:
        # No proxy row leaves no holder, and an actor with no person holds no proxy.
        if household.proxy_holder is None or household.proxy_holder != person_id:
            raise Forbidden("You neither own that unit nor hold its owner's proxy for this vote.")
        if household.proxy_expired:
            raise Forbidden("Your proxy for that household has expired.")
    elif household.proxy_id is not None:
        raise Conflict(
            "You authorised a proxy for this vote: revoke the proxy to vote yourself.",
            {"unit": ["A proxy holds this household's ballot."]},
        )


def _check_ballot(household: Household, replaces: str | None) -> None:
    """Is this the household's first ballot, or does it replace the one that counts?"""
    if household.ballot_channel is Channel.PAPER:
        raise Conflict(
            "A paper ballot was handed in for this household: the paper ballot counts.",
            {"choice": ["This household voted on paper."]},
        )
    if household.ballot_receipt is None and replaces:
        message = "There is no ballot to replace: this household has not voted."
        raise Conflict(message, {"replaces": [message]})
    if household.ballot_receipt is not None and replaces != household.ballot_receipt:
        message = (
            "That is not the household's latest ballot: it was changed meanwhile."
            if replaces
            else "This household has already voted. To change the ballot, send the receipt "
            "of the ballot you are replacing."
        )
        raise Conflict(message, {"replaces": [message]})


_VOTE = (
    select(
        _votes.c.state,
        _votes.c.opens_at,
        _votes.c.closes_at,
        _votes.c.secret,
        _votes.c.community_id,
        _communities.c.subdistrict_id,
    )
    .join(_communities, _communities.c.id == _votes.c.community_id)
    .where(_votes.c.id == bindparam("vote_id"))
)
_OPTIONS = select(VoteOption.__table__.c.key).where(
    VoteOption.__table__.c.vote_id == bindparam("vote_id")
)
# Replaces a ballot only if it is still the one judged: the tip is held, so it always is.
_CHANGE_BALLOT = (
    update(_ballots)
    .where(_ballots.c.receipt == bindparam("old_receipt"))
    .values(
        choice=bindparam("choice"),
        channel=bindparam("channel"),
        cast_by_id=bindparam("cast_by_id"),
        proxy_id=bindparam("proxy_id"),
        cast_at=bindparam("cast_at"),
        receipt=bindparam("receipt"),
        nonce=bindparam("nonce"),
        changes=_ballots.c.changes + 1,
    )
)
_VOTERS = select(ElectorateVoter.person_id, ElectorateVoter.member_id).where(
    ElectorateVoter.vote_id == bindparam("vote_id"),
    ElectorateVoter.person_id.in_(bindparam("persons", expanding=True)),
)
_UNITS = select(ElectorateUnit.unit_id, ElectorateUnit.member_id).where(
    ElectorateUnit.vote_id == bindparam("vote_id"),
    ElectorateUnit.unit_id.in_(bindparam("units", expanding=True)),
)
# Each household asked for, with its ballot and the proxy it gave: one taken back is left
# out, an expired one kept, so that its holder hears why it no longer works.
_HOUSEHOLDS = (
    select(
        _members.c.id.label("member_id"),
        _members.c.number,
        _members.c.label,
        _members.c.area,
        _members.c.weight,
        _ballots.c.receipt.label("ballot_receipt"),
        _ballots.c.channel.label("ballot_channel"),
        _proxies.c.id.label("proxy_id"),
        _proxies.c.proxy_person_id,
        _proxies.c.entry_hash.label("proxy_hash"),
        _proxies.c.expires_at.label("proxy_expires_at"),
    )
    .select_from(_members)
    .outerjoin(
        _proxies,
        and_(
            _proxies.c.vote_id == _members.c.vote_id,
            _proxies.c.member_id == _members.c.id,
            _proxies.c.revoked_at.is_(None),
        ),
    )
    .outerjoin(
        _ballots,
        and_(_ballots.c.vote_id == _members.c.vote_id, _ballots.c.member_id == _members.c.id),
    )
    .where(
        _members.c.vote_id == bindparam("vote_id"),
        _members.c.id.in_(bindparam("members", expanding=True)),
    )
)
