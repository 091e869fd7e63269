"""What the issue stage's API takes in and gives out.

Input limits repeat the services' own (imported, so the two cannot drift apart): a value over
a limit is refused here with a 422 naming its field, and the service checks again for every
other door. Where the two disagree, the service's message is the final word.
"""

from __future__ import annotations

from flask import has_request_context, url_for
from flask_babel import gettext
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from hall.issues import sentences
from hall.issues.access import ISSUE_PERMISSIONS, CommentPermissions, CommunityPermissions
from hall.issues.lifecycle import DELIBERATION_TRANSITIONS, State
from hall.issues.models import (
    BODY_MAX,
    COMMENT_MAX,
    REASON_MAX,
    TITLE_MAX,
    Advance,
    ScopeKind,
    Stance,
    ThresholdKind,
    Visibility,
)
from hall.issues.scope import MAX_SCOPE_TARGETS
from hall.issues.sentences import NotificationKind
from hall.rest import require_file
from hall.text import N_, is_said, render, untranslated

CATEGORY_MAX = 32  # issues.category is a String(32)
CATEGORIES_MAX = 50
SEARCH_MAX = 200
PER_PAGE_MAX = 100
NOTIFICATION_IDS_MAX = 1000


# What a bad value is told, with no number in it, so that the catalogs carry each sentence
# and the door says it in the reader's language (hall.web.i18n.field_message); the limits are
# in the published schema.
TOO_LONG = N_("This is too long: shorten it.")
TOO_MANY = N_("Fewer, please: this is more than Hall takes at once.")
BLANK = N_("Write something here.")
OUT_OF_RANGE = N_("This number is outside what Hall takes here.")
NOT_OFFERED = N_("Choose one of the values offered.")
AT_LEAST_ONE = N_("Give at least one.")


def _length(max_length: int, *, many: bool = False, **bounds) -> validate.Length:
    return validate.Length(max=max_length, error=TOO_MANY if many else TOO_LONG, **bounds)


def _range(**bounds) -> validate.Range:
    return validate.Range(error=OUT_OF_RANGE, **bounds)


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=NOT_OFFERED)


def _text(max_length: int, *, required: bool = True, **options) -> fields.String:
    """Text with at least one character that is not a space, and at most `max_length`."""
    return fields.String(
        required=required,
        validate=[_length(max_length), validate.Regexp(r"(?s).*\S.*", error=BLANK)],
        **options,
    )


class IssueView:
    """An issue together with what its page shows beside it, read by the schemas as one
    object: an attribute not given here is the issue's own."""

    def __init__(self, issue, **extras):
        self.issue = issue
        self.__dict__.update(extras)

    def __getattr__(self, name: str):
        return getattr(self.__dict__["issue"], name)


def _reader_text(data) -> str:
    """Said data in the language of the request's reader (English outside a request)."""
    return render(data, gettext if has_request_context() else untranslated)


# What the caller may do -----------------------------------------------------------------------


class IssuePermissionsSchema(Schema):
    """What the caller may do with the issue now; the services refuse exactly what is false."""

    view = fields.Boolean()
    edit = fields.Boolean(metadata={"description": "Its text, category and photos."})
    support = fields.Boolean()
    withdraw_support = fields.Boolean()
    comment = fields.Boolean(metadata={"description": "Post a comment or a reply now."})
    comment_officially = fields.Boolean()
    report = fields.Boolean(metadata={"description": "Report a comment of its thread."})
    moderate = fields.Boolean(metadata={"description": "Hide or restore its comments."})
    participate = fields.Boolean(
        metadata={
            "description": "Takes part in its thread and supports at all: a resident of its "
            "scope, or one who speaks for the council or the subdistrict."
        }
    )
    transitions = fields.List(
        fields.String(), metadata={"description": "The lifecycle steps the caller may take now."}
    )


assert set(IssuePermissionsSchema._declared_fields) == set(ISSUE_PERMISSIONS)


class CommunityIssuesPermissionsSchema(Schema):
    """What the caller may do with the community's issues."""

    view = fields.Boolean()
    propose_issue = fields.Boolean(
        metadata={"description": "Some issue: for the whole community or for own buildings."}
    )
    propose_community_wide = fields.Boolean()
    proposal_buildings = fields.List(
        fields.Integer(),
        allow_none=True,
        metadata={
            "description": "Where a proposal may reach when not community-wide: the ids of "
            "the buildings the caller's own roles are granted at; null for anywhere."
        },
    )
    moderate = fields.Boolean(
        metadata={"description": "The moderation queue and the community's issue settings."}
    )


assert set(CommunityIssuesPermissionsSchema._declared_fields) == set(
    CommunityPermissions.__dataclass_fields__
)


# Issues ---------------------------------------------------------------------------------------


class ScopeSchema(Schema):
    kind = fields.Enum(ScopeKind, by_value=True, required=True)
    ids = fields.List(
        fields.Integer(strict=True),
        load_default=list,
        validate=_length(MAX_SCOPE_TARGETS, many=True),
        metadata={"description": "Building, stairwell or unit ids; none for the community."},
    )


class IssueCreateSchema(Schema):
    title = _text(TITLE_MAX)
    body = _text(BODY_MAX, metadata={"description": "Markdown."})
    category = _text(CATEGORY_MAX)
    scope = fields.Nested(ScopeSchema, required=True)
    submit = fields.Boolean(
        load_default=False,
        metadata={"description": "Start collecting supports at once instead of a draft."},
    )


class IssueEditSchema(Schema):
    title = _text(TITLE_MAX, required=False)
    body = _text(BODY_MAX, required=False, metadata={"description": "Markdown."})
    category = _text(CATEGORY_MAX, required=False)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Change at least one of title, body, category.")


class PersonRefSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="display_name")


def _photo_url(photo_id: int) -> str:
    # Outside a request (the demo seeds, an event made at a commit on the command line)
    # there is no host to build a URL for: the API's own path serves.
    if has_request_context():
        return url_for("issues_api.get_photo", photo_id=photo_id)
    return f"/api/photos/{photo_id}"


class PhotoSchema(Schema):
    id = fields.Integer()
    url = fields.Function(lambda photo: _photo_url(photo.id), deserialize=str)
    width = fields.Integer()
    height = fields.Integer()
    content_type = fields.String()


class PhotoUploadSchema(Schema):
    # A browser's form may carry more (a CSRF token): only the photo matters here.
    class Meta:
        unknown = EXCLUDE

    photo = Upload(
        required=True,
        validate=require_file,
        metadata={
            "description": "A JPEG, PNG or WebP photo; it is re-encoded without its metadata."
        },
    )


class IssueSummarySchema(Schema):
    """An issue as a list shows it."""

    id = fields.Integer()
    community_id = fields.Integer()
    number = fields.Integer()
    title = fields.String()
    category = fields.String()
    state = fields.Enum(State, by_value=True)
    scope_kind = fields.Enum(ScopeKind, by_value=True)
    proposer = fields.Nested(PersonRefSchema)
    merged_into_id = fields.Integer(allow_none=True)
    support_count = fields.Integer()
    comment_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class IssueSchema(IssueSummarySchema):
    """One issue with its text and photos; dumped from an `IssueView`."""

    body = fields.String(metadata={"description": "Markdown as written."})
    body_html = fields.String(metadata={"description": "Rendered and sanitised."})
    scope_labels = fields.List(fields.String())
    photos = fields.List(fields.Nested(PhotoSchema))


class PermittedIssueSchema(IssueSchema):
    """One issue, and what the caller may do with it now."""

    permissions = fields.Nested(IssuePermissionsSchema)


class IssueQuerySchema(Schema):
    state = fields.Enum(State, by_value=True)
    category = fields.String(validate=_length(CATEGORY_MAX))
    building_id = fields.Integer()
    mine = fields.Boolean(load_default=False)
    q = fields.String(
        load_default="",
        validate=_length(SEARCH_MAX),
        metadata={"description": "Words to find in the title or text (substrings)."},
    )
    page = fields.Integer(load_default=1, validate=_range(min=1))
    per_page = fields.Integer(load_default=20, validate=_range(min=1, max=PER_PAGE_MAX))


class IssuePageSchema(Schema):
    items = fields.List(fields.Nested(IssueSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()
    permissions = fields.Nested(
        CommunityIssuesPermissionsSchema,
        metadata={"description": "What the caller may do with the community's issues."},
    )


class TransitionSchema(Schema):
    transition = fields.String(
        required=True,
        validate=_one_of(sorted(name.value for name in DELIBERATION_TRANSITIONS)),
    )
    reason = fields.String(load_default="", validate=_length(REASON_MAX))
    merge_into = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "For `merge`: an issue id."}
    )


# Comments -------------------------------------------------------------------------------------


class CommentCreateSchema(Schema):
    body = _text(COMMENT_MAX, metadata={"description": "Markdown."})
    parent_id = fields.Integer(load_default=None, allow_none=True)
    stance = fields.Enum(
        Stance,
        by_value=True,
        load_default=None,
        allow_none=True,
        metadata={"description": "Top-level comments only; neutral when left out."},
    )
    official = fields.Boolean(
        load_default=False,
        metadata={"description": "Post for the branch, the council or the subdistrict."},
    )


class CommentEditSchema(Schema):
    body = _text(COMMENT_MAX, metadata={"description": "Markdown."})
    stance = fields.Enum(Stance, by_value=True, load_default=None, allow_none=True)


class ReportSchema(Schema):
    reason = fields.String(load_default="", validate=_length(REASON_MAX))


class ModerationSchema(Schema):
    action = fields.String(required=True, validate=_one_of(["hide", "restore"]))
    reason = _text(REASON_MAX, metadata={"description": "Shown in the comment's place."})


class CommentPermissionsSchema(Schema):
    """What the caller may do with the comment now."""

    reply = fields.Boolean()
    edit = fields.Boolean()
    delete = fields.Boolean()
    report = fields.Boolean()
    moderate = fields.Boolean(metadata={"description": "Decide on it: hide or restore."})
    hide = fields.Boolean()
    restore = fields.Boolean(
        metadata={"description": "Also keeps a reported comment and settles its reports."}
    )
    history = fields.Boolean(metadata={"description": "Read its earlier texts."})


assert set(CommentPermissionsSchema._declared_fields) == set(
    CommentPermissions.__dataclass_fields__
)


class AuthorSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class CommentSchema(Schema):
    """A comment as viewers see it: a hidden or deleted one keeps its place, not its text."""

    id = fields.Integer()
    issue_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    depth = fields.Integer()
    author = fields.Nested(AuthorSchema)
    # Dumped from `threads.comment_view`, which gives these as their values already.
    stance = fields.String(allow_none=True, metadata={"enum": [s.value for s in Stance]})
    official_role = fields.String(allow_none=True)
    visibility = fields.String(metadata={"enum": [v.value for v in Visibility]})
    body_html = fields.String(allow_none=True)
    moderation_reason = fields.String(allow_none=True)
    report_count = fields.Integer()
    revision_count = fields.Integer()
    created_at = fields.String(metadata={"format": "date-time"})
    edited_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    reported_by_me = fields.Boolean()
    mine = fields.Boolean()
    permissions = fields.Nested(CommentPermissionsSchema)


class ReportViewSchema(Schema):
    reason = fields.String()
    at = fields.String(metadata={"format": "date-time"})


class ModerationItemSchema(CommentSchema):
    reports = fields.List(fields.Nested(ReportViewSchema))


class CommentRevisionSchema(Schema):
    id = fields.Integer()
    comment_id = fields.Integer()
    body = fields.String(metadata={"description": "The earlier text, Markdown as written."})
    written_at = fields.DateTime()


# The issue's page ----------------------------------------------------------------------------


class SaidSchema(Schema):
    """A sentence kept as data: its code and parameters, rendered in the reader's language."""

    code = fields.String(required=True)
    params = fields.Dict()


class TimelineEntrySchema(Schema):
    """A step of the issue's lifecycle, as its ledger entry records it."""

    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(allow_none=True, metadata={"description": "None: Hall itself."})
    hash = fields.String(metadata={"description": "The ledger entry's hash."})
    transition = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    reason = fields.String(
        allow_none=True,
        metadata={"description": "The reason in the words of who gave it; null: Hall gave it."},
    )
    said_reason = fields.Nested(
        SaidSchema,
        allow_none=True,
        metadata={"description": "A reason Hall itself gave (a vote's result), as data."},
    )
    merge_into = fields.Integer()


class TimelineEntryTextSchema(TimelineEntrySchema):
    reason_text = fields.Function(
        lambda entry: (
            _reader_text(entry["said_reason"]) if entry.get("said_reason") else entry["reason"]
        ),
        allow_none=True,
        metadata={"type": "string", "description": "The reason in the reader's language."},
    )


class IssueDetailSchema(PermittedIssueSchema):
    """Everything an issue's page shows; dumped from an `IssueView` of an overview."""

    seq = fields.Integer(
        metadata={"description": "Join the issue's room with this as `after` to miss nothing."}
    )
    support_threshold = fields.Integer()
    supported_by_me = fields.Boolean()
    may_participate = fields.Boolean()
    moderator = fields.Boolean()
    capacities = fields.List(fields.String())
    transitions = fields.List(fields.String())
    timeline = fields.List(fields.Nested(TimelineEntryTextSchema))
    stance_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    comments = fields.List(fields.Nested(CommentSchema))


# Notifications --------------------------------------------------------------------------------


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    before = fields.Integer(metadata={"description": "The last id seen: older ones come next."})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": [kind.value for kind in NotificationKind]})
    issue_id = fields.Integer()
    comment_id = fields.Integer(allow_none=True)
    summary = fields.Dict(
        metadata={
            "description": "What it tells, as data frozen when it was made: issue_number, "
            "issue_title, and by kind author and excerpt, or transition, state and reason "
            "(a person's words, or said data {code, params} that Hall gave)."
        }
    )
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationTextSchema(NotificationSchema):
    text = fields.Function(
        lambda note: _reader_text(sentences.notification(note.kind, note.summary)),
        metadata={"type": "string", "description": "What it tells, in the reader's language."},
    )
    reason_text = fields.Function(
        lambda note: _reason_text(note.summary.get("reason")),
        allow_none=True,
        metadata={"type": "string", "description": "The reason given, in the reader's language."},
    )


def _reason_text(reason) -> str | None:
    if is_said(reason):
        return _reader_text(reason)
    return reason or None


class MarkReadSchema(Schema):
    ids = fields.List(
        fields.Integer(strict=True),
        validate=_length(NOTIFICATION_IDS_MAX, many=True),
        metadata={"description": "Left out: mark every notification read."},
    )


class UnreadSchema(Schema):
    unread = fields.Integer()


# Settings -------------------------------------------------------------------------------------


class IssueSettingsSchema(Schema):
    """Fields left out of a PUT keep their value."""

    community_id = fields.Integer(dump_only=True)
    categories = fields.List(
        _text(CATEGORY_MAX),
        validate=[validate.Length(min=1, error=AT_LEAST_ONE), _length(CATEGORIES_MAX, many=True)],
    )
    threshold_kind = fields.Enum(
        ThresholdKind,
        by_value=True,
        metadata={"description": "count: so many supports; share: per cent of households."},
    )
    support_threshold = fields.Integer(strict=True, validate=_range(min=1, max=100_000))
    advance = fields.Enum(
        Advance,
        by_value=True,
        metadata={
            "description": "automatic: the threshold moves the issue on; council: "
            "the council accepts it once the threshold is reached."
        },
    )
    report_threshold = fields.Integer(strict=True, validate=_range(min=1, max=1000))


# Events (hall.issues.events): each the dump of the REST resource it mirrors ----------------------


class IssueEventSchema(Schema):
    """`issue.created`, `issue.updated`: the issue's row, as the community's list gives it."""

    issue = fields.Nested(IssueSummarySchema, required=True)


class IssueEditedEventSchema(Schema):
    """`issue.edited`: the issue with its text and photos, as `GET /api/issues/<id>` gives it."""

    issue = fields.Nested(IssueSchema, required=True)


class IssueStateEventSchema(TimelineEntrySchema):
    """`issue.state`: the step as the issue's timeline lists it."""

    issue_id = fields.Integer(required=True)


class SupportsEventSchema(Schema):
    issue_id = fields.Integer(required=True)
    support_count = fields.Integer(required=True)
    threshold = fields.Integer(required=True)


# The thread as every viewer sees it: what is the reader's own is not in an event.
_VIEWERS_COMMENT = CommentSchema(exclude=("mine", "reported_by_me", "permissions"))


class CommentEventSchema(Schema):
    """`comment.created`, `comment.updated`: the comment as `GET .../comments` lists it."""

    comment = fields.Nested(_VIEWERS_COMMENT, required=True)
    stance_counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class NotificationEventSchema(Schema):
    notification = fields.Nested(NotificationSchema, required=True)
    unread = fields.Integer(required=True)


class UnreadEventSchema(Schema):
    unread = fields.Integer(required=True)
