"""The issue stage's pages: a community's issues, proposing one, an issue with its thread,
moderation and notifications.

Every action is a plain form POST through `hall.web.forms.submit` that answers with a redirect
back to the issue (and the comment it touched), so each works without JavaScript; the page
script makes the thread live and talks to the REST API. What a reader may do is the service's
answer (`permissions`), rendered; a refusal is the service's, shown beside its field.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import login_required

from hall.community import service as community_service
from hall.community.identity import comment_rate_limit, current_actor, rate_limit_key
from hall.extensions import limiter
from hall.issues import forms, labels, notifications, presenters, refusals, service, threads
from hall.issues.access import CommentAct
from hall.issues.lifecycle import State
from hall.issues.models import Comment, Issue
from hall.issues.overview import issue_overview
from hall.realtime import outbox
from hall.web.forms import submit
from hall.web.hooks import panel
from hall.web.redirects import local_path

bp = Blueprint("issues", __name__)


# Shared by every page of the stage ------------------------------------------------------------


@bp.app_context_processor
def _issue_words() -> dict:
    return {
        "state_names": labels.ISSUE_STATE_NAMES,
        "stance_names": labels.STANCE_NAMES,
        "category_label": labels.category_label,
        "category_names": labels.CATEGORY_NAMES,
        "official_names": labels.OFFICIAL_ROLE_NAMES,
        "transition_names": labels.TRANSITION_NAMES,
        "notification_badge": presenters.notification_badge,
    }


for _name, _filter in presenters.TEMPLATE_FILTERS.items():
    bp.add_app_template_filter(_filter, _name)


@panel("community.home")
def _issues_of_the_community(community, **context) -> str:
    return render_template("issues/_community_panel.html", community=community)


def _back_to_issue(issue_id: int, comment_id: int | None = None):
    anchor = f"comment-{comment_id}" if comment_id else None
    return redirect(url_for("issues.show", issue_id=issue_id, _anchor=anchor))


# The list ---------------------------------------------------------------------------------------


@bp.get("/communities/<int:community_id>/issues")
@login_required
def list_issues(community_id: int):
    actor = current_actor()
    community = community_service.get_community(actor, community_id)
    room = community_service.community_room(community.id)
    seq = outbox.current_seq(room)  # before the list is read: see Overview.seq
    buildings = community_service.list_buildings(actor, community.id)
    form = forms.IssueFilterForm(request.args)
    form.offer(service.issue_settings(community.id).categories, buildings)
    filters = form.filters({building.id for building in buildings}, request.args.get("page"))
    page = service.list_issues(actor, community.id, filters)
    return render_template(
        "issues/list.html",
        community=community,
        form=form,
        page=page,
        filtered=form.narrows(filters),
        page_url=presenters.page_url(community.id, request.args),
        room=room,
        room_seq=seq,
        permissions=page.permissions,
    )


# Proposing --------------------------------------------------------------------------------------


@bp.route("/communities/<int:community_id>/issues/new", methods=["GET", "POST"])
@login_required
def new_issue(community_id: int):
    actor = current_actor()
    community = community_service.get_community(actor, community_id)
    permissions = service.require_proposing(actor, community.id)
    form = forms.IssueForm()
    form.offer(service.issue_settings(community.id).categories)
    outcome = submit(
        form,
        lambda: service.create_issue(actor, community.id, **form.proposal()),
        form.refusal_fields,
    )
    if outcome.done:
        issue = outcome.value
        _add_photos(form, actor, issue.id)
        drafted = gettext("Your issue is saved as a draft. Only you can see it.")
        published = gettext("Your issue is published.")
        flash(drafted if issue.state is State.DRAFT else published, "info")
        return _back_to_issue(issue.id)
    page = render_template(
        "issues/new.html",
        community=community,
        form=form,
        scope=presenters.scope_choices(
            community_service.list_buildings(actor, community.id),
            community_service.list_units(actor, community.id),
            permissions,
        ),
        room=community_service.community_room(community.id),
    )
    return page, 422 if form.errors or outcome.refusal else 200


def _add_photos(form: forms.IssueForm, actor, issue_id: int) -> None:
    """Each photo in its own transaction: one refused photo does not lose the others."""
    for upload in form.photos.data or []:
        if not getattr(upload, "filename", ""):
            continue
        outcome = submit(
            form,
            lambda upload=upload: service.add_photo(actor, issue_id, upload.read()),
            {"photo": form.photos},
        )
        if outcome.refusal is not None:
            reason = outcome.refusal.render(gettext)
            message = gettext(
                "The photo %(name)s was not added: %(reason)s", name=upload.filename, reason=reason
            )
            flash(message, "error")


# One issue -------------------------------------------------------------------------------------


@bp.get("/issues/<int:issue_id>")
@login_required
def show(issue_id: int):
    reply_to = request.args.get("reply_to", "")
    return _issue_page(issue_id, reply_to=int(reply_to) if reply_to.isdigit() else None)


def _issue_page(
    issue_id: int,
    *,
    comment_form: forms.CommentForm | None = None,
    reply_to: int | None = None,
    reply_form: forms.CommentForm | None = None,
    transition_form: forms.TransitionForm | None = None,
    status: int = 200,
):
    actor = current_actor()
    page = presenters.issue_page(issue_overview(actor, issue_id))
    issue = page.issue
    html = render_template(
        "issues/show.html",
        community=community_service.get_community(actor, issue.community_id),
        page=page,
        issue=issue,
        permissions=page.permissions,
        comment_form=comment_form or forms.CommentForm(formdata=None),
        reply_to=reply_to,
        reply_form=reply_form,
        transition_form=transition_form,
        max_depth=threads.MAX_DEPTH,
        room=service.issue_room(issue.id),
        room_seq=page.overview.seq,
    )
    return html, status


@bp.get("/issues/<int:issue_id>/photos/<int:photo_id>")
@login_required
def photo(issue_id: int, photo_id: int):
    found = service.get_photo(current_actor(), photo_id)
    if found.issue_id != issue_id:  # an address put together by hand: the photo's own one
        return redirect(url_for("issues.photo", issue_id=found.issue_id, photo_id=found.id))
    response = send_file(BytesIO(found.data), mimetype=found.content_type, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/issues/<int:issue_id>/comments")
@login_required
@limiter.limit(comment_rate_limit, key_func=rate_limit_key)
def post_comment(issue_id: int):
    actor = current_actor()
    form = forms.CommentForm()
    parent_id = form.comment()["parent_id"]
    outcome = submit(
        form,
        lambda: threads.post_comment(actor, issue_id, **form.comment()),
        form.refusal_fields,
    )
    if outcome.done:
        return _back_to_issue(issue_id, outcome.value.id)
    if not form.errors:  # refused for the moment (the thread closed, the comment answered
        return _back_to_issue(issue_id, parent_id)  # hidden), and flashed
    if parent_id is not None:
        return _issue_page(issue_id, reply_to=parent_id, reply_form=form, status=422)
    return _issue_page(issue_id, comment_form=form, status=422)


@bp.post("/issues/<int:issue_id>/support")
@login_required
def support(issue_id: int):
    actor = current_actor()
    form = forms.SupportForm()
    change = service.withdraw_support if form.withdraws else service.support
    if submit(form, lambda: change(actor, issue_id)).done:
        withdrawn = gettext("You no longer support this issue.")
        counted = gettext("Thank you: your support is counted.")
        flash(withdrawn if form.withdraws else counted, "info")
    return _back_to_issue(issue_id)


@bp.post("/issues/<int:issue_id>/transition")
@login_required
def transition(issue_id: int):
    actor = current_actor()
    form = forms.TransitionForm()

    def act() -> Issue:
        number = form.merge_target()
        merge_into = None if number is None else _issue_numbered(actor, issue_id, number)
        return service.transition(actor, issue_id, **form.step(), merge_into=merge_into)

    outcome = submit(form, act, form.refusal_fields)
    if outcome.done:
        state = labels.ISSUE_STATE_NAMES[outcome.value.state]
        flash(gettext("The issue is now: %(state)s", state=state), "info")
        return _back_to_issue(issue_id)
    return _issue_page(issue_id, transition_form=form, status=422)


def _issue_numbered(actor, issue_id: int, number: int) -> int:
    """The id of the issue people call #`number` in this issue's community."""
    issue = service.get_issue(actor, issue_id)
    target = service.find_by_number(actor, issue.community_id, number)
    if target is None:  # the page names issues by number, the service by id: same refusal
        raise refusals.NO_SUCH_MERGE_TARGET()
    return target.id


# One comment ------------------------------------------------------------------------------------


def _comment(comment_id: int, act: CommentAct | None = None) -> tuple[Comment, Issue]:
    """The comment and its issue; a page that offers a form for `act` asks the service first
    whether the reader may, while the form's POST hears the service's answer through submit."""
    asked = act if request.method == "GET" else None
    return threads.get_comment(current_actor(), comment_id, for_act=asked)


def _comment_form(template: str, comment: Comment, issue: Issue, form, act, done, back=None):
    """A comment's form page: the action through submit, then back to the comment (or to
    `back`) saying `done`, back with the refusal flashed, or the form again beside its errors."""
    outcome = submit(form, act, form.refusal_fields)
    if outcome.done:
        flash(str(done), "info")
    if outcome.done or (outcome.refusal is not None and not form.errors):
        return redirect(back) if back and outcome.done else _back_to_issue(issue.id, comment.id)
    return _comment_page(template, comment, issue, form, 422 if form.errors else 200)


def _comment_page(template: str, comment: Comment, issue: Issue, form, status: int = 200, **extra):
    moderator = service.permissions(current_actor(), issue).moderate
    page = render_template(
        template,
        comment=threads.comment_view(comment, moderator=moderator),
        issue=issue,
        form=form,
        **extra,
    )
    return page, status


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment, issue = _comment(comment_id, CommentAct.EDIT)
    form = forms.EditCommentForm(obj=comment if request.method == "GET" else None)
    return _comment_form(
        "issues/comment_edit.html",
        comment,
        issue,
        form,
        lambda: threads.edit_comment(current_actor(), comment.id, **form.changes(comment.depth)),
        gettext("Your comment is changed."),
    )


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    comment, issue = _comment(comment_id, CommentAct.DELETE)
    return _comment_form(
        "issues/comment_delete.html",
        comment,
        issue,
        forms.DeleteCommentForm(),
        lambda: threads.delete_comment(current_actor(), comment.id),
        gettext("Your comment is deleted."),
    )


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report_comment(comment_id: int):
    comment, issue = _comment(comment_id, CommentAct.REPORT)
    form = forms.ReportForm()
    return _comment_form(
        "issues/comment_report.html",
        comment,
        issue,
        form,
        lambda: threads.report_comment(current_actor(), comment.id, form.reason.data or ""),
        gettext("Thank you: the moderators will look at this comment."),
    )


@bp.route("/comments/<int:comment_id>/moderate", methods=["GET", "POST"])
@login_required
def moderate_comment(comment_id: int):
    asked = request.args.get("action", "hide")
    comment, issue = _comment(comment_id, threads.MODERATIONS.get(asked, CommentAct.HIDE))
    form = forms.ModerateForm()
    if request.method == "GET":
        form.action.data = asked
        form.next.data = local_path(request.args.get("next")) or ""
    hiding = form.action.data == "hide"
    return _comment_form(
        "issues/comment_moderate.html",
        comment,
        issue,
        form,
        lambda: threads.moderate(
            current_actor(), comment.id, action=form.action.data or "", reason=form.reason.data
        ),
        gettext("The comment is hidden.") if hiding else gettext("The comment is shown again."),
        back=local_path(form.next.data),
    )


@bp.get("/comments/<int:comment_id>/history")
@login_required
def comment_history(comment_id: int):
    comment, issue = _comment(comment_id)
    revisions = threads.history(current_actor(), comment.id)
    return _comment_page("issues/comment_history.html", comment, issue, None, revisions=revisions)


# Moderation queue --------------------------------------------------------------------------------


@bp.get("/communities/<int:community_id>/moderation")
@login_required
def moderation(community_id: int):
    actor = current_actor()
    community = community_service.get_community(actor, community_id)
    queue = threads.moderation_queue(actor, community.id)
    return render_template(
        "issues/moderation.html",
        community=community,
        queue=queue,
        form=forms.ModerateForm(formdata=None),
    )


# Notifications ---------------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications_page():
    actor = current_actor()
    before = request.args.get("before", "")
    listed = notifications.list_notifications(
        actor, before_id=int(before) if before.isdigit() else None
    )
    return render_template(
        "issues/notifications.html",
        notifications=presenters.notification_lines(listed),
        more=len(listed) == notifications.PAGE_SIZE,
        oldest=listed[-1].id if listed else None,
        form=forms.MarkReadForm(formdata=None),
    )


@bp.post("/notifications/read")
@login_required
def mark_notifications_read():
    if submit(forms.MarkReadForm(), lambda: notifications.mark_read(current_actor())).done:
        flash(gettext("All notifications are marked as read."), "info")
    return redirect(url_for("issues.notifications_page"))
