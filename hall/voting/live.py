"""The live tally: after ballots arrive, everyone watching the vote gets where it stands,
at most once per `tally_interval` per vote and worker, computed afresh by SQL when it goes.

Not numbered, not replayed: each announcement is the whole standing, so a viewer who missed
one is brought up to date by the next, and the page renders the standing it opened with.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import joinedload

from hall.config import current_settings
from hall.extensions import db
from hall.realtime import catalogue, coalesce
from hall.voting.models import Vote
from hall.voting.service import standing, vote_room


def tally_changed(vote_id: int) -> None:
    """Called after a commit that changed what counts."""
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            # The vote with its options in one statement, then the count: two in all.
            vote = db.session.get(Vote, vote_id, options=[joinedload(Vote.options)])
            catalogue.of("vote.tally").emit(vote_room(vote_id), standing(vote))

    interval = current_settings().tally_interval
    coalesce.soon(f"tally:{vote_id}", interval, send)
