"""Notifications over REST: who hears of what, unread counts, and marking them read."""

from __future__ import annotations

import pytest

from tests.api_client import ApiClient
from tests.fixtures.issues import move, propose, snapshot


def heard(client: ApiClient, query: str = "") -> list[tuple]:
    """(kind, issue id) of the client's notifications, newest first."""
    reply = client.get("/api/notifications" + query)
    assert reply.status == 200, reply.json
    return [(n["kind"], n["issue_id"]) for n in reply.json]


def unread(client: ApiClient) -> int:
    return client.get("/api/notifications/unread-count").json["unread"]


def test_residents_in_scope_hear_of_a_new_issue_and_others_do_not(api, world, emitted):
    resident = api.as_user("resident")
    issue = propose(resident, world.home, scope=("buildings", [world.first]))
    for username in ("tenant", "coowner"):  # both live in 1栋
        assert heard(api.as_user(username)) == [("new_issue", issue["id"])]
    for username in ("resident", "second_owner", "chair", "neighbour_resident"):
        assert heard(api.as_user(username)) == [], username
    notification = api.as_user("tenant").get("/api/notifications").json[0]
    assert notification["summary"] == {"issue_number": 1, "issue_title": "电梯经常停运"}
    assert notification["read_at"] is None and notification["comment_id"] is None
    live = [
        (e["data"]["notification"]["kind"], room)
        for name, e, room in emitted
        if name == "notification.created"
    ]
    assert sorted(live) == sorted(
        [("new_issue", f"account:{world.tenant_account}"),
         ("new_issue", f"account:{world.coowner_account}")]
    )  # fmt: skip


def test_a_draft_is_announced_only_once_submitted(api, world):
    resident, tenant = api.as_user("resident"), api.as_user("tenant")
    draft = propose(resident, world.home, submit=False)
    assert heard(tenant) == []
    move(resident, draft["id"], "submit")
    assert heard(tenant) == [("new_issue", draft["id"])]


def test_the_proposer_hears_comments_replies_and_state_changes(api, world):
    resident, tenant, coowner = (api.as_user(n) for n in ("resident", "tenant", "coowner"))
    issue = propose(resident, world.home, scope=("units", [world.unit_301, world.unit_2_101,
                                                           world.unit_601]))  # fmt: skip
    path = f"/api/issues/{issue['id']}/comments"
    first = tenant.post(path, {"body": "我家也**一样**"}).json
    resident.post(path, {"body": "谢谢"})  # one's own comment tells nobody
    coowner.post(path, {"body": "同感", "parent_id": first["id"]})
    api.as_user("chair").post(
        f"/api/issues/{issue['id']}/transitions", {"transition": "reject", "reason": "重复"}
    )
    assert heard(resident) == [
        ("state", issue["id"]),
        ("comment", issue["id"]),
        ("comment", issue["id"]),
    ]
    newest = resident.get("/api/notifications").json
    assert newest[0]["summary"] == {
        "issue_number": 1,
        "issue_title": "电梯经常停运",
        "transition": "reject",
        "state": "rejected",
        "reason": "重复",
    }
    assert newest[2]["summary"]["author"] == "tenant"
    assert newest[2]["summary"]["excerpt"] == "我家也一样"
    assert newest[2]["comment_id"] == first["id"]
    # The reply's parent's author hears of it too; the proposer hears of it once.
    assert ("reply", issue["id"]) in heard(tenant)
    assert unread(resident) == 3


def test_the_proposer_does_not_hear_of_their_own_transition(api, world):
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    move(resident, issue["id"], "withdraw")
    assert heard(resident) == []


def test_unread_counts_and_marking_read(api, world, emitted):
    resident, tenant = api.as_user("resident"), api.as_user("tenant")
    issues = [propose(resident, world.home, title=f"问题{n}") for n in range(3)]
    assert unread(tenant) == 3
    mine = tenant.get("/api/notifications").json
    assert [n["issue_id"] for n in mine] == [i["id"] for i in reversed(issues)]
    emitted.clear()
    marked = tenant.post("/api/notifications/read", {"ids": [mine[0]["id"]]})
    assert marked.status == 200 and marked.json == {"unread": 2}
    assert [(name, e["data"], room) for name, e, room in emitted] == [
        ("notification.read", {"unread": 2}, f"account:{world.tenant_account}")
    ]
    assert [n["id"] for n in tenant.get("/api/notifications?unread=true").json] == [
        mine[1]["id"],
        mine[2]["id"],
    ]
    assert tenant.get("/api/notifications").json[0]["read_at"] is not None
    older = tenant.get(f"/api/notifications?before={mine[0]['id']}").json
    assert [n["id"] for n in older] == [mine[1]["id"], mine[2]["id"]]
    # Someone else's notification ids change nothing for them.
    coowner = api.as_user("coowner")
    coowner_ids = [n["id"] for n in coowner.get("/api/notifications").json]
    assert tenant.post("/api/notifications/read", {"ids": coowner_ids}).json == {"unread": 2}
    assert unread(coowner) == 3
    assert tenant.post("/api/notifications/read", {}).json == {"unread": 0}
    assert unread(tenant) == 0
    assert unread(coowner) == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": "all"}, "ids"),
        ({"ids": ["one"]}, "ids"),
        ({"ids": list(range(1001))}, "ids"),
        ({"every": True}, "every"),
    ],
)
def test_a_bad_mark_read_is_refused_naming_the_field(app, api, world, emitted, body, field):
    propose(api.as_user("resident"), world.home)
    emitted.clear()
    before = snapshot(app)
    reply = api.as_user("tenant").post("/api/notifications/read", body)
    assert reply.status == 422 and field in reply.json["fields"], reply.json
    assert snapshot(app) == before
    assert emitted == []


def test_notifications_are_for_the_logged_in_only(api, world):
    assert api.get("/api/notifications").status == 401
    assert api.get("/api/notifications/unread-count").status == 401
    assert api.post("/api/notifications/read", {}).status == 401
    assert api.as_user("outsider").get("/api/notifications/unread-count").json == {"unread": 0}
    reply = api.as_user("tenant").get("/api/notifications?before=first")
    assert reply.status == 422 and "before" in reply.json["fields"]
