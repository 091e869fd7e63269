"""Casting a ballot online: an owner for their household, or a proxy for the household that
authorised them. The path every voter takes at once when a vote opens, so it is kept lean.

A request only says who asks and what for. Ballots arriving together for one vote are then
judged and written together (`group_commit`): with the vote chain's tip held, one read of
the vote and one of the households asked for, the ballot box's judgement of each ballot,
one insert of their ledger entries and one of the ballots, one commit. Judging under the tip
means nothing read can be stale: a ballot racing another for the same household, a vote
closing, or a proxy given or taken back meanwhile is refused, never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import bindparam, insert, update

from hall.community.policy import Action, Actor, Place
from hall.community.service import require
from hall.errors import HallError
from hall.extensions import db
from hall.ledger import chain as ledger
from hall.types import utcnow
from hall.voting import ballot_box, facts, group_commit, live, refusals
from hall.voting.ballot_box import Channel
from hall.voting.models import Ballot
from hall.voting.service import vote_chain, vote_subject

_ballots = Ballot.__table__


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
    session = db.session
    with ledger.locked(vote_chain(vote_id)) as tip:
        vote = facts.vote_at(session, vote_id)
        if vote is None:  # no such vote: nothing to write, the tip row goes with it
            for pending in batch:
                pending.fail(refusals.NO_SUCH_VOTE())
            session.rollback()
            return
        requests = [pending.work for pending in batch]
        asked = facts.households_asked(
            session,
            vote_id,
            persons=[r.actor.person_id for r in requests if r.actor.person_id is not None],
            units=[r.unit_id for r in requests if r.unit_id is not None],
        )
        now = utcnow()
        for pending in batch:
            try:
                ballot = _judge(vote, pending.work, asked, now)
            except HallError as refusal:
                pending.fail(refusal)
                continue
            household = ballot.household
            account_id = pending.work.actor.account_id
            entry = tip.add("ballot.cast", vote_subject(vote_id), account_id, ballot.payload)
            row = {
                "choice": ballot.choice,
                "channel": ballot.channel,
                "cast_by_id": account_id,
                "proxy_id": ballot.proxy_id,
                "cast_at": entry.recorded_at,
                "receipt": entry.hash,
                "nonce": ballot.nonce,
            }
            if ballot.replaces is None:
                inserts.append(
                    {
                        **row,
                        "vote_id": vote_id,
                        "household_id": household.household_id,
                        "area": household.area,
                        "weight": household.weight,
                        "counted": True,
                        "changes": 0,
                    }
                )
            else:
                changes.append({**row, "old_receipt": ballot.replaces})
            # A second ballot for the household in this batch sees this one.
            asked.households[household.household_id] = household.with_ballot(
                entry.hash, ballot.channel
            )
            cast = Cast(
                entry.hash, ballot.choice, ballot.channel, household.label,
                entry.recorded_at, ballot.nonce,
            )  # fmt: skip
            written.append((pending, cast))
    if not written:  # every one refused: not even the tip's row is touched
        session.rollback()
        return
    if inserts:
        session.execute(insert(_ballots), inserts)
    if changes:
        session.execute(_CHANGE_BALLOT, changes)
    session.commit()
    for pending, cast in written:
        pending.succeed(cast)
    live.tally_changed(vote_id)


def _judge(
    vote: facts.VoteAt, request: Request, asked: facts.Asked, now: datetime
) -> ballot_box.Ballot:
    """May this ballot be written over what is there? Raises the refusal if not."""
    actor = request.actor
    place = Place(vote.subdistrict_id, vote.community_id)
    require(actor, Action.VIEW_COMMUNITY, place, refusals.NO_SUCH_VOTE)
    return ballot_box.judge_cast(
        vote.facts,
        asked.households,
        own=asked.voters.get(actor.person_id),
        unit_asked=request.unit_id is not None,
        of_unit=asked.units.get(request.unit_id),
        person_id=actor.person_id,
        choice=request.choice,
        replaces=request.replaces,
        now=now,
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
