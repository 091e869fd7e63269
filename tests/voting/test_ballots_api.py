"""Ballots through the API, on SQLite and PostgreSQL: the receipt is the hash of the ballot's
ledger entry, a change names the receipt it replaces, a secret ballot leaves a commitment in
the ledger, and every refused ballot names its field and writes nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

from hall.extensions import db as hall_db
from hall.types import utcnow
from hall.voting.models import Vote
from tests.voting.factories import (
    bearer,
    cast,
    check_chain,
    in_days,
    issue_in_deliberation,
    owner,
    refused,
    running_vote,
    set_up_vote,
    snapshot,
    voted,
)

ENGLISH = {"Accept-Language": "en"}


def member_number(stairwell, room: str) -> int:
    """Members are numbered in unit order; the stairwell's units were made 101, 102, 201..."""
    return stairwell.rooms.index(room) + 1


def test_the_receipt_is_the_ballots_ledger_entry_and_a_change_names_it(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id, rule={"preset": "simple_majority"})
    voter = owner(app, stairwell, "501")
    first = voted(voter, vote_id, "for")
    assert (first["choice"], first["channel"], first["household"]) == (
        "for",
        "online",
        "9栋 1单元 501",
    )
    assert first["nonce"] is None
    entries = check_chain(voter, vote_id)  # every hash recomputed from the export
    assert [e["kind"] for e in entries] == ["vote.opened", "ballot.cast"]
    assert entries[1]["hash"] == first["receipt"]
    assert entries[1]["actor"] == stairwell.accounts["501"]
    assert entries[1]["payload"] == {
        "vote_id": vote_id,
        "member": member_number(stairwell, "501"),
        "channel": "online",
        "replaces": None,
        "choice": "for",
    }
    counted = voter.get(f"/api/votes/{vote_id}/ballots/{first['receipt']}")
    assert counted.status == 200, counted.json
    assert (counted.json["choice"], counted.json["counted"], counted.json["changes"]) == (
        "for",
        True,
        0,
    )

    # From another device, knowing only that the household voted: refused, nothing written.
    before = snapshot(app)
    twice = cast(voter, vote_id, "against")
    refused(twice, 409, "replaces")
    assert twice.json["error"] == "already_voted"
    assert snapshot(app) == before

    changed = voted(voter, vote_id, "against", replaces=first["receipt"])
    assert changed["receipt"] != first["receipt"]
    entries = check_chain(voter, vote_id)
    assert entries[-1]["hash"] == changed["receipt"]
    assert entries[-1]["payload"]["replaces"] == first["receipt"]
    assert entries[-1]["payload"]["choice"] == "against"
    refused(voter.get(f"/api/votes/{vote_id}/ballots/{first['receipt']}"), 404)
    now = voter.get(f"/api/votes/{vote_id}/ballots/{changed['receipt']}").json
    assert (now["choice"], now["changes"], now["receipt"]) == ("against", 1, changed["receipt"])
    standing = chair.get(f"/api/votes/{vote_id}/tally").json
    assert standing["participants"]["headcount"] == 1
    against = standing["options"]["against"]
    assert (standing["options"]["for"]["headcount"], against["headcount"], against["area"]) == (
        0,
        1,
        "89.50",
    )

    # The device that still holds the first receipt is told the ballot moved on.
    before = snapshot(app)
    stale = cast(voter, vote_id, "abstain", replaces=first["receipt"])
    refused(stale, 409, "replaces")
    assert stale.json["error"] == "receipt_not_latest"
    in_english = cast(voter, vote_id, "abstain", replaces=first["receipt"], headers=ENGLISH)
    assert "changed meanwhile" in in_english.json["fields"]["replaces"][0]
    assert snapshot(app) == before
    page = voter.get(f"/api/votes/{vote_id}").json
    assert page["households"][0]["ballot"]["receipt"] == changed["receipt"]
    verified = voter.get(f"/api/votes/{vote_id}/ledger/verify").json
    assert (verified["ok"], verified["length"], verified["head_hash"]) == (
        True,
        3,
        changed["receipt"],
    )


def test_a_secret_ballot_leaves_a_commitment_its_nonce_opens(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id, secret=True)
    voter = owner(app, stairwell, "702")
    receipt = voted(voter, vote_id, "against")
    nonce = receipt["nonce"]
    assert len(nonce) == 32 and int(nonce, 16) >= 0
    member = member_number(stairwell, "702")

    def opened_by(choice: str, nonce: str) -> str:
        return hashlib.sha256(f"{vote_id}:{member}:{choice}:{nonce}".encode()).hexdigest()

    entry = check_chain(voter, vote_id)[-1]
    assert entry["hash"] == receipt["receipt"]
    assert "choice" not in entry["payload"]
    assert entry["payload"]["commitment"] == opened_by("against", nonce)
    assert entry["payload"]["commitment"] not in {opened_by(c, nonce) for c in ("for", "abstain")}

    changed = voted(voter, vote_id, "for", replaces=receipt["receipt"])
    assert changed["nonce"] != nonce
    entry = check_chain(voter, vote_id)[-1]
    assert entry["payload"]["commitment"] == opened_by("for", changed["nonce"])
    assert entry["payload"]["replaces"] == receipt["receipt"]
    assert "choice" not in entry["payload"]


def test_ballots_refused_name_the_field_and_write_nothing(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    voter = owner(app, stairwell, "301")
    # Set up to take ballots from tomorrow on.
    vote_id = set_up_vote(chair, issue_id, opens_at=in_days(1), closes_at=in_days(8))["id"]
    before = snapshot(app)
    not_open = cast(voter, vote_id, "for")
    refused(not_open, 409)
    assert not_open.json["error"] == "vote_not_open"
    assert snapshot(app) == before
    assert chair.post(f"/api/votes/{vote_id}/open").status == 200
    before = snapshot(app)
    early = cast(voter, vote_id, "for")
    refused(early, 409)  # open, its electorate fixed, but its time has not come
    assert early.json["error"] == "vote_not_yet_open"
    in_english = cast(voter, vote_id, "for", headers=ENGLISH)
    assert in_english.json["message"].startswith("The vote opens at")
    assert snapshot(app) == before
    with app.app_context():
        hall_db.session.get(Vote, vote_id).opens_at = utcnow() - timedelta(minutes=1)
        hall_db.session.commit()
        hall_db.session.remove()

    receipt = voted(voter, vote_id, "for")["receipt"]
    before = snapshot(app)
    cases = [
        (voter, {"choice": "yes"}, 422, "choice"),
        (voter, {"choice": "plan_1"}, 422, "choice"),
        (voter, {}, 422, "choice"),
        (voter, {"choice": ""}, 422, "choice"),
        (voter, {"choice": "for", "replaces": "not-a-receipt"}, 422, "replaces"),
        (voter, {"choice": "for", "unit": str(stairwell.units["301"])}, 422, "unit"),
        (voter, {"choice": "for", "unit": world.unit_b2}, 422, "unit"),  # not in this vote
        (voter, {"choice": "against"}, 409, "replaces"),  # voting twice
        (voter, {"choice": "against", "replaces": "0" * 64}, 409, "replaces"),
        # Another household's flat, with no proxy from its owner.
        (voter, {"choice": "for", "unit": stairwell.units["302"]}, 403, None),
        (owner(app, stairwell, "302"), {"choice": "for", "replaces": receipt}, 409, "replaces"),
        # Outside the electorate: a tenant, an owner in another building, the council.
        (api.as_user("tenant"), {"choice": "for"}, 403, None),
        (api.as_user("resident"), {"choice": "for"}, 403, None),
        (api.as_user("second_owner"), {"choice": "for"}, 403, None),
        (chair, {"choice": "for"}, 403, None),
        (api.as_user("neighbour_resident"), {"choice": "for"}, 404, None),
        (api.as_user("outsider"), {"choice": "for"}, 404, None),
    ]
    for client, body, status, field in cases:
        reply = client.post(f"/api/votes/{vote_id}/ballots", body)
        refused(reply, status, field)
    assert api.post(f"/api/votes/{vote_id}/ballots", {"choice": "for"}).status == 401
    refused(cast(voter, 999999, "for"), 404)
    assert snapshot(app) == before

    closed = chair.post(f"/api/votes/{vote_id}/close", {"if_failed": "closed", "reason": "结束"})
    assert closed.status == 200, closed.json
    before = snapshot(app)
    refused(cast(owner(app, stairwell, "302"), vote_id, "for"), 409)
    refused(cast(voter, vote_id, "against", replaces=receipt), 409)
    assert snapshot(app) == before
    final = voter.get(f"/api/votes/{vote_id}/ballots/{receipt}").json
    assert (final["choice"], final["counted"]) == ("for", True)
    participants = closed.json["result"]["participants"]
    assert (participants["headcount"], Decimal(participants["area"])) == (1, Decimal("89.50"))


def test_the_household_page_shows_the_ballot_and_the_receipt_check_needs_the_vote(
    app, api, world, stairwell
):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id)
    voter = owner(app, stairwell, "101")
    page = voter.get(f"/api/votes/{vote_id}").json
    assert page["may_vote"] is True
    assert page["households"] == [
        {"label": "9栋 1单元 101", "unit_ids": [stairwell.units["101"]], "ballot": None,
         "proxy_id": None, "shares": {}, "may_cast": True},
    ]  # fmt: skip
    # What each may do, as the page renders it and the operations enforce it.
    allowed = {name for name, value in page["permissions"].items() if value}
    assert allowed == {"view", "cast", "grant_proxy", "view_tally", "view_results",
                       "view_ledger"}  # fmt: skip
    council = chair.get(f"/api/votes/{vote_id}").json["permissions"]
    assert {name for name, value in council.items() if value} == {
        "view", "close", "record_paper", "confirm_paper", "reject_paper", "record_proxy",
        "view_tally", "view_results", "view_ledger",
    }  # fmt: skip
    receipt = voted(voter, vote_id, "abstain")["receipt"]
    after = voter.get(f"/api/votes/{vote_id}").json
    assert (after["permissions"]["cast"], after["permissions"]["change_ballot"]) == (False, True)
    assert after["permissions"]["grant_proxy"] is False  # voted: nothing left to hand over
    ballot = voter.get(f"/api/votes/{vote_id}").json["households"][0]["ballot"]
    assert (ballot["choice"], ballot["receipt"], ballot["channel"]) == (
        "abstain",
        receipt,
        "online",
    )
    refused(voter.get(f"/api/votes/{vote_id}/ballots/{'f' * 64}"), 404)
    outsider = bearer(api.as_user("neighbour_resident").token, app.test_client())
    refused(outsider.get(f"/api/votes/{vote_id}/ballots/{receipt}"), 404)
    refused(outsider.get(f"/api/votes/{vote_id}/ledger"), 404)
