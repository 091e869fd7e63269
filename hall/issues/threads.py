"""Comment threads: posting, replies three deep, stances, edits kept as history, tombstones,
reports, and moderation. One transaction each, announced to the issue's viewers on commit.

What viewers receive of a hidden or deleted comment is its place in the thread, never its text.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from hall.community.policy import Action, Actor, Decision, decide
from hall.community.roles import Role
from hall.community.service import get_community, place_of_community, require
from hall.errors import Conflict, Forbidden, Invalid, NotFound
from hall.extensions import db
from hall.issues import lifecycle, markdown, notifications, service
from hall.issues.lifecycle import Capacity
from hall.issues.models import (
    Comment,
    CommentReport,
    CommentRevision,
    Issue,
    Stance,
    Visibility,
)
from hall.ledger import chain as ledger
from hall.realtime import outbox
from hall.types import utcnow

COMMENT_MAX = 5_000
REASON_MAX = 500
MAX_DEPTH = 3
QUEUE_SIZE = 100
# The badge an official reply carries: the role it is posted as, the most official first.
OFFICIAL_ROLES = (
    (Role.BRANCH_SECRETARY, "branch"),
    (Role.COUNCIL_CHAIR, "council"),
    (Role.COMMITTEE_MEMBER, "committee"),
    (Role.SUBDISTRICT_OFFICER, "subdistrict"),
    (Role.ADMIN, "council"),
)


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid("The comment is empty.", {"body": ["Write something first."]})
    if len(body) > COMMENT_MAX:
        message = f"At most {COMMENT_MAX} characters."
        raise Invalid("The comment is too long.", {"body": [message]})
    return body


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid("Give a reason.", {"reason": ["Give a reason."]})
    if len(reason) > REASON_MAX:
        message = f"At most {REASON_MAX} characters."
        raise Invalid(message, {"reason": [message]})
    return reason


def get_comment(actor: Actor, comment_id: int) -> tuple[Comment, Issue]:
    """The comment and its issue, if the actor may see the issue."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    issue = service.get_issue(actor, comment.issue_id)
    return comment, issue


def _open_thread(issue: Issue) -> None:
    if issue.state not in lifecycle.DISCUSSABLE:
        raise Conflict(f"The thread of an issue in {issue.state.value} is closed.")


def official_role(actor: Actor, issue: Issue) -> str:
    """The badge the actor may post under on this issue, or Forbidden."""
    place = service.place_of_issue(issue)
    if not service.capacities(actor, issue, place) & {Capacity.COUNCIL, Capacity.SUBDISTRICT}:
        raise Forbidden("Only the branch, the council or the subdistrict reply officially.")
    held = {grant.role for grant in actor.grants if grant.covers(place)}
    return next(badge for role, badge in OFFICIAL_ROLES if role in held)


# Reading ---------------------------------------------------------------------------------------


def stance_counts(issue_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Comment.stance, func.count())
        .where(
            Comment.issue_id == issue_id,
            Comment.depth == 1,
            Comment.visibility == Visibility.VISIBLE,
        )
        .group_by(Comment.stance)
    )
    counts = {stance.value: 0 for stance in Stance}
    counts.update({stance.value: count for stance, count in rows if stance is not None})
    return counts


def comment_view(comment: Comment, *, moderator: bool = False) -> dict:
    """A comment as viewers see it: a hidden or deleted one keeps its place, not its text
    (a moderator still reads a hidden one, to decide on it)."""
    shown = comment.visibility is Visibility.VISIBLE or (
        moderator and comment.visibility in (Visibility.REPORTED, Visibility.HIDDEN)
    )
    return {
        "id": comment.id,
        "issue_id": comment.issue_id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author": {"id": comment.author_id, "name": comment.author.display_name},
        "stance": comment.stance.value if comment.stance else None,
        "official_role": comment.official_role,
        "visibility": comment.visibility.value,
        "body_html": comment.body_html if shown else None,
        "moderation_reason": comment.moderation_reason,
        "report_count": comment.report_count,
        "revision_count": comment.revision_count,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
    }


def is_moderator(actor: Actor, issue: Issue) -> bool:
    return decide(actor, Action.MODERATE, service.place_of_issue(issue)) is Decision.ALLOWED


def thread(actor: Actor, issue: Issue) -> list[dict]:
    """Every comment of the issue in reading order (each reply under its parent), in a fixed
    number of queries however long the thread is."""
    comments = list(
        db.session.scalars(
            select(Comment)
            .where(Comment.issue_id == issue.id)
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
        )
    )
    reported = set()
    if actor.account_id is not None:
        reported = set(
            db.session.scalars(
                select(CommentReport.comment_id)
                .join(Comment, Comment.id == CommentReport.comment_id)
                .where(Comment.issue_id == issue.id, CommentReport.account_id == actor.account_id)
            )
        )
    moderator = is_moderator(actor, issue)
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[dict] = []

    def walk(parent_id: int | None) -> None:
        for comment in children.get(parent_id, ()):
            view = comment_view(comment, moderator=moderator)
            view["reported_by_me"] = comment.id in reported
            view["mine"] = comment.author_id == actor.account_id
            ordered.append(view)
            walk(comment.id)

    walk(None)
    return ordered


def history(actor: Actor, comment_id: int) -> list[CommentRevision]:
    """A comment's earlier texts, oldest first: edits are never silent."""
    comment, issue = get_comment(actor, comment_id)
    if comment.visibility is not Visibility.VISIBLE and not is_moderator(actor, issue):
        raise Forbidden("This comment is not shown.")
    return list(
        db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.id)
        )
    )


# Writing ---------------------------------------------------------------------------------------


def post_comment(
    actor: Actor,
    issue_id: int,
    *,
    body: str,
    parent_id: int | None = None,
    stance: Stance | None = None,
    official: bool = False,
) -> Comment:
    issue = service.get_issue(actor, issue_id)
    service.require_participant(actor, issue)
    _open_thread(issue)
    body = _body(body)
    depth, parent = 1, None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.issue_id != issue.id:
            raise Invalid("No such comment here.", {"parent_id": ["No such comment here."]})
        if parent.visibility is not Visibility.VISIBLE:
            message = "This comment is not shown; reply to another."
            raise Conflict(message, {"parent_id": [message]})
        depth = parent.depth + 1
        if depth > MAX_DEPTH:
            message = f"Replies go at most {MAX_DEPTH} levels deep; reply higher up."
            raise Invalid(message, {"parent_id": [message]})
        if stance is not None:
            message = "Only a top-level comment takes a stance."
            raise Invalid(message, {"stance": [message]})
    elif stance is None:
        stance = Stance.NEUTRAL
    comment = Comment(
        issue_id=issue.id,
        parent_id=parent_id,
        depth=depth,
        author_id=actor.account_id,
        stance=stance,
        official_role=official_role(actor, issue) if official else None,
        body=body,
        body_html=markdown.render(body),
    )
    db.session.add(comment)
    db.session.execute(
        update(Issue)
        .where(Issue.id == issue.id)
        .values(comment_count=Issue.comment_count + 1, updated_at=utcnow())
    )
    db.session.flush()
    db.session.refresh(issue)
    _announce(comment, issue, "comment.created")
    summary = {"author": comment.author.display_name, "excerpt": markdown.plain_text(body)}
    if actor.account_id != issue.proposer_id:
        notifications.notify(
            [issue.proposer_id], notifications.Kind.COMMENT, issue, summary, comment.id
        )
    if parent is not None and parent.author_id not in (actor.account_id, issue.proposer_id):
        notifications.notify(
            [parent.author_id], notifications.Kind.REPLY, issue, summary, comment.id
        )
    db.session.commit()
    return comment


def edit_comment(
    actor: Actor, comment_id: int, *, body: str, stance: Stance | None = None
) -> Comment:
    comment, issue = get_comment(actor, comment_id)
    if comment.author_id != actor.account_id:
        raise Forbidden("Only its author edits a comment.")
    _open_thread(issue)
    if comment.visibility is not Visibility.VISIBLE:
        raise Conflict("A comment that is not shown cannot be edited.")
    if stance is not None and comment.depth != 1:
        message = "Only a top-level comment takes a stance."
        raise Invalid(message, {"stance": [message]})
    body = _body(body)
    if body == comment.body and stance in (None, comment.stance):
        return comment
    db.session.add(
        CommentRevision(
            comment_id=comment.id,
            body=comment.body,
            written_at=comment.edited_at or comment.created_at,
        )
    )
    comment.body, comment.body_html = body, markdown.render(body)
    if stance is not None:
        comment.stance = stance
    comment.revision_count += 1
    comment.edited_at = utcnow()
    db.session.flush()
    _announce(comment, issue, "comment.updated")
    db.session.commit()
    return comment


def delete_comment(actor: Actor, comment_id: int) -> Comment:
    """The author takes a comment back; a tombstone keeps the replies in place."""
    comment, issue = get_comment(actor, comment_id)
    if comment.author_id != actor.account_id:
        raise Forbidden("Only its author deletes a comment.")
    if comment.visibility is Visibility.DELETED:
        raise Conflict("This comment is already deleted.")
    comment.visibility = Visibility.DELETED
    comment.body = comment.body_html = ""
    # Earlier texts go too: a resident who takes words back takes back every version of them.
    db.session.query(CommentRevision).filter_by(comment_id=comment.id).delete()
    db.session.flush()
    _announce(comment, issue, "comment.updated")
    db.session.commit()
    return comment


def report_comment(actor: Actor, comment_id: int, reason: str = "") -> Comment:
    """A resident flags a comment; enough reports hide it until a moderator decides."""
    comment, issue = get_comment(actor, comment_id)
    service.require_on_issue(actor, Action.COMMENT, issue)
    if comment.author_id == actor.account_id:
        raise Conflict("You cannot report your own comment.")
    if comment.visibility in (Visibility.DELETED, Visibility.HIDDEN):
        raise Conflict("This comment is not shown.")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        message = f"At most {REASON_MAX} characters."
        raise Invalid(message, {"reason": [message]})
    db.session.add(CommentReport(comment_id=comment.id, account_id=actor.account_id, reason=reason))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("You have already reported this comment.") from None
    comment.report_count += 1
    threshold = service.issue_settings(issue.community_id).report_threshold
    if comment.visibility is Visibility.VISIBLE and comment.report_count >= threshold:
        comment.visibility = Visibility.REPORTED
        ledger.append(
            ledger.community_chain(issue.community_id),
            "comment.reported",
            service.issue_subject(issue.id),
            None,
            {"comment_id": comment.id, "reports": comment.report_count},
        )
    db.session.flush()
    _announce(comment, issue, "comment.updated")
    db.session.commit()
    return comment


def moderate(actor: Actor, comment_id: int, *, action: str, reason: str) -> Comment:
    """A moderator hides a comment or restores it, with a reason shown in its place."""
    comment, issue = get_comment(actor, comment_id)
    require(actor, Action.MODERATE, service.place_of_issue(issue), "issue")
    if action not in ("hide", "restore"):
        raise Invalid("Hide or restore.", {"action": ["Must be one of: hide, restore."]})
    reason = _reason(reason)
    allowed = {
        "hide": (Visibility.VISIBLE, Visibility.REPORTED),
        "restore": (Visibility.REPORTED, Visibility.HIDDEN),
    }[action]
    # Restoring a comment that reports have not yet hidden keeps it and settles the reports.
    reported_but_shown = comment.visibility is Visibility.VISIBLE and comment.report_count > 0
    if comment.visibility not in allowed and not (action == "restore" and reported_but_shown):
        raise Conflict(f"A {comment.visibility.value} comment cannot be {action}d.")
    comment.visibility = Visibility.HIDDEN if action == "hide" else Visibility.VISIBLE
    comment.moderation_reason = reason
    comment.report_count = 0
    db.session.execute(
        update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.settled.is_(False))
        .values(settled=True)
    )
    ledger.append(
        ledger.community_chain(issue.community_id),
        f"comment.{action}",
        service.issue_subject(issue.id),
        actor.account_id,
        {"comment_id": comment.id, "reason": reason},
    )
    db.session.flush()
    _announce(comment, issue, "comment.updated")
    db.session.commit()
    return comment


def moderation_queue(actor: Actor, community_id: int) -> list[dict]:
    """Comments hidden by reports or carrying unsettled reports, oldest report first."""
    community = get_community(actor, community_id)
    require(actor, Action.MODERATE, place_of_community(community))
    reports = list(
        db.session.scalars(
            select(CommentReport)
            .join(Comment, Comment.id == CommentReport.comment_id)
            .join(Issue, Issue.id == Comment.issue_id)
            .where(Issue.community_id == community_id, CommentReport.settled.is_(False))
            .order_by(CommentReport.id)
        )
    )
    by_comment: dict[int, list[CommentReport]] = {}
    for report in reports:
        by_comment.setdefault(report.comment_id, []).append(report)
    comments = {
        c.id: c
        for c in db.session.scalars(
            select(Comment)
            .where(Comment.id.in_(list(by_comment)))
            .options(joinedload(Comment.author))
        )
    }
    issues = {
        issue_id: {"id": issue_id, "number": number, "title": title}
        for issue_id, number, title in db.session.execute(
            select(Issue.id, Issue.number, Issue.title).where(
                Issue.id.in_({c.issue_id for c in comments.values()})
            )
        )
    }
    queue = []
    for comment_id, its_reports in list(by_comment.items())[:QUEUE_SIZE]:
        comment = comments[comment_id]
        if comment.visibility in (Visibility.DELETED, Visibility.HIDDEN):
            continue
        view = comment_view(comment, moderator=True)
        view["issue"] = issues[comment.issue_id]
        view["reports"] = [
            {"reason": r.reason, "at": r.created_at.isoformat()} for r in its_reports
        ]
        queue.append(view)
    return queue


def _announce(comment: Comment, issue: Issue, event: str) -> None:
    outbox.queue(
        service.issue_room(issue.id),
        event,
        {"comment": comment_view(comment), "stance_counts": stance_counts(issue.id)},
    )
    if event == "comment.created":
        service.announce_to_list(issue, "issue.updated")
