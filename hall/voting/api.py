"""The voting stage's REST API: parse with a schema, call a service, dump with a schema."""

from __future__ import annotations

from hall.community.identity import current_actor
from hall.ledger import chain as ledger
from hall.ledger import export
from hall.ledger.schemas import LedgerPageSchema, LedgerQuerySchema, VerificationSchema
from hall.rest import api_blueprint
from hall.voting import audit, casting, overview, paper, proxies, receipts, schemas, service

votes_bp = api_blueprint(
    "votes",
    "Votes on issues: rules (Civil Code Art. 278 presets or custom), electorates, "
    "cost-sharing plans, opening and closing",
)
ballots_bp = api_blueprint(
    "ballots", "Ballots with ledger receipts, proxies, and paper ballots confirmed by two"
)


# Votes ----------------------------------------------------------------------------------------


@votes_bp.post("/issues/<int:issue_id>/votes")
@votes_bp.arguments(schemas.VoteCreateSchema)
@votes_bp.response(201, schemas.VoteReadSchema)
def create_vote(body, issue_id):
    """Set a vote up on an issue (the council); an issue in deliberation moves to judgment.

    `kind: approval` is for / against / abstain, approving at most one plan; `kind: plans` is a
    choice among 2 to 6 cost-sharing plans. The electorate is fixed when the vote opens."""
    return service.create_vote(current_actor(), issue_id, schemas.vote_spec(body))


@votes_bp.get("/issues/<int:issue_id>/votes")
@votes_bp.response(200, schemas.VoteReadSchema(many=True))
def list_votes(issue_id):
    """The issue's votes, oldest first."""
    return service.votes_of_issue(current_actor(), issue_id)


@votes_bp.get("/votes/<int:vote_id>")
@votes_bp.response(200, schemas.VoteOverviewSchema)
def get_vote(vote_id):
    """A vote as the caller sees it: the rule in words, where it stands, their household's
    ballot and share under each plan, and (for the council) paper ballots to confirm."""
    return overview.vote_overview(current_actor(), vote_id)


@votes_bp.delete("/votes/<int:vote_id>")
@votes_bp.response(204)
def cancel_vote(vote_id):
    """Cancel a vote set up but not yet opened (the council): nothing of it is recorded yet,
    and the issue, which stays in judgment, may have another vote."""
    service.cancel_vote(current_actor(), vote_id)


@votes_bp.post("/votes/<int:vote_id>/open")
@votes_bp.response(200, schemas.VoteReadSchema)
def open_vote(vote_id):
    """Fix the electorate from the roster as it is now and start taking ballots."""
    return service.open_vote(current_actor(), vote_id)


@votes_bp.post("/votes/<int:vote_id>/close")
@votes_bp.arguments(schemas.CloseSchema)
@votes_bp.response(200, schemas.VoteReadSchema)
def close_vote(body, vote_id):
    """Close the vote, decide by its rule and move the issue on: to publicity when it passed,
    otherwise as `if_failed` says. Closing before the closing time needs a `reason`."""
    return service.close_vote(
        current_actor(), vote_id, if_failed=body["if_failed"], reason=body["reason"]
    )


@votes_bp.get("/votes/<int:vote_id>/tally")
@votes_bp.response(200, schemas.TallyTextSchema)
def tally(vote_id):
    """Where the vote stands: participation against each threshold and, where results are
    live or the vote has closed, each option's headcount and area; each reason as said data
    and in the reader's language. The `vote.tally` event carries the same, without `text`."""
    vote = service.get_vote(current_actor(), vote_id)
    return service.standing(vote)


@votes_bp.get("/votes/<int:vote_id>/shares")
@votes_bp.response(200, schemas.SharesSchema)
def shares(vote_id):
    """Every household's amount under every plan, side by side, in fen."""
    return overview.shares_table(current_actor(), vote_id)


@votes_bp.get("/votes/<int:vote_id>/ledger")
@votes_bp.arguments(LedgerQuerySchema, location="query")
@votes_bp.response(200, LedgerPageSchema)
def vote_ledger(query, vote_id):
    """The vote's own chain: its opening (rule, options, electorate), every ballot, proxy and
    paper sheet, and its result. A ballot's receipt is its entry's hash."""
    service.get_vote(current_actor(), vote_id)
    return export.entries_page(
        service.vote_chain(vote_id), after=query["after"], limit=query["limit"]
    )


@votes_bp.get("/votes/<int:vote_id>/ledger/verify")
@votes_bp.response(200, VerificationSchema)
def verify_vote_ledger(vote_id):
    """Recompute every hash of the vote's chain and say whether it holds."""
    service.get_vote(current_actor(), vote_id)
    return ledger.verify(service.vote_chain(vote_id))


@votes_bp.get("/votes/<int:vote_id>/recount")
@votes_bp.response(200, schemas.RecountSchema)
def recount(vote_id):
    """Recount the vote from its ledger chain alone and compare with the recorded result:
    what anyone can do offline with the chain's export. Secret votes: participation only."""
    service.get_vote(current_actor(), vote_id)
    chain = ledger.verify(service.vote_chain(vote_id))
    found = audit.recount(ledger.entries_of(service.vote_chain(vote_id)))
    return {
        "chain_ok": chain.ok,
        "participants": found.participants,
        "by_choice": found.by_choice,
        "matches_result": found.matches,
    }


# Ballots --------------------------------------------------------------------------------------


@ballots_bp.post("/votes/<int:vote_id>/ballots")
@ballots_bp.arguments(schemas.CastSchema)
@ballots_bp.response(201, schemas.ReceiptSchema)
def cast_ballot(body, vote_id):
    """Cast your household's ballot, or, with `unit`, that of a household whose owner made you
    their proxy. To change a ballot send `replaces`: the receipt of the one it replaces."""
    return casting.cast(
        current_actor(), vote_id, body["choice"], unit_id=body["unit"], replaces=body["replaces"]
    )


@ballots_bp.get("/votes/<int:vote_id>/ballots/<receipt>")
@ballots_bp.response(200, schemas.BallotSchema)
def check_receipt(vote_id, receipt):
    """Does the ballot with this receipt count? 404 once replaced by a later one."""
    return receipts.by_receipt(current_actor(), vote_id, receipt)


@ballots_bp.post("/votes/<int:vote_id>/proxies")
@ballots_bp.arguments(schemas.ProxyCreateSchema)
@ballots_bp.response(201, schemas.ProxySchema)
def grant_proxy(body, vote_id):
    """Authorise another resident to cast your household's ballot in this vote (one level:
    they cannot pass it on). The council records a signed letter with `unit`."""
    return proxies.grant_proxy(
        current_actor(),
        vote_id,
        proxy_account_id=body["proxy_account_id"],
        authorisation=body["authorisation"],
        expires_at=body["expires_at"],
        unit_id=body["unit"],
    )


@ballots_bp.delete("/votes/<int:vote_id>/proxies/<int:proxy_id>")
@ballots_bp.response(200, schemas.ProxySchema)
def revoke_proxy(vote_id, proxy_id):
    """Take a proxy back (its owner, or the council)."""
    return proxies.revoke_proxy(current_actor(), vote_id, proxy_id)


@ballots_bp.post("/votes/<int:vote_id>/paper-ballots")
@ballots_bp.arguments(schemas.PaperBallotSchema)
@ballots_bp.response(201, schemas.BallotSchema)
def record_paper(body, vote_id):
    """Record a paper ballot (the council); it counts once a second member confirms it. A
    household that voted online cannot also hand in paper, nor the other way round."""
    return paper.record_paper(
        current_actor(), vote_id, unit_id=body["unit"], choice=body["choice"], sheet=body["sheet"]
    )


@ballots_bp.post("/votes/<int:vote_id>/paper-ballots/<int:ballot_id>/confirm")
@ballots_bp.response(200, schemas.BallotSchema)
def confirm_paper(vote_id, ballot_id):
    """A second council member confirms a paper ballot against its sheet."""
    return paper.confirm_paper(current_actor(), vote_id, ballot_id)


@ballots_bp.post("/votes/<int:vote_id>/paper-ballots/<int:ballot_id>/reject")
@ballots_bp.arguments(schemas.ReasonSchema)
@ballots_bp.response(204)
def reject_paper(body, vote_id, ballot_id):
    """A second council member strikes a wrongly recorded sheet; the household may vote again."""
    paper.reject_paper(current_actor(), vote_id, ballot_id, body["reason"])


blueprints = [votes_bp, ballots_bp]
