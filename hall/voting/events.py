"""The voting stage's Socket.IO room.

`vote:<id>` carries a vote's opening and closing (numbered, replayed) and its live tally
(`vote.tally`, coalesced, not replayed) to everyone who may see the vote, and counts them.
"""

from __future__ import annotations

from hall.auth import current_actor
from hall.realtime.server import room_kind
from hall.voting import service


@room_kind("vote", counts_viewers=True)
def authorise_vote_room(vote_id: int) -> None:
    service.get_vote(current_actor(), vote_id)
