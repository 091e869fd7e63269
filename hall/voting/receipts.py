"""A receipt looked up: does the ballot it stands for count?

A receipt is the hash of the ballot's ledger entry. A ballot replaced by a later one, or a
paper sheet struck out, no longer counts, and its receipt finds nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from hall.community.policy import Actor
from hall.extensions import db
from hall.voting import refusals
from hall.voting.models import Ballot
from hall.voting.service import get_vote


def by_receipt(actor: Actor, vote_id: int, receipt: str) -> Ballot:
    """The ballot that counts under this receipt. The choice of a secret ballot is shown to
    the one who cast it alone."""
    vote = get_vote(actor, vote_id)
    ballot = db.session.scalar(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.receipt == receipt)
    )
    if ballot is None:
        raise refusals.NO_SUCH_RECEIPT()
    if vote.secret and ballot.cast_by_id != actor.account_id:
        # A receipt proves a secret ballot counts; it must not show anyone else the choice,
        # or it could be demanded as proof of how one voted.
        db.session.expunge(ballot)
        ballot.choice = None
    return ballot
