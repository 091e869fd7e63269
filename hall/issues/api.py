"""The issue stage's REST API: parse with a schema, call the service, dump with a schema."""

from __future__ import annotations

import dataclasses

from flask import make_response

from hall.community.identity import comment_rate_limit, current_actor, rate_limit_key
from hall.community.service import get_community
from hall.extensions import limiter
from hall.issues import events, notifications, overview, schemas, service, threads
from hall.issues.models import Comment, Issue
from hall.rest import api_blueprint

issues_bp = api_blueprint(
    "issues_api", "Issues: proposing, photos, supports, the lifecycle, each community's settings"
)
threads_bp = api_blueprint("threads", "Comment threads, their history, reports and moderation")
notifications_bp = api_blueprint("notifications", "The logged-in account's notifications")


def _issue_view(issue: Issue) -> schemas.IssueView:
    """The issue resource, with what the caller may do with it now."""
    permissions = service.permissions(current_actor(), issue)
    return events.issue_view(issue, permissions=permissions)


def _comment_view(comment: Comment, *, reported_by_me: bool = False) -> dict:
    """The comment as the caller sees it, after the change they made."""
    actor = current_actor()
    _, issue = threads.get_comment(actor, comment.id)
    found = service.issue_access(actor, issue)
    return threads.reader_view(actor, comment, found, reported_by_me=reported_by_me)


# Issues ---------------------------------------------------------------------------------------


@issues_bp.get("/communities/<int:community_id>/issues")
@issues_bp.arguments(schemas.IssueQuerySchema, location="query")
@issues_bp.response(200, schemas.IssuePageSchema)
def list_issues(query, community_id):
    """A community's issues, newest first; drafts are listed to their proposer alone."""
    filters = service.IssueFilters(
        state=query.get("state"),
        category=query.get("category"),
        building_id=query.get("building_id"),
        mine=query["mine"],
        words=query["q"],
        page=query["page"],
        per_page=query["per_page"],
    )
    return service.list_issues(current_actor(), community_id, filters)


@issues_bp.post("/communities/<int:community_id>/issues")
@issues_bp.arguments(schemas.IssueCreateSchema)
@issues_bp.response(201, schemas.PermittedIssueSchema)
def create_issue(body, community_id):
    """Propose an issue: a draft, or with `submit` straight to collecting supports."""
    issue = service.create_issue(
        current_actor(),
        community_id,
        title=body["title"],
        body=body["body"],
        category=body["category"],
        scope_kind=body["scope"]["kind"],
        scope_ids=body["scope"]["ids"],
        submit=body["submit"],
    )
    return _issue_view(issue)


@issues_bp.get("/issues/<int:issue_id>")
@issues_bp.response(200, schemas.IssueDetailSchema)
def get_issue(issue_id):
    """An issue's page: the issue, its timeline, its thread, and what the caller may do."""
    found = overview.issue_overview(current_actor(), issue_id)
    extras = {
        field.name: getattr(found, field.name)
        for field in dataclasses.fields(found)
        if field.name != "issue"
    }
    extras.update(
        capacities=sorted(found.capacities),
        may_participate=found.may_participate,
        moderator=found.moderator,
        transitions=[name.value for name in found.transitions],
    )
    return schemas.IssueView(found.issue, **extras)


@issues_bp.patch("/issues/<int:issue_id>")
@issues_bp.arguments(schemas.IssueEditSchema)
@issues_bp.response(200, schemas.PermittedIssueSchema)
def edit_issue(body, issue_id):
    """The proposer corrects the title, text or category before deliberation begins."""
    return _issue_view(service.edit_issue(current_actor(), issue_id, body))


@issues_bp.post("/issues/<int:issue_id>/photos")
@issues_bp.arguments(schemas.PhotoUploadSchema, location="form", content_type="multipart/form-data")
@issues_bp.response(201, schemas.PhotoSchema)
def add_photo(upload, issue_id):
    """Attach a photo (the proposer, before deliberation); its metadata is stripped."""
    # A byte more than the service takes is enough for it to say the photo is too large.
    data = upload["photo"].read(service.PHOTO_MAX_BYTES + 1)
    return service.add_photo(current_actor(), issue_id, data)


_IMAGE = {"schema": {"type": "string", "format": "binary"}}


@issues_bp.get("/photos/<int:photo_id>")
@issues_bp.response(200, _IMAGE["schema"], content_type="image/jpeg", description="The photo.")
@issues_bp.doc(responses={200: {"content": {"image/png": _IMAGE, "image/webp": _IMAGE}}})
def get_photo(photo_id):
    """A photo of an issue the caller may see."""
    photo = service.get_photo(current_actor(), photo_id)
    response = make_response(photo.data)
    response.content_type = photo.content_type
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@issues_bp.post("/issues/<int:issue_id>/transitions")
@issues_bp.arguments(schemas.TransitionSchema)
@issues_bp.response(200, schemas.PermittedIssueSchema)
def make_transition(body, issue_id):
    """Move the issue on (submit, accept, reject, merge, escalate, withdraw...), if the caller
    may and its preconditions hold."""
    issue = service.transition(
        current_actor(),
        issue_id,
        body["transition"],
        reason=body["reason"],
        merge_into=body["merge_into"],
    )
    return _issue_view(issue)


@issues_bp.post("/issues/<int:issue_id>/support")
@issues_bp.response(200, schemas.PermittedIssueSchema)
def support(issue_id):
    """Support the issue, once per resident of its scope."""
    return _issue_view(service.support(current_actor(), issue_id))


@issues_bp.delete("/issues/<int:issue_id>/support")
@issues_bp.response(200, schemas.PermittedIssueSchema)
def withdraw_support(issue_id):
    """Take one's support back while supports are being gathered."""
    return _issue_view(service.withdraw_support(current_actor(), issue_id))


@issues_bp.get("/communities/<int:community_id>/issue-settings")
@issues_bp.response(200, schemas.IssueSettingsSchema)
def get_issue_settings(community_id):
    """The community's categories, support threshold and report threshold."""
    get_community(current_actor(), community_id)
    return service.issue_settings(community_id)


@issues_bp.put("/communities/<int:community_id>/issue-settings")
@issues_bp.arguments(schemas.IssueSettingsSchema)
@issues_bp.response(200, schemas.IssueSettingsSchema)
def configure_issues(body, community_id):
    """Change the community's settings (moderators); fields left out keep their value."""
    return service.configure(current_actor(), community_id, body)


# Comments -------------------------------------------------------------------------------------


@threads_bp.get("/issues/<int:issue_id>/comments")
@threads_bp.response(200, schemas.CommentSchema(many=True))
def list_comments(issue_id):
    """The issue's thread in reading order, each reply under its parent."""
    actor = current_actor()
    return threads.thread(actor, service.get_issue(actor, issue_id))


@threads_bp.post("/issues/<int:issue_id>/comments")
@limiter.limit(comment_rate_limit, key_func=rate_limit_key)
@threads_bp.arguments(schemas.CommentCreateSchema)
@threads_bp.response(201, schemas.CommentSchema)
def post_comment(body, issue_id):
    """Comment on the issue or reply to a comment (rate-limited per person)."""
    comment = threads.post_comment(
        current_actor(),
        issue_id,
        body=body["body"],
        parent_id=body["parent_id"],
        stance=body["stance"],
        official=body["official"],
    )
    return _comment_view(comment)


@threads_bp.patch("/comments/<int:comment_id>")
@threads_bp.arguments(schemas.CommentEditSchema)
@threads_bp.response(200, schemas.CommentSchema)
def edit_comment(body, comment_id):
    """The author rewrites a comment; the earlier text is kept in its history."""
    comment = threads.edit_comment(
        current_actor(), comment_id, body=body["body"], stance=body["stance"]
    )
    return _comment_view(comment)


@threads_bp.delete("/comments/<int:comment_id>")
@threads_bp.response(200, schemas.CommentSchema)
def delete_comment(comment_id):
    """The author takes a comment back; a tombstone keeps its replies in place."""
    return _comment_view(threads.delete_comment(current_actor(), comment_id))


@threads_bp.get("/comments/<int:comment_id>/history")
@threads_bp.response(200, schemas.CommentRevisionSchema(many=True))
def comment_history(comment_id):
    """A comment's earlier texts, oldest first."""
    return threads.history(current_actor(), comment_id)


@threads_bp.post("/comments/<int:comment_id>/reports")
@threads_bp.arguments(schemas.ReportSchema)
@threads_bp.response(201, schemas.CommentSchema)
def report_comment(body, comment_id):
    """Report a comment; enough reports hide it until a moderator decides."""
    comment = threads.report_comment(current_actor(), comment_id, body["reason"])
    return _comment_view(comment, reported_by_me=True)


@threads_bp.post("/comments/<int:comment_id>/moderation")
@threads_bp.arguments(schemas.ModerationSchema)
@threads_bp.response(200, schemas.CommentSchema)
def moderate_comment(body, comment_id):
    """A moderator hides or restores a comment, with a reason shown in its place."""
    comment = threads.moderate(
        current_actor(), comment_id, action=body["action"], reason=body["reason"]
    )
    return _comment_view(comment)


@threads_bp.get("/communities/<int:community_id>/moderation")
@threads_bp.response(200, schemas.ModerationItemSchema(many=True))
def moderation_queue(community_id):
    """Reported comments waiting for a moderator, oldest report first (moderators)."""
    return threads.moderation_queue(current_actor(), community_id)


# Notifications --------------------------------------------------------------------------------


@notifications_bp.get("/notifications")
@notifications_bp.arguments(schemas.NotificationQuerySchema, location="query")
@notifications_bp.response(200, schemas.NotificationTextSchema(many=True))
def list_notifications(query):
    """The newest first, a page at a time: pass the last id seen as `before`."""
    return notifications.list_notifications(
        current_actor(), unread_only=query["unread"], before_id=query.get("before")
    )


@notifications_bp.get("/notifications/unread-count")
@notifications_bp.response(200, schemas.UnreadSchema)
def unread_count():
    """How many notifications are unread."""
    return {"unread": notifications.unread_count(current_actor())}


@notifications_bp.post("/notifications/read")
@notifications_bp.arguments(schemas.MarkReadSchema)
@notifications_bp.response(200, schemas.UnreadSchema)
def mark_read(body):
    """Mark the notifications `ids` read, or every one when `ids` is left out."""
    return {"unread": notifications.mark_read(current_actor(), body.get("ids"))}


blueprints = [issues_bp, threads_bp, notifications_bp]
