"""Comment threads over REST: replies, stances, edits, tombstones, reports and moderation."""

from __future__ import annotations

import pytest

from hall.issues import notifications
from tests.api_client import ApiClient
from tests.fixtures.issues import configure, move, propose, snapshot


@pytest.fixture
def issue(api, world) -> dict:
    """A community-wide issue of 谭英娟's (`resident`), collecting supports."""
    return propose(api.as_user("resident"), world.home)


def comment(client: ApiClient, issue_id: int, body: str = "同意", **extra) -> dict:
    reply = client.post(f"/api/issues/{issue_id}/comments", {"body": body, **extra})
    assert reply.status == 201, reply.json
    return reply.json


def thread(client: ApiClient, issue_id: int) -> list[dict]:
    reply = client.get(f"/api/issues/{issue_id}/comments")
    assert reply.status == 200, reply.json
    return reply.json


# Posting ---------------------------------------------------------------------------------------


def test_residents_comment_with_a_stance_and_the_counts_follow(api, world, issue, emitted):
    tenant, coowner = api.as_user("tenant"), api.as_user("coowner")
    posted = comment(tenant, issue["id"], "**支持**维修", stance="for")
    assert posted["body_html"] == "<p><strong>支持</strong>维修</p>\n"
    assert (posted["stance"], posted["depth"], posted["parent_id"]) == ("for", 1, None)
    assert posted["author"] == {"id": world.tenant_account, "name": "tenant"}
    assert (posted["visibility"], posted["official_role"], posted["mine"]) == (
        "visible",
        None,
        True,
    )
    comment(coowner, issue["id"], "太贵了", stance="against")
    comment(api.as_user("resident"), issue["id"], "再看看")  # neutral when left out
    page = api.as_user("chair").get(f"/api/issues/{issue['id']}").json
    assert page["stance_counts"] == {"for": 1, "against": 1, "neutral": 1}
    assert page["comment_count"] == 3
    assert [c["stance"] for c in page["comments"]] == ["for", "against", "neutral"]
    assert [c["mine"] for c in thread(tenant, issue["id"])] == [True, False, False]
    created = [e for name, e, room in emitted if name == "comment.created"]
    assert len(created) == 3
    assert created[-1]["data"]["stance_counts"] == {"for": 1, "against": 1, "neutral": 1}


def test_replies_go_three_deep_and_only_top_level_comments_take_a_stance(
    app, api, world, issue, emitted
):
    tenant, coowner = api.as_user("tenant"), api.as_user("coowner")
    top = comment(tenant, issue["id"], "一楼")
    second = comment(coowner, issue["id"], "二楼", parent_id=top["id"])
    third = comment(tenant, issue["id"], "三楼", parent_id=second["id"])
    later_top = comment(coowner, issue["id"], "另一楼")
    assert (second["depth"], third["depth"]) == (2, 3)
    assert [c["id"] for c in thread(tenant, issue["id"])] == [
        top["id"],
        second["id"],
        third["id"],
        later_top["id"],
    ]
    emitted.clear()
    before = snapshot(app)
    path = f"/api/issues/{issue['id']}/comments"
    fourth = coowner.post(path, {"body": "四楼", "parent_id": third["id"]})
    assert fourth.status == 422
    assert fourth.json["fields"] == {
        "parent_id": ["Replies go at most 3 levels deep; reply higher up."]
    }
    stance = coowner.post(path, {"body": "反对", "parent_id": top["id"], "stance": "against"})
    assert stance.status == 422
    assert stance.json["fields"] == {"stance": ["Only a top-level comment takes a stance."]}
    other = propose(api.as_user("coowner"), world.home, title="另一个问题")
    elsewhere = coowner.post(f"/api/issues/{other['id']}/comments",
                             {"body": "x", "parent_id": top["id"]})  # fmt: skip
    assert elsewhere.status == 422 and list(elsewhere.json["fields"]) == ["parent_id"]
    emitted.clear()
    before = snapshot(app)
    assert coowner.post(path, {"body": "x", "parent_id": 999999}).status == 422
    assert snapshot(app) == before
    assert emitted == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n  "}, "body"),
        ({"body": "长" * 5_001}, "body"),
        ({"body": None}, "body"),
        ({"stance": "maybe"}, "stance"),
        ({"official": "yes please"}, "official"),
        ({"parent_id": "first"}, "parent_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_comment_is_refused_naming_the_field_and_nothing_is_written(
    app, api, world, issue, emitted, change, field
):
    emitted.clear()
    before = snapshot(app)
    reply = api.as_user("tenant").post(
        f"/api/issues/{issue['id']}/comments", {"body": "好", **change}
    )
    assert reply.status == 422, reply.json
    assert field in reply.json["fields"]
    assert snapshot(app) == before
    assert emitted == []


def test_a_comment_of_five_thousand_characters_is_accepted(api, world, issue):
    assert comment(api.as_user("tenant"), issue["id"], "长" * 5_000)["body_html"]


def test_markup_typed_in_a_comment_is_shown_as_text(api, world, issue):
    posted = comment(
        api.as_user("tenant"),
        issue["id"],
        '<script>alert("x")</script> [link](javascript:alert(1)) <img src=x onerror=alert(1)>',
    )
    html = posted["body_html"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_only_residents_of_the_scope_and_the_council_join_the_thread(app, api, world, emitted):
    scoped = propose(api.as_user("tenant"), world.home, scope=("stairwells", [world.stair_1_2]))
    path = f"/api/issues/{scoped['id']}/comments"
    emitted.clear()
    before = snapshot(app)
    assert api.as_user("resident").post(path, {"body": "我也说两句"}).status == 403
    assert api.as_user("manager").post(path, {"body": "物业回复"}).status == 403
    assert api.as_user("neighbour_resident").post(path, {"body": "x"}).status == 404
    assert api.post(path, {"body": "x"}).status == 401
    assert snapshot(app) == before
    assert emitted == []
    assert api.as_user("resident").get(path).status == 200  # may still read it
    assert (
        api.as_user("resident").get(f"/api/issues/{scoped['id']}").json["may_participate"] is False
    )
    comment(api.as_user("tenant"), scoped["id"])
    comment(api.as_user("chair"), scoped["id"], "业委会会跟进")
    comment(api.as_user("officer"), scoped["id"], "街道关注")


@pytest.mark.parametrize(("username", "badge"), [("chair", "council"), ("secretary", "branch"),
                                                 ("officer", "subdistrict")])  # fmt: skip
def test_the_council_branch_and_subdistrict_reply_officially(api, world, issue, username, badge):
    posted = comment(api.as_user(username), issue["id"], "正式答复", official=True)
    assert posted["official_role"] == badge


@pytest.mark.parametrize("username", ["resident", "tenant", "manager"])
def test_others_may_not_reply_officially(app, api, world, issue, username):
    before = snapshot(app)
    reply = api.as_user(username).post(
        f"/api/issues/{issue['id']}/comments", {"body": "我代表业委会", "official": True}
    )
    assert reply.status == 403
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "moves",
    [
        [("chair", "reject", {"reason": "不属于业委会职责"})],
        [("resident", "withdraw", {})],
        [("chair", "escalate", {"reason": "调解不成"}), ("officer", "close", {"reason": "已处理"})],
    ],
    ids=["rejected", "withdrawn", "closed"],
)
def test_a_closed_off_issues_thread_is_read_only(app, api, world, issue, moves):
    posted = comment(api.as_user("tenant"), issue["id"])
    for username, transition, extra in moves:
        assert move(api.as_user(username), issue["id"], transition, **extra).status == 200
    before = snapshot(app)
    late = api.as_user("tenant").post(f"/api/issues/{issue['id']}/comments", {"body": "晚了"})
    assert late.status == 409
    official = api.as_user("chair").post(
        f"/api/issues/{issue['id']}/comments", {"body": "晚了", "official": True}
    )
    assert official.status == 409
    edit = api.as_user("tenant").request("PATCH", f"/api/comments/{posted['id']}", {"body": "x"})
    assert edit.status == 409
    assert snapshot(app) == before
    assert len(thread(api.as_user("tenant"), issue["id"])) == 1


def test_a_draft_has_no_thread_yet(api, world):
    draft = propose(api.as_user("resident"), world.home, submit=False)
    reply = api.as_user("resident").post(f"/api/issues/{draft['id']}/comments", {"body": "x"})
    assert reply.status == 409


# Edits and deletions ---------------------------------------------------------------------------


def test_an_edit_keeps_the_earlier_text_in_the_history(api, world, issue):
    tenant = api.as_user("tenant")
    posted = comment(tenant, issue["id"], "第一稿", stance="for")
    path = f"/api/comments/{posted['id']}"
    edited = tenant.request("PATCH", path, {"body": "第二稿", "stance": "against"})
    assert edited.status == 200, edited.json
    assert (edited.json["body_html"], edited.json["stance"]) == ("<p>第二稿</p>\n", "against")
    assert edited.json["revision_count"] == 1 and edited.json["edited_at"]
    tenant.request("PATCH", path, {"body": "第三稿"})
    history = api.as_user("coowner").get(f"{path}/history").json
    assert [r["body"] for r in history] == ["第一稿", "第二稿"]
    assert history[0]["written_at"] == posted["created_at"]
    unchanged = tenant.request("PATCH", path, {"body": "第三稿"})
    assert unchanged.json["revision_count"] == 2  # nothing changed, nothing kept
    assert api.as_user("coowner").request("PATCH", path, {"body": "改别人的"}).status == 403
    assert tenant.request("PATCH", path, {"body": ""}).status == 422
    reply = comment(api.as_user("coowner"), issue["id"], "回复", parent_id=posted["id"])
    stance = api.as_user("coowner").request(
        "PATCH", f"/api/comments/{reply['id']}", {"body": "回复", "stance": "for"}
    )
    assert stance.status == 422 and list(stance.json["fields"]) == ["stance"]
    assert api.as_user("tenant").get("/api/comments/999999/history").status == 404


def test_a_deleted_comment_leaves_a_tombstone_and_its_replies(api, world, issue):
    tenant, coowner = api.as_user("tenant"), api.as_user("coowner")
    posted = comment(tenant, issue["id"], "说错了", stance="against")
    tenant.request("PATCH", f"/api/comments/{posted['id']}", {"body": "还是说错了"})
    reply = comment(coowner, issue["id"], "我回复你", parent_id=posted["id"])
    assert coowner.delete(f"/api/comments/{posted['id']}").status == 403
    deleted = tenant.delete(f"/api/comments/{posted['id']}")
    assert deleted.status == 200
    assert (deleted.json["visibility"], deleted.json["body_html"]) == ("deleted", None)
    shown = thread(coowner, issue["id"])
    assert [(c["id"], c["visibility"], c["body_html"]) for c in shown] == [
        (posted["id"], "deleted", None),
        (reply["id"], "visible", "<p>我回复你</p>\n"),
    ]
    page = coowner.get(f"/api/issues/{issue['id']}").json
    assert page["stance_counts"]["against"] == 0
    assert coowner.get(f"/api/comments/{posted['id']}/history").status == 403
    assert tenant.delete(f"/api/comments/{posted['id']}").status == 409
    replying = coowner.post(
        f"/api/issues/{issue['id']}/comments", {"body": "x", "parent_id": posted["id"]}
    )
    assert replying.status == 409 and list(replying.json["fields"]) == ["parent_id"]


# Reports and moderation ------------------------------------------------------------------------


def test_enough_reports_hide_a_comment_until_a_moderator_decides(api, world, issue):
    configure(api, world.home, report_threshold=2)
    offending = comment(api.as_user("tenant"), issue["id"], "难听的话")
    path = f"/api/comments/{offending['id']}/reports"
    first = api.as_user("coowner").post(path, {"reason": "人身攻击"})
    assert first.status == 201
    assert (first.json["visibility"], first.json["reported_by_me"]) == ("visible", True)
    assert api.as_user("coowner").post(path, {"reason": "again"}).status == 409
    assert api.as_user("tenant").post(path, {}).status == 409  # one's own
    assert api.as_user("resident").post(path, {"reason": "x" * 501}).status == 422
    second = api.as_user("resident").post(path, {})
    assert second.json["visibility"] == "reported"

    shown = thread(api.as_user("coowner"), issue["id"])[0]
    assert (shown["visibility"], shown["body_html"], shown["reported_by_me"]) == (
        "reported",
        None,
        True,
    )
    assert thread(api.as_user("secretary"), issue["id"])[0]["body_html"] == "<p>难听的话</p>\n"
    queue = api.as_user("secretary").get(f"/api/communities/{world.home}/moderation").json
    assert [(q["id"], q["body_html"]) for q in queue] == [(offending["id"], "<p>难听的话</p>\n")]
    assert [r["reason"] for r in queue[0]["reports"]] == ["人身攻击", ""]
    assert api.as_user("chair").get(f"/api/issues/{issue['id']}").json["stance_counts"] == {
        "for": 0,
        "against": 0,
        "neutral": 0,
    }


def test_a_moderator_hides_and_restores_with_a_reason(app, api, world, issue, emitted):
    offending = comment(api.as_user("tenant"), issue["id"], "广告：专业开锁")
    path = f"/api/comments/{offending['id']}/moderation"
    secretary = api.as_user("secretary")
    emitted.clear()
    before = snapshot(app)
    for client, body, status, field in [
        (api.as_user("resident"), {"action": "hide", "reason": "广告"}, 403, None),
        (api.as_user("manager"), {"action": "hide", "reason": "广告"}, 403, None),
        (secretary, {"action": "hide"}, 422, "reason"),
        (secretary, {"action": "hide", "reason": "  "}, 422, "reason"),
        (secretary, {"action": "hide", "reason": "x" * 501}, 422, "reason"),
        (secretary, {"action": "delete", "reason": "广告"}, 422, "action"),
        (secretary, {"action": "restore", "reason": "误会"}, 409, None),  # it is visible
    ]:
        reply = client.post(path, body)
        assert reply.status == status, (body, reply.json)
        if field:
            assert list(reply.json["fields"]) == [field]
    assert snapshot(app) == before
    assert emitted == []

    hidden = secretary.post(path, {"action": "hide", "reason": "广告"})
    assert hidden.status == 200
    assert (hidden.json["visibility"], hidden.json["moderation_reason"]) == ("hidden", "广告")
    shown = thread(api.as_user("coowner"), issue["id"])[0]
    assert (shown["visibility"], shown["body_html"], shown["moderation_reason"]) == (
        "hidden",
        None,
        "广告",
    )
    assert api.as_user("coowner").post(f"/api/comments/{offending['id']}/reports").status == 409
    restored = api.as_user("officer").post(path, {"action": "restore", "reason": "误会一场"})
    assert restored.status == 200
    assert restored.json["visibility"] == "visible"
    assert thread(api.as_user("coowner"), issue["id"])[0]["body_html"] == (
        "<p>广告：专业开锁</p>\n"
    )
    kinds = [
        e["kind"]
        for e in api.as_user("tenant").get(f"/api/communities/{world.home}/ledger").json["entries"]
    ]
    assert kinds[-2:] == ["comment.hide", "comment.restore"]


def test_residents_do_not_see_the_moderation_queue(api, world):
    path = f"/api/communities/{world.home}/moderation"
    assert api.as_user("resident").get(path).status == 403
    assert api.as_user("neighbour_resident").get(path).status == 404
    assert api.as_user("chair").get(path).json == []


# Limits and failures ---------------------------------------------------------------------------


def test_comments_are_rate_limited_per_person(app, api, world, issue, monkeypatch):
    settings = app.extensions["hall.settings"]
    monkeypatch.setitem(
        app.extensions, "hall.settings", settings.replace(comment_rate_limit="3 per minute")
    )
    tenant = api.as_user("tenant")
    path = f"/api/issues/{issue['id']}/comments"
    statuses = [tenant.post(path, {"body": f"第{n}条"}).status for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = tenant.post(path, {"body": "再来"})
    assert limited.json["error"] == "too_many_requests"
    assert "Retry-After" in limited.headers
    # Another person on the same address is not held back, nor is reading.
    assert api.as_user("coowner").post(path, {"body": "我也说"}).status == 201
    assert tenant.get(path).status == 200
    assert len(thread(tenant, issue["id"])) == 4


def test_a_failure_while_posting_leaves_nothing_half_written_and_nothing_emitted(
    app, api, world, issue, emitted, monkeypatch
):
    emitted.clear()
    before = snapshot(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the notification table is full")

    monkeypatch.setattr(notifications, "notify", broken)
    reply = api.as_user("tenant").post(f"/api/issues/{issue['id']}/comments", {"body": "好"})
    assert reply.status == 500
    assert snapshot(app) == before
    assert emitted == []


def test_a_moderator_keeps_a_reported_comment_and_clears_it_from_the_queue(api, world, issue):
    """Reports below the hiding threshold still reach the queue; keeping the comment shown
    settles them, and the queue is empty again."""
    spoken = comment(api.as_user("tenant"), issue["id"], "物业费太贵了")
    assert api.as_user("coowner").post(f"/api/comments/{spoken['id']}/reports").status == 201
    secretary = api.as_user("secretary")
    queue = f"/api/communities/{world.home}/moderation"
    assert [entry["id"] for entry in secretary.get(queue).json] == [spoken["id"]]
    kept = secretary.post(
        f"/api/comments/{spoken['id']}/moderation", {"action": "restore", "reason": "正常意见"}
    )
    assert kept.status == 200, kept.json
    assert (kept.json["visibility"], kept.json["report_count"]) == ("visible", 0)
    assert secretary.get(queue).json == []
