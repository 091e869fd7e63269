"""A secret ballot's receipt proves it counts without showing anyone else how it was cast."""

from __future__ import annotations

from tests.voting.factories import in_days, issue_in_deliberation, owner


def test_a_secret_receipt_shows_the_choice_to_its_voter_alone(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = chair.post(
        f"/api/issues/{issue_id}/votes",
        {"title": "更换电梯", "kind": "approval", "rule": {"preset": "major_matter"},
         "closes_at": in_days(3), "secret": True},
    ).json["id"]  # fmt: skip
    assert chair.post(f"/api/votes/{vote_id}/open").status == 200
    voter = owner(app, stairwell, "501")
    receipt = voter.post(f"/api/votes/{vote_id}/ballots", {"choice": "against"}).json["receipt"]

    assert voter.get(f"/api/votes/{vote_id}/ballots/{receipt}").json["choice"] == "against"
    seen_by_neighbour = owner(app, stairwell, "502").get(f"/api/votes/{vote_id}/ballots/{receipt}")
    assert seen_by_neighbour.status == 200 and seen_by_neighbour.json["counted"] is True
    assert seen_by_neighbour.json["choice"] is None
    assert chair.get(f"/api/votes/{vote_id}/ballots/{receipt}").json["choice"] is None
