"""What the voting stage's API takes in and gives out.

Rules and cost-sharing plans arrive as plain JSON objects and are checked by the pure core
(`rules.rule_from_data`, `costshare.plan_from_data`), which names the offending field.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hall.issues.schemas import ScopeSchema, _text
from hall.voting.models import Channel, VoteKind, VoteState
from hall.voting.service import MAX_PLANS, IfFailed

TITLE_MAX = 200
LABEL_MAX = 200
TEXT_MAX = 2000
SHEET_MAX = 100
RECEIPT = validate.Regexp(r"^[0-9a-f]{64}$", error="A receipt is 64 hexadecimal digits.")


class PlanEntrySchema(Schema):
    label = _text(LABEL_MAX, required=False, load_default="")
    plan = fields.Dict(
        required=True,
        metadata={
            "description": "total, subsidy (fen), base (area|household), floor_coefficients, "
            "unit_coefficients, default_coefficient, compensation (floor -> fen per unit)"
        },
    )


class VoteCreateSchema(Schema):
    title = _text(TITLE_MAX)
    kind = fields.Enum(VoteKind, by_value=True, required=True)
    rule = fields.Dict(
        required=True,
        metadata={
            "description": '{"preset": "major_matter"|"ordinary_matter"|"simple_majority"} or '
            '{"preset": "custom", "participation": [...], "approval": [...], '
            '"abstention": ..., "silence": ...}'
        },
    )
    opens_at = fields.AwareDateTime(load_default=None)
    closes_at = fields.AwareDateTime(required=True)
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


class OptionSchema(Schema):
    key = fields.String()
    label = fields.String()
    plan = fields.Dict(allow_none=True)


class VoteSchema(Schema):
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


class VoteOverviewSchema(Schema):
    vote = fields.Nested(VoteSchema)
    rule_text = fields.List(fields.String())
    standing = fields.Dict()
    households = fields.List(fields.Nested(HouseholdSchema))
    manages = fields.Boolean()
    may_vote = fields.Boolean()
    pending_paper = fields.List(fields.Nested(BallotSchema))


class CloseSchema(Schema):
    if_failed = fields.String(required=True, validate=validate.OneOf(IfFailed.ALL))
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
    member = fields.Function(lambda proxy: proxy.member.label)
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
