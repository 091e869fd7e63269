"""The issue stage's live side: its Socket.IO rooms and the events they carry.

`issue:<id>` carries an issue's comments, supports, stance counts and state changes to everyone
viewing it, and counts them; `community:<id>` carries the live issue list; `account:<id>`
carries one account's notifications to it alone. Each event is registered in the catalogue
with the schema of the REST resource it mirrors.
"""

from __future__ import annotations

from hall.community.identity import current_actor
from hall.community.service import community_room
from hall.errors import NO_SUCH_THING, NOT_LOGGED_IN
from hall.issues import schemas, scope, service
from hall.issues.lifecycle import State
from hall.issues.models import Issue
from hall.realtime import catalogue
from hall.realtime.server import room_kind

ISSUE_CREATED = catalogue.event(
    "issue.created",
    schemas.IssueEventSchema,
    rooms=("community", "issue"),
    doc="The issue was submitted (drafts are never announced): its row, as the list gives it.",
)
ISSUE_UPDATED = catalogue.event(
    "issue.updated",
    schemas.IssueEventSchema,
    rooms=("community", "issue"),
    doc="The issue's row changed (title, category, counts or state): the row, as committed.",
)
ISSUE_EDITED = catalogue.event(
    "issue.edited",
    schemas.IssueEditedEventSchema,
    rooms=("issue",),
    doc="The proposer changed the text or the photos: the issue as `GET /api/issues/<id>` "
    "gives it, without what is the reader's own.",
)
ISSUE_STATE = catalogue.event(
    "issue.state",
    schemas.IssueStateEventSchema,
    rooms=("issue",),
    doc="A lifecycle step, as the issue's `timeline` lists it; `hash` is its ledger entry.",
)
ISSUE_SUPPORTS = catalogue.event(
    "issue.supports",
    schemas.SupportsEventSchema,
    rooms=("issue",),
    doc="The count of supports moved; `threshold` is how many move the issue on.",
)
COMMENT_CREATED = catalogue.event(
    "comment.created",
    schemas.CommentEventSchema,
    rooms=("issue",),
    doc="A comment or a reply, as the thread lists it, and the stance counts after it.",
)
COMMENT_UPDATED = catalogue.event(
    "comment.updated",
    schemas.CommentEventSchema,
    rooms=("issue",),
    doc="A comment was edited, deleted, reported away, hidden or restored.",
)
NOTIFICATION_CREATED = catalogue.event(
    "notification.created",
    schemas.NotificationEventSchema,
    rooms=("account",),
    doc="A notification, as `GET /api/notifications` lists it, and the unread count.",
)
NOTIFICATION_READ = catalogue.event(
    "notification.read",
    schemas.UnreadEventSchema,
    rooms=("account",),
    doc="Notifications were marked read: the unread count left.",
)


def announce_issue(issue: Issue, *, created: bool = False, edited: bool = False) -> None:
    """The issue's row changed: its viewers and, once it is public, the community's list hear
    it once per transaction, as committed; `edited`, its viewers hear the text and photos."""
    subject = service.issue_subject(issue.id)
    row = ISSUE_CREATED if created else ISSUE_UPDATED
    rooms = [service.issue_room(issue.id)]
    if issue.state is not State.DRAFT:  # a draft is its proposer's alone
        rooms.append(community_room(issue.community_id))
    for room in rooms:
        row.queue(room, lambda: {"issue": issue}, subject=subject)
    if edited:
        ISSUE_EDITED.queue(
            service.issue_room(issue.id), lambda: {"issue": issue_view(issue)}, subject=subject
        )


def issue_view(issue: Issue, **extras) -> schemas.IssueView:
    """The issue as its REST resource shows it: with its scope's names and its photos."""
    return schemas.IssueView(
        issue, scope_labels=scope.scope_labels(issue), photos=service.photos_of(issue), **extras
    )


# Rooms -----------------------------------------------------------------------------------------


@room_kind("issue", counts_viewers=True)
def authorise_issue_room(issue_id: int) -> None:
    service.get_issue(current_actor(), issue_id)


@room_kind("account")
def authorise_account_room(account_id: int) -> None:
    actor = current_actor()
    if actor.is_anonymous:
        raise NOT_LOGGED_IN()
    if actor.account_id != account_id:
        raise NO_SUCH_THING()
