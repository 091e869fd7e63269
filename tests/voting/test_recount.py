"""A vote recounted from its ledger chain alone agrees with its recorded result, and a chain
whose ballots were tampered with does not."""

from __future__ import annotations

from types import SimpleNamespace

from hall.voting.audit import recount
from tests.voting.factories import elevator_plans, in_days, issue_in_deliberation, owner


def entry(kind, payload, hash_=""):
    return SimpleNamespace(kind=kind, payload=payload, hash=hash_)


def opened(secret=False):
    electorate = [{"number": 1, "area": "89.50"}, {"number": 2, "area": "112.30"},
                  {"number": 3, "area": "89.50"}]  # fmt: skip
    return entry("vote.opened", {"secret": secret, "electorate": electorate})


def test_the_last_ballot_counts_and_paper_counts_once_confirmed():
    found = recount(
        [
            opened(),
            entry("ballot.cast", {"member": 1, "choice": "for"}),
            entry("ballot.cast", {"member": 1, "choice": "against"}),  # changed
            entry("ballot.paper_recorded", {"member": 2, "choice": "for"}, "sheet-a"),
            entry("ballot.paper_confirmed", {"ballot": "sheet-a"}),
            entry("ballot.paper_recorded", {"member": 3, "choice": "for"}, "sheet-b"),
            entry("ballot.paper_rejected", {"ballot": "sheet-b"}),
        ]
    )
    assert found.participants == {"headcount": 2, "area": "201.80"}
    assert found.by_choice == {
        "against": {"headcount": 1, "area": "89.50"},
        "for": {"headcount": 1, "area": "112.30"},
    }
    assert found.matches is None  # still open


def test_a_result_that_the_ballots_do_not_give_does_not_match():
    ballots = [opened(), entry("ballot.cast", {"member": 1, "choice": "for"})]
    honest = {"for": {"headcount": 1, "area": "89.50"}, "against": {"headcount": 0, "area": "0"}}
    inflated = {**honest, "for": {"headcount": 2, "area": "201.80"}}
    assert recount([*ballots, entry("vote.closed", {"by_choice": honest})]).matches is True
    assert recount([*ballots, entry("vote.closed", {"by_choice": inflated})]).matches is False


def test_a_secret_vote_recounts_participation_only():
    found = recount([opened(secret=True), entry("ballot.cast", {"member": 3, "commitment": "c"})])
    assert found.by_choice is None
    assert found.participants == {"headcount": 1, "area": "89.50"}


def test_a_closed_vote_recounts_from_its_chain_through_the_api(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = chair.post(
        f"/api/issues/{issue_id}/votes",
        {"title": "电梯分摊", "kind": "plans", "rule": {"preset": "ordinary_matter"},
         "closes_at": in_days(3), "plans": elevator_plans()},
    ).json["id"]  # fmt: skip
    assert chair.post(f"/api/votes/{vote_id}/open").status == 200
    for index, room in enumerate(stairwell.rooms[:13]):
        choice = "plan_2" if index % 3 else "plan_1"
        assert (
            owner(app, stairwell, room)
            .post(f"/api/votes/{vote_id}/ballots", {"choice": choice})
            .status
            == 201
        )
    before = chair.get(f"/api/votes/{vote_id}/recount").json
    assert before["chain_ok"] and before["matches_result"] is None
    assert before["participants"]["headcount"] == 13
    closed = chair.post(
        f"/api/votes/{vote_id}/close", {"if_failed": "closed", "reason": "会议决定"}
    )
    assert closed.status == 200, closed.json
    after = chair.get(f"/api/votes/{vote_id}/recount").json
    assert after["chain_ok"] and after["matches_result"] is True
    assert after["by_choice"]["plan_2"]["headcount"] == 8
