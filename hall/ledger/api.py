"""The ledger's REST door: a community's chain a page at a time, and its verification, for
anyone who may see the community to re-verify offline (sha256 of canonical JSON)."""

from __future__ import annotations

from hall.community.identity import current_actor
from hall.community.service import get_community
from hall.ledger import chain as ledger
from hall.ledger import export
from hall.ledger.schemas import LedgerPageSchema, LedgerQuerySchema, VerificationSchema
from hall.rest import api_blueprint

ledger_bp = api_blueprint(
    "ledger", "A community's hash-chained ledger, to re-verify offline (sha256 of canonical JSON)"
)


@ledger_bp.get("/communities/<int:community_id>/ledger")
@ledger_bp.arguments(LedgerQuerySchema, location="query")
@ledger_bp.response(200, LedgerPageSchema)
def ledger_entries(query, community_id):
    """The community's ledger entries in position order, a page at a time.

    Each entry's `hash` is the sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of
    `{chain, position, kind, subject, actor, recorded_at, payload, previous}`, `previous` being
    the entry before's hash (64 zeros for the first)."""
    get_community(current_actor(), community_id)
    return export.entries_page(
        ledger.community_chain(community_id), after=query["after"], limit=query["limit"]
    )


@ledger_bp.get("/communities/<int:community_id>/ledger/verify")
@ledger_bp.response(200, VerificationSchema)
def verify_ledger(community_id):
    """Recompute every hash of the community's ledger and say whether the chain holds."""
    get_community(current_actor(), community_id)
    return ledger.verify(ledger.community_chain(community_id))


blueprints = [ledger_bp]
