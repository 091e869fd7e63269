"""Comment threads: posting, replies three deep, stances, edits kept as history, tombstones,
reports, and moderation. One transaction each, announced to the issue's viewers on commit.

What viewers receive of a hidden or deleted comment is its place in the thread, never its text.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from hall.community.policy import Action, Actor
from hall.community.roles import Role
from hall.community.service import get_community
from hall.errors import NO_SUCH_COMMUNITY
from hall.extensions import db
from hall.issues import access, events, markdown, notifications, refusals, service
from hall.issues.access import MAX_DEPTH, Act, CommentAct, CommentFacts, IssueAccess
from hall.issues.models import (
    COMMENT_MAX,
    REASON_MAX,
    Comment,
    CommentReport,
    CommentRevision,
    Issue,
    Stance,
    Visibility,
)
from hall.issues.sentences import NotificationKind
from hall.ledger import chain as ledger
from hall.types import utcnow

QUEUE_SIZE = 100
# The badge an official reply carries: the role it is posted as, the most official first.
OFFICIAL_ROLES = (
    (Role.BRANCH_SECRETARY, "branch"),
    (Role.COUNCIL_CHAIR, "council"),
    (Role.COMMITTEE_MEMBER, "committee"),
    (Role.SUBDISTRICT_OFFICER, "subdistrict"),
    (Role.ADMIN, "council"),
)
__all__ = ["COMMENT_MAX", "MAX_DEPTH", "REASON_MAX"]  # the limits, for the pages' forms too


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise refusals.COMMENT_EMPTY()
    if len(body) > COMMENT_MAX:
        raise refusals.COMMENT_TOO_LONG(limit=COMMENT_MAX)
    return body


def _reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise refusals.REASON_REQUIRED()
    if len(reason) > REASON_MAX:
        raise refusals.REASON_TOO_LONG(limit=REASON_MAX)
    return reason


def get_comment(
    actor: Actor, comment_id: int, *, for_act: CommentAct | None = None
) -> tuple[Comment, Issue]:
    """The comment and its issue, if the actor may see the issue (and, `for_act`, may do that
    with the comment now: a page offering the form asks first)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise refusals.NO_SUCH_COMMENT()
    issue = service.get_issue(actor, comment.issue_id)
    if for_act is not None:
        found = service.issue_access(actor, issue)
        reported = for_act is CommentAct.REPORT and bool(_reported_by(actor, [comment.id]))
        access.require_on_comment(found, for_act, comment_facts(actor, comment, reported))
    return comment, issue


def comment_facts(actor: Actor, comment: Comment, reported_by_me: bool = False) -> CommentFacts:
    return CommentFacts(
        mine=actor.account_id is not None and comment.author_id == actor.account_id,
        depth=comment.depth,
        visibility=comment.visibility.value,
        reports=comment.report_count,
        reported_by_me=reported_by_me,
    )


def _on_comment(actor: Actor, comment_id: int, act: CommentAct):
    """The comment, its issue and the access answer, if it allows `act` on the comment."""
    comment, issue = get_comment(actor, comment_id)
    found = service.issue_access(actor, issue)
    reported = act is CommentAct.REPORT and bool(_reported_by(actor, [comment.id]))
    access.require_on_comment(found, act, comment_facts(actor, comment, reported))
    return comment, issue, found


def official_role(actor: Actor, issue: Issue) -> str:
    """The badge the actor may post under on this issue (they speak officially for it)."""
    place = service.place_of_issue(issue)
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
    """Does the actor moderate the issue's thread (no query: their roles decide)."""
    standing = access.standing(actor, service.place_of_issue(issue))
    return Action.MODERATE in standing.here


def _reported_by(actor: Actor, comment_ids) -> set[int]:
    if actor.account_id is None:
        return set()
    return set(
        db.session.scalars(
            select(CommentReport.comment_id).where(
                CommentReport.comment_id.in_(comment_ids),
                CommentReport.account_id == actor.account_id,
            )
        )
    )


def reader_view(
    actor: Actor, comment: Comment, found: IssueAccess, *, reported_by_me: bool = False
) -> dict:
    """A comment as this reader sees it: the viewers' view, whether it is theirs, and what
    they may do with it."""
    facts = comment_facts(actor, comment, reported_by_me)
    view = comment_view(comment, moderator=found.allows(Act.MODERATE))
    view["mine"] = facts.mine
    view["reported_by_me"] = reported_by_me
    view["permissions"] = access.comment_permissions(found, facts).as_dict()
    return view


def thread(actor: Actor, issue: Issue, found: IssueAccess | None = None) -> list[dict]:
    """Every comment of the issue in reading order (each reply under its parent), in a fixed
    number of queries however long the thread is."""
    found = found or service.issue_access(actor, issue)
    comments = list(
        db.session.scalars(
            select(Comment)
            .where(Comment.issue_id == issue.id)
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
        )
    )
    reported = set()
    if actor.account_id is not None and any(c.report_count for c in comments):
        reported = set(
            db.session.scalars(
                select(CommentReport.comment_id)
                .join(Comment, Comment.id == CommentReport.comment_id)
                .where(Comment.issue_id == issue.id, CommentReport.account_id == actor.account_id)
            )
        )
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[dict] = []

    def walk(parent_id: int | None) -> None:
        for comment in children.get(parent_id, ()):
            mine = comment.id in reported
            ordered.append(reader_view(actor, comment, found, reported_by_me=mine))
            walk(comment.id)

    walk(None)
    return ordered


def history(actor: Actor, comment_id: int) -> list[CommentRevision]:
    """A comment's earlier texts, oldest first: edits are never silent."""
    comment, _, _ = _on_comment(actor, comment_id, CommentAct.HISTORY)
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
    issue, found = service._acting(actor, issue_id, Act.COMMENT, for_update=False)
    if official:
        found.require(Act.COMMENT_OFFICIALLY)
    body = _body(body)
    depth, parent = 1, None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.issue_id != issue.id:
            raise refusals.NO_SUCH_PARENT()
        access.require_on_comment(found, CommentAct.REPLY, comment_facts(actor, parent))
        depth = parent.depth + 1
        if stance is not None:
            raise refusals.STANCE_ON_REPLY()
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
    service.count(issue, "comment_count", +1)
    db.session.flush()
    _announce(comment, issue, created=True)
    summary = {"author": comment.author.display_name, "excerpt": markdown.plain_text(body)}
    if actor.account_id != issue.proposer_id:
        notifications.notify(
            [issue.proposer_id], NotificationKind.COMMENT, issue, summary, comment.id
        )
    if parent is not None and parent.author_id not in (actor.account_id, issue.proposer_id):
        notifications.notify([parent.author_id], NotificationKind.REPLY, issue, summary, comment.id)
    db.session.commit()
    return comment


def edit_comment(
    actor: Actor, comment_id: int, *, body: str, stance: Stance | None = None
) -> Comment:
    comment, issue, _ = _on_comment(actor, comment_id, CommentAct.EDIT)
    if stance is not None and comment.depth != 1:
        raise refusals.STANCE_ON_REPLY()
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
    _announce(comment, issue)
    db.session.commit()
    return comment


def delete_comment(actor: Actor, comment_id: int) -> Comment:
    """The author takes a comment back; a tombstone keeps the replies in place."""
    comment, issue, _ = _on_comment(actor, comment_id, CommentAct.DELETE)
    comment.visibility = Visibility.DELETED
    comment.body = comment.body_html = ""
    # Earlier texts go too: a resident who takes words back takes back every version of them.
    db.session.query(CommentRevision).filter_by(comment_id=comment.id).delete()
    _announce(comment, issue)
    db.session.commit()
    return comment


def report_comment(actor: Actor, comment_id: int, reason: str = "") -> Comment:
    """A resident flags a comment; enough reports hide it until a moderator decides."""
    comment, issue, _ = _on_comment(actor, comment_id, CommentAct.REPORT)
    reason = _reason(reason, required=False)
    db.session.add(CommentReport(comment_id=comment.id, account_id=actor.account_id, reason=reason))
    try:
        db.session.flush()
    except IntegrityError:  # the same person reporting from two devices at once
        db.session.rollback()
        raise refusals.ALREADY_REPORTED() from None
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
    _announce(comment, issue)
    db.session.commit()
    return comment


MODERATIONS = {"hide": CommentAct.HIDE, "restore": CommentAct.RESTORE}


def moderate(actor: Actor, comment_id: int, *, action: str, reason: str) -> Comment:
    """A moderator hides a comment or restores it, with a reason shown in its place.
    Restoring a comment that reports have not yet hidden keeps it and settles the reports."""
    if action not in MODERATIONS:
        comment, issue = get_comment(actor, comment_id)
        service.issue_access(actor, issue).require(Act.MODERATE)
        raise refusals.UNKNOWN_MODERATION()
    comment, issue, _ = _on_comment(actor, comment_id, MODERATIONS[action])
    reason = _reason(reason, required=True)
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
    _announce(comment, issue)
    db.session.commit()
    return comment


def moderation_queue(actor: Actor, community_id: int) -> list[dict]:
    """Comments hidden by reports or carrying unsettled reports, oldest report first."""
    community = get_community(actor, community_id)
    if not service.community_permissions_of(actor, community).moderate:
        raise service.standing_in(actor, community).refusal(missing=NO_SUCH_COMMUNITY)
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


def _announce(comment: Comment, issue: Issue, *, created: bool = False) -> None:
    """Tell the issue's viewers, as committed; a new comment changes the issue's row too."""
    room = service.issue_room(issue.id)

    def data() -> dict:
        return {"comment": comment_view(comment), "stance_counts": stance_counts(issue.id)}

    if created:
        events.COMMENT_CREATED.queue(room, data())
        service.announce_to_list(issue)
    else:
        events.COMMENT_UPDATED.queue(room, data, subject=f"comment:{comment.id}")
