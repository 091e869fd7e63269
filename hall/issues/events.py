"""The issue stage's Socket.IO rooms.

`issue:<id>` carries an issue's comments, supports, stance counts and state changes to everyone
viewing it, and counts them; `account:<id>` carries one account's notifications to it alone.
"""

from __future__ import annotations

from hall.auth import current_actor
from hall.errors import NotFound, Unauthenticated
from hall.issues import service
from hall.realtime.server import room_kind


@room_kind("issue", counts_viewers=True)
def authorise_issue_room(issue_id: int) -> None:
    service.get_issue(current_actor(), issue_id)


@room_kind("account")
def authorise_account_room(account_id: int) -> None:
    actor = current_actor()
    if actor.is_anonymous:
        raise Unauthenticated("Log in first.")
    if actor.account_id != account_id:
        raise NotFound("No such room.")
