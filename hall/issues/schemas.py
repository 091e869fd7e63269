"""What the issue stage's API takes in and gives out.

Input limits repeat the services' own (imported, so the two cannot drift apart): a value over
a limit is refused here with a 422 naming its field, and the service checks again for every
other door. Where the two disagree, the service's message is the final word.
"""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from hall.issues.lifecycle import DELIBERATION_TRANSITIONS, State
from hall.issues.models import Advance, ScopeKind, Stance, ThresholdKind, Visibility
from hall.issues.scope import MAX_SCOPE_TARGETS
from hall.issues.service import BODY_MAX, TITLE_MAX
from hall.issues.threads import COMMENT_MAX, REASON_MAX
from hall.rest import require_file

CATEGORY_MAX = 32  # issues.category is a String(32)
CATEGORIES_MAX = 50
SEARCH_MAX = 200
PER_PAGE_MAX = 100
LEDGER_PAGE_MAX = 500
NOTIFICATION_IDS_MAX = 1000


def _text(max_length: int, *, required: bool = True, **options) -> fields.String:
    """Text with at least one character that is not a space, and at most `max_length`."""
    return fields.String(
        required=required,
        validate=[validate.Length(min=1, max=max_length), validate.Regexp(r"(?s).*\S.*")],
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


# Issues ---------------------------------------------------------------------------------------


class ScopeSchema(Schema):
    kind = fields.Enum(ScopeKind, by_value=True, required=True)
    ids = fields.List(
        fields.Integer(strict=True),
        load_default=list,
        validate=validate.Length(max=MAX_SCOPE_TARGETS),
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


class PhotoSchema(Schema):
    id = fields.Integer()
    url = fields.Function(lambda photo: url_for("issues_api.get_photo", photo_id=photo.id))
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


class IssueQuerySchema(Schema):
    state = fields.Enum(State, by_value=True)
    category = fields.String(validate=validate.Length(max=CATEGORY_MAX))
    building_id = fields.Integer()
    mine = fields.Boolean(load_default=False)
    q = fields.String(
        load_default="",
        validate=validate.Length(max=SEARCH_MAX),
        metadata={"description": "Words to find in the title or text (substrings)."},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=PER_PAGE_MAX))


class IssuePageSchema(Schema):
    items = fields.List(fields.Nested(IssueSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()


class TransitionSchema(Schema):
    transition = fields.String(
        required=True,
        validate=validate.OneOf(sorted(name.value for name in DELIBERATION_TRANSITIONS)),
    )
    reason = fields.String(load_default="", validate=validate.Length(max=REASON_MAX))
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
    reason = fields.String(load_default="", validate=validate.Length(max=REASON_MAX))


class ModerationSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["hide", "restore"]))
    reason = _text(REASON_MAX, metadata={"description": "Shown in the comment's place."})


class CommentSchema(Schema):
    """A comment as viewers see it: a hidden or deleted one keeps its place, not its text."""

    id = fields.Integer()
    issue_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    depth = fields.Integer()
    author = fields.Dict(metadata={"description": "{id, name}"})
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


class TimelineEntrySchema(Schema):
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(allow_none=True, metadata={"description": "None: Hall itself."})
    hash = fields.String()
    transition = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    reason = fields.String()
    merge_into = fields.Integer()


class IssueDetailSchema(IssueSchema):
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
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    stance_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    comments = fields.List(fields.Nested(CommentSchema))


# Notifications --------------------------------------------------------------------------------


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    before = fields.Integer(metadata={"description": "The last id seen: older ones come next."})


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    issue_id = fields.Integer()
    comment_id = fields.Integer(allow_none=True)
    summary = fields.Dict()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MarkReadSchema(Schema):
    ids = fields.List(
        fields.Integer(strict=True),
        validate=validate.Length(max=NOTIFICATION_IDS_MAX),
        metadata={"description": "Left out: mark every notification read."},
    )


class UnreadSchema(Schema):
    unread = fields.Integer()


# Settings -------------------------------------------------------------------------------------


class IssueSettingsSchema(Schema):
    """Fields left out of a PUT keep their value."""

    community_id = fields.Integer(dump_only=True)
    categories = fields.List(
        _text(CATEGORY_MAX), validate=validate.Length(min=1, max=CATEGORIES_MAX)
    )
    threshold_kind = fields.Enum(
        ThresholdKind,
        by_value=True,
        metadata={"description": "count: so many supports; share: per cent of households."},
    )
    support_threshold = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    advance = fields.Enum(
        Advance,
        by_value=True,
        metadata={
            "description": "automatic: the threshold moves the issue on; council: "
            "the council accepts it once the threshold is reached."
        },
    )
    report_threshold = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000))


# The ledger -----------------------------------------------------------------------------------


class LedgerQuerySchema(Schema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0),
        metadata={"description": "The last position seen: entries after it come next."},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=LEDGER_PAGE_MAX))


class LedgerEntrySchema(Schema):
    position = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    actor = fields.Integer(attribute="actor_account_id", allow_none=True)
    # Exactly as hashed (microseconds always written), so the hash can be recomputed.
    recorded_at = fields.Function(
        lambda entry: entry.recorded_at.isoformat(timespec="microseconds"),
        metadata={"type": "string", "format": "date-time"},
    )
    payload = fields.Dict()
    previous_hash = fields.String()
    hash = fields.String()


class LedgerPageSchema(Schema):
    chain = fields.String()
    length = fields.Integer(metadata={"description": "Entries in the chain altogether."})
    head_hash = fields.String()
    entries = fields.List(fields.Nested(LedgerEntrySchema))
    next_after = fields.Integer(
        allow_none=True, metadata={"description": "Pass as `after` for the next page."}
    )


class VerificationSchema(Schema):
    chain = fields.String()
    ok = fields.Boolean()
    length = fields.Integer()
    head_hash = fields.String()
    broken_at = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
