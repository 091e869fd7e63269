"""The issue stage's pages: a community's issues, proposing one, an issue with its thread,
moderation and notifications.

Every action is a plain form POST that answers with a redirect back to the issue (and the
comment it touched), so each works without JavaScript; the page script only makes the
thread live and posts comments without a reload.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from io import BytesIO

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_datetime, gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from hall.auth import comment_rate_limit, current_actor, rate_limit_key
from hall.community import service as community_service
from hall.community.models import Building, Community
from hall.community.policy import Action, Actor, Decision, decide
from hall.errors import Conflict, Forbidden, HallError, Invalid, NotFound
from hall.extensions import db, limiter
from hall.issues import lifecycle, notifications, service, threads
from hall.issues.lifecycle import Capacity, Name, Requirement, State
from hall.issues.models import Comment, Issue, ScopeKind, Stance
from hall.issues.overview import Overview, issue_overview
from hall.realtime import outbox
from hall.web.forms import apply_errors, flash_refusal
from hall.web.labels import (
    CATEGORY_NAMES,
    ISSUE_STATE_NAMES,
    OFFICIAL_ROLE_NAMES,
    SCOPE_KIND_NAMES,
    STANCE_NAMES,
    TRANSITION_NAMES,
    category_label,
    field_message,
)
from hall.web.redirects import local_path

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    SelectChoice = None

bp = Blueprint("issues", __name__)


def _choice(value: str, label) -> object:
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


# Forms ------------------------------------------------------------------------------------------


class IssueFilterForm(FlaskForm):
    """The list's filters: a GET form, so a filtered list has an address of its own."""

    class Meta:
        csrf = False

    state = SelectField(lazy_gettext("State"), validate_choice=False, default="")
    category = SelectField(lazy_gettext("Category"), validate_choice=False, default="")
    building = SelectField(lazy_gettext("Building"), validate_choice=False, default="")
    mine = BooleanField(lazy_gettext("Only issues I proposed"))
    q = StringField(lazy_gettext("Words in the title or description"))


class IssueForm(FlaskForm):
    title = StringField(
        lazy_gettext("Title"),
        validators=[
            InputRequired(lazy_gettext("Give the issue a title.")),
            Length(max=service.TITLE_MAX, message=lazy_gettext("The title is too long.")),
        ],
    )
    body = TextAreaField(
        lazy_gettext("Description"),
        validators=[
            InputRequired(lazy_gettext("Describe the issue.")),
            Length(max=service.BODY_MAX, message=lazy_gettext("The description is too long.")),
        ],
        render_kw={"rows": 8},
    )
    category = SelectField(lazy_gettext("Category"), validate_choice=False)
    scope_kind = RadioField(
        lazy_gettext("Whom does it concern?"),
        choices=[_choice(kind.value, SCOPE_KIND_NAMES[kind.value]) for kind in ScopeKind],
        default=ScopeKind.COMMUNITY.value,
        validate_choice=False,
    )
    buildings = SelectMultipleField(lazy_gettext("Buildings"), coerce=int, validate_choice=False)
    stairwells = SelectMultipleField(lazy_gettext("Stairwells"), coerce=int, validate_choice=False)
    units = SelectMultipleField(lazy_gettext("Units"), coerce=int, validate_choice=False)
    photos = MultipleFileField(
        lazy_gettext("Photos (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True},
    )
    save_draft = SubmitField(lazy_gettext("Save as a draft"))
    publish = SubmitField(lazy_gettext("Publish now"))


class EditCommentForm(FlaskForm):
    body = TextAreaField(
        lazy_gettext("Your comment"),
        validators=[
            InputRequired(lazy_gettext("Write something first.")),
            Length(max=threads.COMMENT_MAX, message=lazy_gettext("The comment is too long.")),
        ],
        render_kw={"rows": 4},
    )
    stance = RadioField(
        lazy_gettext("Your stance on the issue"),
        choices=[_choice(stance.value, STANCE_NAMES[stance.value]) for stance in Stance],
        validate_choice=False,
    )
    submit = SubmitField(lazy_gettext("Save the change"))


class CommentForm(EditCommentForm):
    """A new comment: the edit's fields, where it goes in the thread, and whether official."""

    parent_id = HiddenField()
    official = BooleanField(lazy_gettext("Post as an official reply"))
    submit = SubmitField(lazy_gettext("Post the comment"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stance", Stance.NEUTRAL.value)
        super().__init__(*args, **kwargs)


class ReportForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("What is wrong with it? (optional)"),
        validators=[
            Length(max=threads.REASON_MAX, message=lazy_gettext("The reason is too long."))
        ],
        render_kw={"rows": 3},
    )
    submit = SubmitField(lazy_gettext("Report the comment"))


class ModerateForm(FlaskForm):
    action = HiddenField()
    reason = TextAreaField(
        lazy_gettext("Reason, shown in the comment's place"),
        validators=[
            InputRequired(lazy_gettext("Give a reason.")),
            Length(max=threads.REASON_MAX, message=lazy_gettext("The reason is too long.")),
        ],
        render_kw={"rows": 2},
    )
    next = HiddenField()


class DeleteCommentForm(FlaskForm):
    submit = SubmitField(lazy_gettext("Delete the comment"))


class SupportForm(FlaskForm):
    action = HiddenField()


class TransitionForm(FlaskForm):
    transition = HiddenField()
    reason = TextAreaField(lazy_gettext("Reason"), render_kw={"rows": 2})
    merge_number = IntegerField(
        lazy_gettext("Number of the issue to merge into"),
        validators=[Optional()],
    )


class MarkReadForm(FlaskForm):
    submit = SubmitField(lazy_gettext("Mark all as read"))


# Shared by every page of the stage ------------------------------------------------------------


@bp.app_context_processor
def _issue_words() -> dict:
    return {
        "state_names": ISSUE_STATE_NAMES,
        "stance_names": STANCE_NAMES,
        "category_label": category_label,
        "notification_badge": _notification_badge,
    }


def _notification_badge() -> dict | None:
    """The header's unread count and the account room's number it was read at."""
    if not current_user.is_authenticated:
        return None
    actor = current_actor()
    try:
        room = notifications.account_room(actor.account_id)
        seq = outbox.current_seq(room)  # first, as for an issue: nothing falls in between
        return {"room": room, "seq": seq, "unread": notifications.unread_count(actor)}
    except SQLAlchemyError:  # an error page must still render when the database cannot
        db.session.rollback()
        return None


@bp.app_template_filter("when")
def when(value: datetime | str | None) -> str:
    """A moment in the community's time zone, as people read it."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, "short")


@bp.app_template_filter("map_text")
def map_text(names: dict) -> dict:
    """Translated names as plain strings, for a page script's JSON."""
    return {key: str(value) for key, value in names.items()}


@bp.app_template_filter("iso")
def iso(value: datetime | str | None) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    return value.isoformat()


def _back_to_issue(issue_id: int, comment_id: int | None = None):
    anchor = f"comment-{comment_id}" if comment_id else None
    return redirect(url_for("issues.show", issue_id=issue_id, _anchor=anchor))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


# The list ---------------------------------------------------------------------------------------


@bp.get("/communities/<int:community_id>/issues")
@login_required
def list_issues(community_id: int):
    actor = current_actor()
    community = community_service.get_community(actor, community_id)
    room = community_service.community_room(community.id)
    seq = outbox.current_seq(room)  # before the list is read: see Overview.seq
    categories = service.issue_settings(community.id).categories
    buildings = community_service.list_buildings(actor, community.id)
    form = IssueFilterForm(request.args)
    form.state.choices = [_choice("", gettext("Any state"))] + [
        _choice(state.value, ISSUE_STATE_NAMES[state.value]) for state in State
    ]
    form.category.choices = [_choice("", gettext("Any category"))] + [
        _choice(category, category_label(category)) for category in categories
    ]
    form.building.choices = [_choice("", gettext("Any building"))] + [
        _choice(str(building.id), building.name) for building in buildings
    ]
    filters = _filters(form, buildings)
    page = service.list_issues(actor, community.id, filters)
    filtered = any(
        (filters.state, filters.category, filters.building_id, filters.mine, filters.words)
    )
    return render_template(
        "issues/list.html",
        community=community,
        form=form,
        page=page,
        filtered=filtered,
        page_url=lambda number: _page_url(community.id, number),
        room=room,
        room_seq=seq,
        may_propose=_allowed(actor, Action.PROPOSE_ISSUE, community),
        may_moderate=_allowed(actor, Action.MODERATE, community),
        category_names=CATEGORY_NAMES,
    )


def _filters(form: IssueFilterForm, buildings: list[Building]) -> service.IssueFilters:
    try:
        state = State(form.state.data) if form.state.data else None
    except ValueError:
        state = None
    building_ids = {building.id for building in buildings}
    building_id = int(form.building.data) if (form.building.data or "").isdigit() else None
    page = request.args.get("page", "1")
    return service.IssueFilters(
        state=state,
        category=form.category.data or None,
        building_id=building_id if building_id in building_ids else None,
        mine=bool(form.mine.data),
        words=(form.q.data or "")[:100],
        page=max(1, min(int(page), 10_000)) if page.isdigit() else 1,
    )


def _page_url(community_id: int, number: int) -> str:
    arguments = {key: value for key, value in request.args.items() if key != "page" and value}
    return url_for("issues.list_issues", community_id=community_id, page=number, **arguments)


# Proposing --------------------------------------------------------------------------------------


@bp.route("/communities/<int:community_id>/issues/new", methods=["GET", "POST"])
@login_required
def new_issue(community_id: int):
    actor = current_actor()
    community = community_service.get_community(actor, community_id)
    community_service.require(
        actor, Action.PROPOSE_ISSUE, community_service.place_of_community(community)
    )
    form = IssueForm()
    categories = service.issue_settings(community.id).categories
    form.category.choices = [_choice(category, category_label(category)) for category in categories]
    scope_choices = _scope_choices(actor, community)
    scope_errors: list[str] = []
    if form.validate_on_submit():
        kind = _scope_kind(form.scope_kind.data)
        chosen = {
            ScopeKind.COMMUNITY: [],
            ScopeKind.BUILDINGS: form.buildings.data or [],
            ScopeKind.STAIRWELLS: form.stairwells.data or [],
            ScopeKind.UNITS: form.units.data or [],
        }[kind]
        try:
            issue = service.create_issue(
                actor,
                community.id,
                title=form.title.data,
                body=form.body.data,
                category=form.category.data or "",
                scope_kind=kind,
                scope_ids=list(chosen),
                submit=bool(form.publish.data),
            )
        except Invalid as error:
            scope_errors = [field_message(m) for m in error.fields.get("scope", [])]
            fields = {"title": form.title, "body": form.body, "category": form.category}
            if not apply_errors(error, fields) and not scope_errors:
                scope_errors = [field_message(error.message)]
        else:
            _add_photos(actor, issue.id, form.photos.data or [])
            if issue.state is State.DRAFT:
                flash(gettext("Your issue is saved as a draft. Only you can see it."), "info")
            else:
                flash(gettext("Your issue is published."), "info")
            return _back_to_issue(issue.id)
    status = 422 if form.errors or scope_errors else 200
    page = render_template(
        "issues/new.html",
        community=community,
        form=form,
        scope_choices=scope_choices,
        scope_errors=scope_errors,
        room=community_service.community_room(community.id),
    )
    return page, status


def _scope_kind(value: str | None) -> ScopeKind:
    try:
        return ScopeKind(value)
    except ValueError:
        return ScopeKind.COMMUNITY


def _scope_choices(actor: Actor, community: Community) -> list[dict]:
    """The community's buildings, each with its stairwells and their units, for the form."""
    buildings = community_service.list_buildings(actor, community.id)
    units_by_stairwell: dict[int, list] = defaultdict(list)
    for unit in community_service.list_units(actor, community.id):
        units_by_stairwell[unit.stairwell_id].append(unit)
    return [
        {
            "building": building,
            "stairwells": [
                {"stairwell": stairwell, "units": units_by_stairwell.get(stairwell.id, [])}
                for stairwell in building.stairwells
            ],
        }
        for building in buildings
    ]


def _add_photos(actor: Actor, issue_id: int, uploads: list) -> None:
    """Each photo in its own transaction: one refused photo does not lose the others."""
    for upload in uploads:
        if not getattr(upload, "filename", ""):
            continue
        try:
            service.add_photo(actor, issue_id, upload.read())
        except HallError as error:
            messages = [m for listed in error.fields.values() for m in listed] or [error.message]
            flash(
                gettext(
                    "The photo %(name)s was not added: %(reason)s",
                    name=upload.filename,
                    reason=field_message(messages[0]),
                ),
                "error",
            )


# One issue -------------------------------------------------------------------------------------


@bp.get("/issues/<int:issue_id>")
@login_required
def show(issue_id: int):
    reply_to = request.args.get("reply_to", "")
    return _issue_page(issue_id, reply_to=int(reply_to) if reply_to.isdigit() else None)


def _issue_page(
    issue_id: int,
    *,
    comment_form: CommentForm | None = None,
    reply_to: int | None = None,
    reply_form: CommentForm | None = None,
    transition_form: TransitionForm | None = None,
    status: int = 200,
):
    actor = current_actor()
    overview = issue_overview(actor, issue_id)
    issue = overview.issue
    community = community_service.get_community(actor, issue.community_id)
    place = community_service.place_of_community(community)
    may_official = bool(overview.capacities & {Capacity.COUNCIL, Capacity.SUBDISTRICT})
    thread_open = issue.state in lifecycle.DISCUSSABLE
    may_comment = overview.may_participate and thread_open
    comment_form = comment_form or CommentForm(formdata=None)
    children: dict[int | None, list[dict]] = defaultdict(list)
    for comment in overview.comments:
        children[comment["parent_id"]].append(comment)
    page = render_template(
        "issues/show.html",
        community=community,
        overview=overview,
        issue=issue,
        proposer=issue.proposer,
        children=children,
        comment_form=comment_form,
        reply_to=reply_to,
        reply_form=reply_form,
        transitions=_transitions(overview),
        transition_form=transition_form,
        thread_open=thread_open,
        may_comment=may_comment,
        may_official=may_official,
        may_report=decide(actor, Action.COMMENT, place) is Decision.ALLOWED,
        may_support=overview.may_participate
        and actor.person_id is not None
        and issue.state in lifecycle.SUPPORTABLE,
        max_depth=threads.MAX_DEPTH,
        official_names=OFFICIAL_ROLE_NAMES,
        transition_names=TRANSITION_NAMES,
        category_names=CATEGORY_NAMES,
        room=service.issue_room(issue.id),
        room_seq=overview.seq,
    )
    return page, status


def _transitions(overview: Overview) -> list[dict]:
    return [
        {
            "name": name.value,
            "label": TRANSITION_NAMES[name.value],
            "needs_reason": Requirement.REASON in lifecycle.TRANSITIONS[name].requires,
            "needs_target": Requirement.MERGE_TARGET in lifecycle.TRANSITIONS[name].requires,
        }
        for name in overview.transitions
    ]


@bp.get("/issues/<int:issue_id>/photos/<int:photo_id>")
@login_required
def photo(issue_id: int, photo_id: int):
    found = service.get_photo(current_actor(), photo_id)
    if found.issue_id != issue_id:
        raise NotFound("No such photo.")
    response = send_file(BytesIO(found.data), mimetype=found.content_type, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/issues/<int:issue_id>/comments")
@login_required
@limiter.limit(comment_rate_limit, key_func=rate_limit_key)
def post_comment(issue_id: int):
    actor = current_actor()
    form = CommentForm()
    parent_id = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
    if form.validate_on_submit():
        stance = None
        if parent_id is None:
            stance = Stance(form.stance.data) if form.stance.data in set(Stance) else None
        try:
            comment = threads.post_comment(
                actor,
                issue_id,
                body=form.body.data,
                parent_id=parent_id,
                stance=stance,
                official=bool(form.official.data),
            )
        except Conflict as error:
            # The thread closed, or the comment answered was hidden, while this was written.
            flash_refusal(error)
            return _back_to_issue(issue_id, parent_id)
        except Invalid as error:
            fields = {"body": form.body, "parent_id": form.body, "stance": form.stance}
            if not apply_errors(error, fields):
                raise
        else:
            return _back_to_issue(issue_id, comment.id)
    if parent_id is not None:
        return _issue_page(issue_id, reply_to=parent_id, reply_form=form, status=422)
    return _issue_page(issue_id, comment_form=form, status=422)


@bp.post("/issues/<int:issue_id>/support")
@login_required
def support(issue_id: int):
    actor = current_actor()
    form = SupportForm()
    if not form.validate_on_submit():
        raise Invalid("The form has expired.", {"csrf_token": ["The form has expired."]})
    try:
        if form.action.data == "withdraw":
            issue = service.withdraw_support(actor, issue_id)
        else:
            issue = service.support(actor, issue_id)
    except Conflict as error:
        if _wants_json():
            raise
        flash_refusal(error)
        return _back_to_issue(issue_id)
    if _wants_json():
        return jsonify(
            supported=service.supported_by(actor, issue),
            support_count=issue.support_count,
            threshold=service.support_threshold(issue),
            state=issue.state.value,
        )
    if form.action.data == "withdraw":
        flash(gettext("You no longer support this issue."), "info")
    else:
        flash(gettext("Thank you: your support is counted."), "info")
    return _back_to_issue(issue_id)


@bp.post("/issues/<int:issue_id>/transition")
@login_required
def transition(issue_id: int):
    actor = current_actor()
    form = TransitionForm()
    if form.validate_on_submit():
        merge_into = None
        if form.transition.data == Name.MERGE.value and form.merge_number.data is not None:
            issue = service.get_issue(actor, issue_id)
            target = service.find_by_number(actor, issue.community_id, form.merge_number.data)
            merge_into = target.id if target is not None else None
            if merge_into is None:
                form.merge_number.errors = [field_message("No such issue here.")]
        if not form.merge_number.errors:
            try:
                issue = service.transition(
                    actor,
                    issue_id,
                    form.transition.data or "",
                    reason=form.reason.data or "",
                    merge_into=merge_into,
                )
            except (Invalid, Conflict) as error:
                fields = {
                    "reason": form.reason,
                    "merge_into": form.merge_number,
                    "transition": form.transition,
                }
                if not apply_errors(error, fields):
                    raise
            else:
                state = ISSUE_STATE_NAMES[issue.state.value]
                flash(gettext("The issue is now: %(state)s", state=state), "info")
                return _back_to_issue(issue_id)
    elif form.merge_number.errors:
        form.merge_number.errors = [gettext("Enter the issue's number, such as 12.")]
    return _issue_page(issue_id, transition_form=form, status=422)


# One comment ------------------------------------------------------------------------------------


def _comment_page(template: str, comment: Comment, issue: Issue, form, status: int = 200, **extra):
    actor = current_actor()
    moderator = threads.is_moderator(actor, issue)
    page = render_template(
        template,
        comment=threads.comment_view(comment, moderator=moderator),
        issue=issue,
        form=form,
        official_names=OFFICIAL_ROLE_NAMES,
        **extra,
    )
    return page, status


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    actor = current_actor()
    comment, issue = threads.get_comment(actor, comment_id)
    if comment.author_id != actor.account_id:
        raise Forbidden("Only its author edits a comment.")
    form = EditCommentForm()
    if request.method == "GET":
        form.body.data = comment.body
        form.stance.data = comment.stance.value if comment.stance else None
    if form.validate_on_submit():
        stance = None
        if comment.depth == 1 and form.stance.data in set(Stance):
            stance = Stance(form.stance.data)
        try:
            threads.edit_comment(actor, comment.id, body=form.body.data, stance=stance)
        except Invalid as error:
            if not apply_errors(error, {"body": form.body, "stance": form.stance}):
                raise
        except Conflict as error:
            flash_refusal(error)
            return _back_to_issue(issue.id, comment.id)
        else:
            flash(gettext("Your comment is changed."), "info")
            return _back_to_issue(issue.id, comment.id)
    status = 422 if form.errors else 200
    return _comment_page("issues/comment_edit.html", comment, issue, form, status)


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    actor = current_actor()
    comment, issue = threads.get_comment(actor, comment_id)
    if comment.author_id != actor.account_id:
        raise Forbidden("Only its author deletes a comment.")
    form = DeleteCommentForm()
    if form.validate_on_submit():
        try:
            threads.delete_comment(actor, comment.id)
        except Conflict as error:
            flash_refusal(error)
            return _back_to_issue(issue.id, comment.id)
        flash(gettext("Your comment is deleted."), "info")
        return _back_to_issue(issue.id, comment.id)
    return _comment_page("issues/comment_delete.html", comment, issue, form)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report_comment(comment_id: int):
    actor = current_actor()
    comment, issue = threads.get_comment(actor, comment_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            threads.report_comment(actor, comment.id, form.reason.data or "")
        except Conflict as error:
            flash_refusal(error)
            return _back_to_issue(issue.id, comment.id)
        except Invalid as error:
            if not apply_errors(error, {"reason": form.reason}):
                raise
        else:
            flash(gettext("Thank you: the moderators will look at this comment."), "info")
            return _back_to_issue(issue.id, comment.id)
    status = 422 if form.errors else 200
    return _comment_page("issues/comment_report.html", comment, issue, form, status)


@bp.route("/comments/<int:comment_id>/moderate", methods=["GET", "POST"])
@login_required
def moderate_comment(comment_id: int):
    actor = current_actor()
    comment, issue = threads.get_comment(actor, comment_id)
    if not threads.is_moderator(actor, issue):
        community_service.require(actor, Action.MODERATE, service.place_of_issue(issue), "issue")
    form = ModerateForm()
    if request.method == "GET":
        form.action.data = request.args.get("action", "hide")
        form.next.data = local_path(request.args.get("next")) or ""
    if form.validate_on_submit():
        try:
            threads.moderate(
                actor, comment.id, action=form.action.data or "", reason=form.reason.data
            )
        except Invalid as error:
            if not apply_errors(error, {"reason": form.reason}):
                raise
        except Conflict as error:
            flash_refusal(error)
            return _back_to_issue(issue.id, comment.id)
        else:
            if form.action.data == "hide":
                flash(gettext("The comment is hidden."), "info")
            else:
                flash(gettext("The comment is shown again."), "info")
            back = local_path(form.next.data)
            return redirect(back) if back else _back_to_issue(issue.id, comment.id)
    status = 422 if form.errors else 200
    return _comment_page("issues/comment_moderate.html", comment, issue, form, status)


@bp.get("/comments/<int:comment_id>/history")
@login_required
def comment_history(comment_id: int):
    actor = current_actor()
    comment, issue = threads.get_comment(actor, comment_id)
    revisions = threads.history(actor, comment.id)
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
        form=ModerateForm(formdata=None),
        official_names=OFFICIAL_ROLE_NAMES,
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
        notifications=listed,
        more=len(listed) == notifications.PAGE_SIZE,
        form=MarkReadForm(formdata=None),
        transition_names=TRANSITION_NAMES,
    )


@bp.post("/notifications/read")
@login_required
def mark_notifications_read():
    form = MarkReadForm()
    if form.validate_on_submit():
        notifications.mark_read(current_actor())
        flash(gettext("All notifications are marked as read."), "info")
    return redirect(url_for("issues.notifications_page"))


# Helpers ---------------------------------------------------------------------------------------


def _allowed(actor: Actor, action: Action, community: Community) -> bool:
    """Whether to offer a link at all; the page behind it asks the service again."""
    place = community_service.place_of_community(community)
    return decide(actor, action, place) is Decision.ALLOWED
