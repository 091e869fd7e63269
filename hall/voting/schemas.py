"""What the voting stage's API takes in and gives out.

Rules and cost-sharing plans arrive as plain JSON objects and are checked by the pure core
(`rules.rule_from_data`, `costshare.plan_from_data`), which names the offending field.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from hall.issues.schemas import SaidSchema, ScopeSchema, _reader_text, _text
from hall.text import N_
from hall.voting.models import Channel, VoteKind, VoteState
from hall.voting.plan_input import PlanEntrySchema, plan_errors_dotted
from hall.voting.service import MAX_PLANS, IfFailed, VoteSpec

TITLE_MAX = 200
TEXT_MAX = 2000
SHEET_MAX = 100
RECEIPT = validate.Regexp(r"^[0-9a-f]{64}$", error="A receipt is 64 hexadecimal digits.")


NO_TITLE = N_("Give the vote a title.")
TITLE_TOO_LONG = N_("The title is too long.")
CHOOSE_ONE = N_("Choose one of the options offered.")
NO_CLOSING_TIME = N_("Give the day and time the vote closes.")


class VoteCreateSchema(Schema):
    """A vote being set up, by the API or from the set-up page (which sends its text as it
    was typed). Errors about plans are named as the core names them: "plans.0.plan.total"."""

    title = fields.String(
        required=True,
        validate=[
            validate.Length(max=TITLE_MAX, error=TITLE_TOO_LONG),
            validate.Regexp(r"(?s).*\S.*", error=NO_TITLE),
        ],
        error_messages={"required": NO_TITLE},
    )
    kind = fields.Enum(
        VoteKind,
        by_value=True,
        required=True,
        error_messages={"required": CHOOSE_ONE, "unknown": CHOOSE_ONE},
    )
    rule = fields.Dict(
        required=True,
        metadata={
            "description": '{"preset": "major_matter"|"ordinary_matter"|"simple_majority"} or '
            '{"preset": "custom", "participation": [...], "approval": [...], '
            '"abstention": ..., "silence": ...}'
        },
    )
    opens_at = fields.AwareDateTime(load_default=None)
    closes_at = fields.AwareDateTime(
        required=True,
        error_messages={
            "required": NO_CLOSING_TIME,
            "invalid": NO_CLOSING_TIME,
            "invalid_awareness": NO_CLOSING_TIME,
        },
    )
    secret = fields.Boolean(load_default=False)
    live_results = fields.Boolean(load_default=True)
    plans = fields.List(
        fields.Nested(PlanEntrySchema), load_default=list, validate=validate.Length(max=MAX_PLANS)
    )
    electorate = fields.Nested(
        ScopeSchema,
        load_default=None,
        metadata={"description": "Who votes; the issue's own scope when left out."},
    )
    unit_weights = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d+$")),
        values=fields.Decimal(places=6, as_string=True, validate=validate.Range(min=0)),
        load_default=None,
        metadata={"description": "Unit id -> custom weight, for rules that count one."},
    )

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(plan_errors_dotted(error.messages)) from error


def vote_spec(body: dict) -> VoteSpec:
    """The vote a loaded VoteCreateSchema body describes, as the service takes it."""
    scope = body["electorate"]
    weights = body["unit_weights"]
    return VoteSpec(
        title=body["title"],
        kind=body["kind"],
        rule=body["rule"],
        opens_at=body["opens_at"],
        closes_at=body["closes_at"],
        secret=body["secret"],
        live_results=body["live_results"],
        plans=tuple(body["plans"]),
        scope_kind=scope["kind"] if scope else None,
        scope_ids=tuple(scope["ids"]) if scope else (),
        unit_weights={int(k): v for k, v in weights.items()} if weights else None,
    )


class OptionSchema(Schema):
    key = fields.String()
    label = fields.String()
    plan = fields.Dict(allow_none=True)


class VoteSchema(Schema):
    """A vote as the REST API and the vote events give it; a result's reasons are said data."""

    id = fields.Integer()
    issue_id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    kind = fields.Enum(VoteKind, by_value=True)
    state = fields.Enum(VoteState, by_value=True)
    rule = fields.Dict()
    secret = fields.Boolean()
    live_results = fields.Boolean()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    eligible_headcount = fields.Integer()
    eligible_area = fields.Decimal(as_string=True)
    options = fields.List(fields.Nested(OptionSchema))
    passed = fields.Boolean(allow_none=True)
    winner = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)


class VoteReadSchema(VoteSchema):
    """A vote read by one reader: each of its result's reasons also in the reader's words."""

    result = fields.Method("_result", allow_none=True)

    def _result(self, vote) -> dict | None:
        result = vote.result
        if not result:
            return result
        return {**result, "reasons": [_with_text(reason) for reason in result.get("reasons", [])]}


def _with_text(reason: dict) -> dict:
    # A result kept before reasons were said data holds its English text already.
    if "said" not in reason:
        return reason
    return {**reason, "text": _reader_text(reason["said"])}


# Where a vote stands: the tally --------------------------------------------------------------


class WeightSchema(Schema):
    headcount = fields.Integer()
    area = fields.String(metadata={"description": "m², two places: \"89.50\"."})
    weight = fields.String(metadata={"description": "The custom weight, six places."})


class VerdictReasonSchema(Schema):
    """One threshold checked: the numbers for a meter, and the sentence as said data."""

    kind = fields.String(metadata={"description": "participation or approval"})
    measure = fields.String(metadata={"description": "headcount, area or weight"})
    choice = fields.String(
        allow_none=True, metadata={"description": "The option measured, by its key (approval)."}
    )
    ratio = fields.String(metadata={"description": "Found, a percentage without the sign."})
    threshold = fields.String(metadata={"description": "The bar, a percentage without the sign."})
    comparison = fields.String(metadata={"description": "at_least or more_than"})
    met = fields.Boolean()
    said = fields.Nested(
        SaidSchema,
        metadata={
            "description": "The reason as a sentence kept as data: its measure as a phrase, the "
            "values as percentages and exact fractions, the option by its label."
        },
    )


class VerdictReasonTextSchema(VerdictReasonSchema):
    text = fields.Function(
        lambda reason: _reader_text(reason["said"]),
        metadata={"type": "string", "description": "The reason in the reader's language."},
    )


class TallySchema(Schema):
    """Where a vote stands, as `GET /api/votes/<id>/tally` and the `vote.tally` event give
    it. `options` and `approval` only where results are live or the vote has closed."""

    vote_id = fields.Integer()
    state = fields.String(metadata={"description": "scheduled, open or closed"})
    eligible = fields.Nested(WeightSchema)
    participants = fields.Nested(WeightSchema)
    participation = fields.List(fields.Nested(VerdictReasonSchema))
    options = fields.Dict(keys=fields.String(), values=fields.Nested(WeightSchema))
    approval = fields.List(fields.Nested(VerdictReasonSchema))


class TallyTextSchema(TallySchema):
    """The tally read by one reader: each reason also in the reader's words."""

    participation = fields.List(fields.Nested(VerdictReasonTextSchema))
    approval = fields.List(fields.Nested(VerdictReasonTextSchema))


# What the caller may do ----------------------------------------------------------------------


class VotePermissionsSchema(Schema):
    """What the caller may do with the vote now (hall.voting.access); the operations refuse
    what is false."""

    view = fields.Boolean()
    cast = fields.Boolean(metadata={"description": "A first ballot, for a household of theirs."})
    change_ballot = fields.Boolean(metadata={"description": "Replace a ballot that counts."})
    grant_proxy = fields.Boolean(metadata={"description": "For their own household."})
    revoke_proxy = fields.Boolean(metadata={"description": "The proxy their household gave."})
    record_proxy = fields.Boolean(metadata={"description": "The council: an owner's letter."})
    set_up = fields.Boolean(metadata={"description": "Another vote on the issue."})
    open = fields.Boolean()
    close = fields.Boolean()
    cancel = fields.Boolean()
    record_paper = fields.Boolean()
    confirm_paper = fields.Boolean(
        metadata={"description": "A sheet another council member recorded."}
    )
    reject_paper = fields.Boolean()
    view_tally = fields.Boolean()
    view_results = fields.Boolean(metadata={"description": "Each option's count."})
    view_ledger = fields.Boolean()


# Events of a vote's room and its issue's -----------------------------------------------------


class VoteEventSchema(Schema):
    vote = fields.Nested(VoteSchema)


class VoteOpenedEventSchema(VoteEventSchema):
    hash = fields.String(metadata={"description": "The ledger entry of the opening."})


class VoteClosedEventSchema(VoteEventSchema):
    result = fields.Dict(metadata={"description": "The result as kept in the ledger."})


class BallotSchema(Schema):
    id = fields.Integer()
    choice = fields.String(allow_none=True, metadata={"description": "Hidden if secret."})
    channel = fields.Enum(Channel, by_value=True)
    counted = fields.Boolean()
    cast_at = fields.DateTime()
    receipt = fields.String()
    changes = fields.Integer()
    paper_sheet = fields.String(allow_none=True)


class HouseholdSchema(Schema):
    label = fields.String()
    unit_ids = fields.List(fields.Integer())
    ballot = fields.Nested(BallotSchema, allow_none=True)
    proxy_id = fields.Function(lambda household: household.proxy.id if household.proxy else None)
    shares = fields.Dict(keys=fields.String(), values=fields.Integer())
    may_cast = fields.Boolean(metadata={"description": "Cast or change its ballot now."})


class VoteOverviewSchema(Schema):
    vote = fields.Nested(VoteReadSchema)
    rule_text = fields.List(fields.String())
    standing = fields.Nested(TallyTextSchema, metadata={"description": "Empty until it opens."})
    households = fields.List(fields.Nested(HouseholdSchema))
    manages = fields.Boolean()
    may_vote = fields.Boolean()
    pending_paper = fields.List(fields.Nested(BallotSchema))
    permissions = fields.Nested(VotePermissionsSchema)


class CloseSchema(Schema):
    if_failed = fields.String(
        required=True, validate=validate.OneOf([str(choice) for choice in IfFailed])
    )
    reason = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))


class CastSchema(Schema):
    choice = fields.String(required=True, validate=validate.Length(min=1, max=40))
    unit = fields.Integer(
        strict=True,
        load_default=None,
        metadata={"description": "A unit of the household cast for; your own when left out."},
    )
    replaces = fields.String(
        load_default=None,
        validate=RECEIPT,
        metadata={"description": "To change a ballot: the receipt of the one it replaces."},
    )


class ReceiptSchema(Schema):
    receipt = fields.String()
    choice = fields.String()
    channel = fields.Enum(Channel, by_value=True)
    household = fields.String()
    cast_at = fields.DateTime()
    nonce = fields.String(
        allow_none=True,
        metadata={"description": "Secret ballots: opens the commitment in the ledger entry."},
    )


class ProxyCreateSchema(Schema):
    proxy_account_id = fields.Integer(strict=True, required=True)
    authorisation = _text(TEXT_MAX)
    expires_at = fields.AwareDateTime(load_default=None)
    unit = fields.Integer(strict=True, load_default=None)


class ProxySchema(Schema):
    id = fields.Integer()
    member = fields.Function(
        lambda proxy: proxy.household.label,
        metadata={"description": "The household that gave it, by its rooms."},
    )
    proxy_person_id = fields.Integer()
    authorisation = fields.String()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    entry_hash = fields.String()


class PaperBallotSchema(Schema):
    unit = fields.Integer(strict=True, required=True)
    choice = fields.String(required=True, validate=validate.Length(min=1, max=40))
    sheet = _text(SHEET_MAX)


class ReasonSchema(Schema):
    reason = _text(TEXT_MAX)


class SharesSchema(Schema):
    plans = fields.List(fields.Nested(OptionSchema))
    rows = fields.List(fields.Dict())


class RecountSchema(Schema):
    chain_ok = fields.Boolean(metadata={"description": "Every hash of the vote's chain holds."})
    participants = fields.Dict()
    by_choice = fields.Dict(allow_none=True, metadata={"description": "None for secret votes."})
    matches_result = fields.Boolean(
        allow_none=True, metadata={"description": "None while the vote is open."}
    )
