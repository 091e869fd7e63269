"""The statements the issue stage's hot paths cost through the API: a comment, and the
support that moves an issue into deliberation. Counted on SQLite and PostgreSQL alike (the
`statements` fixture); a budget may go down, never up.

Before the access answer was computed once and the outbox numbered a transaction's events
together, in this very story a comment cost 20 statements and the crossing support 36."""

from __future__ import annotations

import pytest

from tests.api_client import ApiClient

COMMENT_BUDGET = 15
CROSSING_SUPPORT_BUDGET = 21


@pytest.fixture
def accounts(app, world) -> dict[str, ApiClient]:
    settings = {"support_threshold": 2, "threshold_kind": "count", "advance": "automatic"}
    logged_in = {name: ApiClient(app.test_client()).login(name) for name in
                 ("secretary", "resident", "coowner", "tenant")}  # fmt: skip
    reply = logged_in["secretary"].put(f"/api/communities/{world.home}/issue-settings", settings)
    assert reply.status == 200, reply.json
    return logged_in


def propose(client: ApiClient, community_id: int) -> dict:
    reply = client.post(
        f"/api/communities/{community_id}/issues",
        {"title": "电梯经常停运", "body": "三天两头停。", "category": "elevator",
         "scope": {"kind": "community"}, "submit": True},
    )  # fmt: skip
    assert reply.status == 201, reply.json
    return reply.json


def test_a_comment_costs_at_most_its_budget(accounts, world, statements):
    issue = propose(accounts["resident"], world.home)
    path = f"/api/issues/{issue['id']}/comments"
    assert accounts["coowner"].post(path, {"body": "先说一句"}).status == 201  # warm
    with statements() as counted:
        reply = accounts["coowner"].post(path, {"body": "同意更换"})
    assert reply.status == 201, reply.json
    assert len(counted) <= COMMENT_BUDGET, counted.listing()


def test_a_support_that_moves_the_issue_on_costs_at_most_its_budget(accounts, world, statements):
    issue = propose(accounts["resident"], world.home)
    other = propose(accounts["resident"], world.home)
    assert accounts["tenant"].post(f"/api/issues/{other['id']}/support").status == 200  # warm
    assert accounts["resident"].post(f"/api/issues/{issue['id']}/support").status == 200
    with statements() as counted:
        reply = accounts["coowner"].post(f"/api/issues/{issue['id']}/support")
    assert reply.status == 200 and reply.json["state"] == "deliberation", reply.json
    assert len(counted) <= CROSSING_SUPPORT_BUDGET, counted.listing()
