"""What the ledger's doors give out: pages of a chain's entries exactly as hashed, and a
chain's verification. The community's chain (hall.ledger.api) and a vote's chain (the voting
stage's ledger endpoints) are read through the same schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

LEDGER_PAGE_MAX = 500


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
