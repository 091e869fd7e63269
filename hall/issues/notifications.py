"""In-app notifications: written with the change they tell of, counted live per account.

What a notification says is kept as data (the issue's number and title, who commented, the
step and the reason), never as a sentence: `hall.issues.sentences.notification` gives the
sentence as said data, which every door renders in its reader's language when it is read.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, update

from hall.community.policy import Actor
from hall.errors import NOT_LOGGED_IN
from hall.extensions import db
from hall.issues import events
from hall.issues.models import Issue, Notification
from hall.types import utcnow

PAGE_SIZE = 30


def account_room(account_id: int) -> str:
    return f"account:{account_id}"


def notify(
    account_ids: Iterable[int],
    kind: str,
    issue: Issue,
    summary: dict,
    comment_id: int | None = None,
) -> None:
    """Tell these accounts, in the caller's transaction; each hears its new unread count.
    `summary` is data: a reason in it is a person's words or said data."""
    recipients = sorted(set(account_ids))
    if not recipients:
        return
    summary = {"issue_number": issue.number, "issue_title": issue.title, **summary}
    now = utcnow()
    written = db.session.scalars(
        insert(Notification).returning(Notification),
        [
            {
                "account_id": account_id,
                "kind": kind,
                "issue_id": issue.id,
                "comment_id": comment_id,
                "summary": summary,
                "created_at": now,
            }
            for account_id in recipients
        ],
    )
    unread = _unread_counts(recipients)
    for notification in written:
        events.NOTIFICATION_CREATED.queue(
            account_room(notification.account_id),
            {"notification": notification, "unread": unread.get(notification.account_id, 0)},
        )


def _unread_counts(account_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Notification.account_id, func.count())
        .where(Notification.account_id.in_(account_ids), Notification.read_at.is_(None))
        .group_by(Notification.account_id)
    )
    return dict(rows.all())


def _account_of(actor: Actor) -> int:
    if actor.is_anonymous:
        raise NOT_LOGGED_IN()
    return actor.account_id


def unread_count(actor: Actor) -> int:
    return _unread_counts([_account_of(actor)]).get(actor.account_id, 0)


def list_notifications(
    actor: Actor, *, unread_only: bool = False, before_id: int | None = None
) -> list[Notification]:
    """The newest first, a page at a time: pass the last id seen as `before_id`."""
    query = select(Notification).where(Notification.account_id == _account_of(actor))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(PAGE_SIZE)))


def mark_read(actor: Actor, ids: list[int] | None = None) -> int:
    """Mark these notifications read (all when `ids` is None); returns the unread count left."""
    account_id = _account_of(actor)
    statement = update(Notification).where(
        Notification.account_id == account_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    db.session.execute(statement.values(read_at=utcnow()))
    unread = _unread_counts([account_id]).get(account_id, 0)
    events.NOTIFICATION_READ.queue(account_room(account_id), {"unread": unread})
    db.session.commit()
    return unread
