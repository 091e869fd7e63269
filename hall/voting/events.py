"""The voting stage's live side: its Socket.IO room and the events it carries.

`vote:<id>` carries a vote's opening and closing (numbered, replayed) and its live tally
(`vote.tally`, coalesced, not replayed) to everyone who may see the vote, and counts them;
the issue's room hears a vote set up, cancelled, opened and closed. Each event is registered
in the catalogue with the schema of the REST resource it mirrors. The services queue them by
name (`catalogue.of`), so that this module, which reads the service, is not read by it.
"""

from __future__ import annotations

from hall.community.identity import current_actor
from hall.realtime import catalogue
from hall.realtime.server import room_kind
from hall.voting import schemas, service

VOTE_CREATED = catalogue.event(
    "vote.created",
    schemas.VoteEventSchema,
    rooms=("issue",),
    doc="The council set a vote up on the issue: the vote, as the REST API gives it.",
)
VOTE_CANCELLED = catalogue.event(
    "vote.cancelled",
    schemas.VoteEventSchema,
    rooms=("issue",),
    doc="The council took back a vote set up but never opened: the vote as it was.",
)
VOTE_OPENED = catalogue.event(
    "vote.opened",
    schemas.VoteOpenedEventSchema,
    rooms=("issue", "vote"),
    doc="The electorate is fixed and ballots are taken: the vote, and `hash`, the ledger "
    "entry holding its rule, options and electorate.",
)
VOTE_CLOSED = catalogue.event(
    "vote.closed",
    schemas.VoteClosedEventSchema,
    rooms=("issue", "vote"),
    doc="The vote closed: the vote, and its result as kept and hashed into the ledger "
    "(tallies by choice, participants, silent owners, the verdict's reasons as said data, "
    "the winner and every household's share).",
)
VOTE_TALLY = catalogue.event(
    "vote.tally",
    schemas.TallySchema,
    rooms=("vote",),
    numbered=False,
    doc="Where the vote stands, as `GET /api/votes/<id>/tally` gives it (there each reason "
    "also in the reader's words): sent after ballots count, at most once per "
    "HALL_TALLY_INTERVAL per vote and worker, computed afresh when it goes; each is the "
    "whole standing, so it is neither numbered nor replayed.",
)


@room_kind("vote", counts_viewers=True)
def authorise_vote_room(vote_id: int) -> None:
    service.get_vote(current_actor(), vote_id)
