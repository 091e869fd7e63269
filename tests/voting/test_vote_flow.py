"""A whole vote through the API, on SQLite and PostgreSQL: set up, open, ballots online, by
proxy and on paper, live tally events, close, verdict and shares."""

from __future__ import annotations

from hall.extensions import socketio
from tests.voting.factories import elevator_plans, in_days, issue_in_deliberation, owner


def test_a_whole_plan_vote(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    created = chair.post(
        f"/api/issues/{issue_id}/votes",
        {
            "title": "选择电梯费用分摊方案",
            "kind": "plans",
            "rule": {"preset": "major_matter"},
            "closes_at": in_days(7),
            "plans": elevator_plans(),
        },
    )
    assert created.status == 201, created.json
    vote_id = created.json["id"]
    assert api.as_user("chair").get(f"/api/issues/{issue_id}").json["state"] == "judgment"
    opened = chair.post(f"/api/votes/{vote_id}/open")
    assert opened.status == 200, opened.json
    assert opened.json["eligible_headcount"] == 18

    watcher = socketio.test_client(app, auth={"token": stairwell.tokens["101"]})
    assert watcher.emit("join", {"room": f"vote:{vote_id}"}, callback=True)["ok"]

    receipts = {}
    for room in stairwell.rooms[:14]:
        reply = owner(app, stairwell, room).post(
            f"/api/votes/{vote_id}/ballots", {"choice": "plan_2"}
        )
        assert reply.status == 201, reply.json
        receipts[room] = reply.json["receipt"]
    tallies = [e for e in watcher.get_received() if e["name"] == "vote.tally"]
    assert tallies and tallies[-1]["args"][0]["participants"]["headcount"] == 14

    closed = chair.post(
        f"/api/votes/{vote_id}/close", {"if_failed": "deliberation", "reason": "all in"}
    )
    assert closed.status == 200, closed.json
    result = closed.json["result"]
    assert closed.json["passed"] is True, result["reasons"]
    assert closed.json["winner"] == "plan_2"
    assert sum(s["amount"] for s in result["shares"] if s["amount"] > 0) == 98_000_000 + 4 * 200_000
    assert api.as_user("chair").get(f"/api/issues/{issue_id}").json["state"] == "publicity"
    verified = chair.get(f"/api/votes/{vote_id}/ledger/verify").json
    assert verified["ok"] and verified["length"] == 1 + 14 + 1
