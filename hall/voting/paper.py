"""Paper ballots: a council member records a household's sheet, a second member confirms it
against the sheet (then it counts) or strikes it (then the household may vote again).

Paper and online exclude each other, and the first counts: a household that voted online
cannot hand in paper, and a sheet recorded shuts the online door. The ballot box judges a
sheet like any ballot, under the vote chain's tip.
"""

from __future__ import annotations

from sqlalchemy import select

from hall.community.policy import Actor
from hall.extensions import db
from hall.issues.models import Issue
from hall.ledger import chain as ledger
from hall.types import utcnow
from hall.voting import ballot_box, facts, live, refusals
from hall.voting.ballot_box import Channel, VoteState
from hall.voting.models import Ballot, Vote
from hall.voting.service import get_vote, require_manager, vote_chain, vote_subject


def record_paper(actor: Actor, vote_id: int, *, unit_id: int, choice: str, sheet: str) -> Ballot:
    """A council member records a paper sheet; it counts once a second member confirms it."""
    vote = get_vote(actor, vote_id)
    require_manager(actor, db.session.get(Issue, vote.issue_id))
    session = db.session
    with ledger.locked(vote_chain(vote.id)) as tip:
        # Under the tip: a close, or a ballot for the household, that committed meanwhile shows.
        seen = facts.vote_at(session, vote.id)
        asked = facts.households_asked(session, vote.id, persons=(), units=[unit_id])
        household = asked.households.get(asked.units.get(unit_id))
        ballot = ballot_box.judge_paper(
            seen.facts, household, choice=choice, sheet=sheet, now=utcnow()
        )
        subject = vote_subject(vote.id)
        entry = tip.add("ballot.paper_recorded", subject, actor.account_id, ballot.payload)
        recorded = Ballot(
            vote_id=vote.id,
            household_id=household.household_id,
            choice=ballot.choice,
            channel=Channel.PAPER,
            area=household.area,
            weight=household.weight,
            counted=False,
            cast_by_id=actor.account_id,
            paper_sheet=ballot.payload["sheet"],
            cast_at=entry.recorded_at,
            receipt=entry.hash,
            nonce=ballot.nonce,
        )
        session.add(recorded)
        session.flush()
    session.commit()
    return recorded


def confirm_paper(actor: Actor, vote_id: int, ballot_id: int) -> Ballot:
    """A second council member confirms the sheet: from now on it counts."""
    vote, ballot = _pending(actor, vote_id, ballot_id)
    # Not the ballot box's times: a sheet handed in before the closing time is confirmed after
    # it too, or the vote, which cannot close while sheets wait, could never close.
    if vote.state is not VoteState.OPEN:
        raise refusals.PAPER_CONFIRMED_WHILE_OPEN()
    ballot.counted = True
    ballot.confirmed_by_id = actor.account_id
    ledger.append(
        vote_chain(vote.id),
        "ballot.paper_confirmed",
        vote_subject(vote.id),
        actor.account_id,
        {"vote_id": vote.id, "ballot": ballot.receipt},
    )
    db.session.commit()
    # vote_id, not vote.id: the commit expired `vote`, and reading it again would hold a
    # connection while the tally takes another; under load the pool would run dry.
    live.tally_changed(vote_id)
    return ballot


def reject_paper(actor: Actor, vote_id: int, ballot_id: int, reason: str) -> None:
    """A second member finds the sheet wrong: it is struck and the household may vote again."""
    vote, ballot = _pending(actor, vote_id, ballot_id)
    if not reason.strip():
        raise refusals.REJECTION_REASON_REQUIRED()
    ledger.append(
        vote_chain(vote.id),
        "ballot.paper_rejected",
        vote_subject(vote.id),
        actor.account_id,
        {"vote_id": vote.id, "ballot": ballot.receipt, "reason": reason.strip()},
    )
    db.session.delete(ballot)
    db.session.commit()


def pending_paper(vote: Vote) -> list[Ballot]:
    """The sheets recorded and not yet confirmed, oldest first."""
    return list(
        db.session.scalars(
            select(Ballot)
            .where(Ballot.vote_id == vote.id, Ballot.counted.is_(False))
            .order_by(Ballot.id)
        )
    )


def _pending(actor: Actor, vote_id: int, ballot_id: int) -> tuple[Vote, Ballot]:
    vote = get_vote(actor, vote_id)
    require_manager(actor, db.session.get(Issue, vote.issue_id))
    ballot = db.session.scalar(
        select(Ballot).where(Ballot.id == ballot_id, Ballot.vote_id == vote.id).with_for_update()
    )
    if ballot is None or ballot.channel is not Channel.PAPER:
        raise refusals.NO_SUCH_PAPER_BALLOT()
    if ballot.counted:
        raise refusals.PAPER_ALREADY_CONFIRMED()
    if ballot.cast_by_id == actor.account_id:
        raise refusals.SECOND_MEMBER_CONFIRMS()
    return vote, ballot
