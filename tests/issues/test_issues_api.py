"""Issues over REST: proposing, finding, editing, photos, supports and the lifecycle."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from hall.extensions import db as hall_db
from hall.ledger.models import LedgerEntry
from tests.api_client import ApiClient
from tests.fixtures.issues import (
    MB,
    configure,
    jpeg,
    move,
    propose,
    raw_get,
    recompute,
    snapshot,
    upload,
)
from tests.fixtures.photos import GPS_IFD, phone_photo

# Proposing and reading -------------------------------------------------------------------------


def test_a_resident_proposes_an_issue_that_starts_collecting_supports(api, world):
    resident = api.as_user("resident")
    issue = propose(resident, world.home, scope=("stairwells", [world.stair_1_1]))
    assert issue["state"] == "collecting"
    assert issue["number"] == 1
    assert issue["community_id"] == world.home
    assert issue["scope_kind"] == "stairwells"
    assert issue["scope_labels"] == ["1栋 1单元"]
    assert issue["proposer"] == {"id": world.resident_account, "name": "resident"}
    assert issue["body_html"] == "<p>1栋的电梯这周停了三次。</p>\n"
    assert (issue["support_count"], issue["comment_count"], issue["photos"]) == (0, 0, [])
    assert issue["merged_into_id"] is None
    second = propose(resident, world.home, title="停车位不够")
    assert second["number"] == 2


def test_the_issue_page_shows_what_the_caller_may_do(api, world):
    issue = propose(api.as_user("resident"), world.home)
    page = api.as_user("tenant").get(f"/api/issues/{issue['id']}").json
    assert page["title"] == "电梯经常停运"
    assert page["support_threshold"] == 10
    assert (page["supported_by_me"], page["may_participate"], page["moderator"]) == (
        False,
        True,
        False,
    )
    assert page["transitions"] == []
    assert page["stance_counts"] == {"for": 0, "against": 0, "neutral": 0}
    assert page["comments"] == []
    assert page["seq"] >= 1
    assert [t["transition"] for t in page["timeline"]] == ["submit"]
    chair_page = api.as_user("chair").get(f"/api/issues/{issue['id']}").json
    assert set(chair_page["transitions"]) == {"accept", "reject", "merge", "escalate"}
    assert chair_page["capacities"] == ["council"]
    assert chair_page["moderator"] is True
    own_page = api.as_user("resident").get(f"/api/issues/{issue['id']}").json
    assert own_page["transitions"] == ["withdraw"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"title": ""}, "title", "invalid"),
        ({"title": "   "}, "title", "invalid"),
        ({"title": "长" * 121}, "title", "invalid"),
        ({"body": ""}, "body", "invalid"),
        ({"body": "x" * 20_001}, "body", "invalid"),
        ({"category": "unicorns"}, "category", "unknown_category"),
        ({"category": None}, "category", "invalid"),
        ({"scope": {"kind": "galaxy", "ids": []}}, "scope", "invalid"),
        ({"scope": {"kind": "buildings", "ids": []}}, "scope", "scope_empty"),
        ({"scope": {"kind": "community", "ids": [1]}}, "scope", "community_scope_lists_places"),
        ({"scope": {"kind": "units", "ids": ["a"]}}, "scope", "invalid"),
        ({"scope": None}, "scope", "invalid"),
        ({"submit": "perhaps"}, "submit", "invalid"),
        ({"urgent": True}, "urgent", "invalid"),
    ],
)
def test_a_bad_issue_is_refused_naming_the_field_and_nothing_is_written(
    app, api, world, emitted, change, field, code
):
    resident = api.as_user("resident")
    before = snapshot(app)
    body = {
        "title": "电梯",
        "body": "停了",
        "category": "elevator",
        "scope": {"kind": "community", "ids": []},
        **change,
    }
    reply = resident.post(f"/api/communities/{world.home}/issues", body)
    assert reply.status == 422, reply.json
    assert reply.json["error"] == code
    assert field in reply.json["fields"], reply.json
    assert snapshot(app) == before
    assert emitted == []


def test_a_scope_reaching_into_another_community_is_refused(api, world):
    reply = api.as_user("resident").post(
        f"/api/communities/{world.home}/issues",
        {
            "title": "电梯",
            "body": "停了",
            "category": "elevator",
            "scope": {"kind": "buildings", "ids": [world.first, world.neighbour_building]},
        },
    )
    assert reply.status == 422
    assert reply.json["error"] == "scope_outside_community"
    assert reply.json["fields"] == {"scope": ["Choose places of this community only."]}


def test_who_may_propose_where(api, world):
    body = {
        "title": "电梯",
        "body": "停了",
        "category": "elevator",
        "scope": {"kind": "community", "ids": []},
    }
    path = f"/api/communities/{world.home}/issues"
    assert api.post(path, body).status == 401
    assert api.as_user("neighbour_resident").post(path, body).status == 404
    assert api.as_user("outsider").post(path, body).status == 404
    assert api.as_user("manager").post(path, body).status == 201


# Lists, filters, search ------------------------------------------------------------------------


def test_lists_filter_by_state_category_building_and_mine(api, world):
    resident, tenant = api.as_user("resident"), api.as_user("tenant")
    elevator = propose(resident, world.home, scope=("units", [world.unit_301]))
    parking = propose(
        tenant, world.home, title="停车", category="parking", scope=("buildings", [world.second])
    )
    everywhere = propose(api.as_user("coowner"), world.home, title="绿化", category="environment")
    move(resident, elevator["id"], "withdraw")
    path = f"/api/communities/{world.home}/issues"

    def ids(query: str = "", client: ApiClient = resident) -> list[int]:
        reply = client.get(path + query)
        assert reply.status == 200, reply.json
        return [item["id"] for item in reply.json["items"]]

    assert ids() == [everywhere["id"], parking["id"], elevator["id"]]
    assert ids("?state=withdrawn") == [elevator["id"]]
    assert ids("?state=collecting&category=parking") == [parking["id"]]
    assert ids(f"?building_id={world.first}") == [everywhere["id"], elevator["id"]]
    assert ids(f"?building_id={world.second}") == [everywhere["id"], parking["id"]]
    assert ids("?mine=true") == [elevator["id"]]
    assert ids("?mine=true", tenant) == [parking["id"]]
    item = resident.get(path).json["items"][0]
    assert item["proposer"] == {"id": world.coowner_account, "name": "coowner"}
    assert "body" not in item


def test_search_finds_chinese_substrings_in_title_and_text(api, world):
    resident = api.as_user("resident")
    lift = propose(resident, world.home, title="电梯经常停运", body="物业说下周修好。")
    car = propose(resident, world.home, title="充电桩", body="地下车库需要更多充电桩，100%满了")
    path = f"/api/communities/{world.home}/issues?q="

    def found(words: str) -> list[int]:
        return [item["id"] for item in resident.get(path + words).json["items"]]

    assert found("停运") == [lift["id"]]
    assert found("下周") == [lift["id"]]  # in the text
    assert found("充电") == [car["id"]]
    assert found("电") == [car["id"], lift["id"]]
    assert found("电梯 物业") == [lift["id"]]  # every word must be found
    assert found("电梯 车库") == []
    assert found("100%25") == [car["id"]]  # a literal percent sign
    assert found("%25") == [car["id"]]  # not a wildcard
    assert found("_") == []


def test_pages_of_issues(api, world):
    resident = api.as_user("resident")
    made = [propose(resident, world.home, title=f"问题{n}")["id"] for n in range(5)]
    path = f"/api/communities/{world.home}/issues"
    first = resident.get(path + "?per_page=2").json
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (5, 3, 1, 2)
    assert [i["id"] for i in first["items"]] == made[::-1][:2]
    last = resident.get(path + "?per_page=2&page=3").json
    assert [i["id"] for i in last["items"]] == [made[0]]
    beyond = resident.get(path + "?per_page=2&page=9").json
    assert (beyond["items"], beyond["total"]) == ([], 5)
    for query, field in [
        ("?page=0", "page"),
        ("?per_page=101", "per_page"),
        ("?per_page=0", "per_page"),
        ("?state=sleeping", "state"),
        ("?mine=perhaps", "mine"),
    ]:
        reply = resident.get(path + query)
        assert reply.status == 422 and field in reply.json["fields"], (query, reply.json)


def test_a_draft_is_its_proposers_alone(api, world):
    resident, tenant = api.as_user("resident"), api.as_user("tenant")
    draft = propose(resident, world.home, submit=False)
    assert draft["state"] == "draft"
    path = f"/api/communities/{world.home}/issues"
    assert [i["id"] for i in resident.get(path).json["items"]] == [draft["id"]]
    assert tenant.get(path).json["items"] == []
    assert api.as_user("chair").get(path).json["total"] == 0
    assert tenant.get(f"/api/issues/{draft['id']}").status == 404
    assert api.as_user("chair").get(f"/api/issues/{draft['id']}").status == 404
    assert tenant.post(f"/api/issues/{draft['id']}/comments", {"body": "hi"}).status == 404
    assert resident.get(f"/api/issues/{draft['id']}").json["transitions"] == [
        "submit",
        "withdraw",
    ]
    submitted = move(resident, draft["id"], "submit")
    assert submitted.status == 200 and submitted.json["state"] == "collecting"
    assert tenant.get(f"/api/issues/{draft['id']}").status == 200


def test_other_communities_issues_are_invisible(api, world):
    issue = propose(api.as_user("resident"), world.home)
    assert api.as_user("neighbour_resident").get(f"/api/issues/{issue['id']}").status == 404
    assert api.as_user("far_officer").get(f"/api/issues/{issue['id']}").status == 404
    assert api.get(f"/api/issues/{issue['id']}").status == 401
    assert api.as_user("officer").get(f"/api/issues/{issue['id']}").status == 200
    assert api.as_user("resident").get("/api/issues/999999").status == 404


# Editing ----------------------------------------------------------------------------------------


def test_the_proposer_edits_until_deliberation_and_nobody_else_does(app, api, world, emitted):
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    path = f"/api/issues/{issue['id']}"
    edited = resident.request("PATCH", path, {"title": "电梯又停了", "body": "**三次**"})
    assert edited.status == 200, edited.json
    assert (edited.json["title"], edited.json["body_html"]) == (
        "电梯又停了",
        "<p><strong>三次</strong></p>\n",
    )
    assert edited.json["category"] == "elevator"
    recategorised = resident.request("PATCH", path, {"category": "safety"})
    assert recategorised.json["category"] == "safety"
    assert {name for name, _, _ in emitted} >= {"issue.updated"}
    assert api.as_user("tenant").request("PATCH", path, {"title": "x"}).status == 403
    assert api.as_user("chair").request("PATCH", path, {"title": "x"}).status == 403
    for change, field in [
        ({}, "_schema"),
        ({"title": "长" * 121}, "title"),
        ({"category": "unicorns"}, "category"),
        ({"state": "closed"}, "state"),
    ]:
        before = snapshot(app)
        reply = resident.request("PATCH", path, change)
        assert reply.status == 422 and field in reply.json["fields"], (change, reply.json)
        assert snapshot(app) == before
    configure(api, world.home, support_threshold=1)
    resident.post(f"{path}/support")
    late = resident.request("PATCH", path, {"title": "x"})
    assert late.status == 409


# Photos ----------------------------------------------------------------------------------------


def test_a_photo_is_uploaded_stripped_of_its_location_and_served_privately(api, world):
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    original = phone_photo()
    assert b"flat 402" in original
    reply = upload(resident, issue["id"], original)
    assert reply.status == 201, reply.json
    photo = reply.json
    assert (photo["width"], photo["height"], photo["content_type"]) == (20, 40, "image/jpeg")
    assert photo["url"] == f"/api/photos/{photo['id']}"

    served = raw_get(api.as_user("tenant"), photo["url"])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, max-age=86400"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(served.data))
    assert image.getexif().get_ifd(GPS_IFD) == {}
    for secret in (b"flat 402", b"taken at home", b"PhoneMaker"):
        assert secret not in served.data

    page = resident.get(f"/api/issues/{issue['id']}").json
    assert [p["id"] for p in page["photos"]] == [photo["id"]]
    assert raw_get(api.as_user("neighbour_resident"), photo["url"]).status_code == 404
    assert api.get(photo["url"]).status == 401
    assert raw_get(resident, "/api/photos/999999").status_code == 404


def test_a_drafts_photos_are_its_proposers_alone(api, world):
    resident = api.as_user("resident")
    draft = propose(resident, world.home, submit=False)
    photo = upload(resident, draft["id"], jpeg()).json
    assert raw_get(resident, photo["url"]).status_code == 200
    assert raw_get(api.as_user("tenant"), photo["url"]).status_code == 404


def test_bad_photos_are_refused_naming_the_photo_and_nothing_is_written(app, api, world, emitted):
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    emitted.clear()
    before = snapshot(app)
    fake = upload(resident, issue["id"], b"Minutes of the residents' meeting\n" * 20)
    assert (fake.status, fake.json["error"]) == (422, "photo_not_an_image")
    assert fake.json["fields"] == {"photo": ["The file is not an image."]}
    oversized = upload(resident, issue["id"], b"\xff\xd8\xff" + bytes(9 * MB))
    assert (oversized.status, oversized.json["error"]) == (422, "photo_too_large")
    assert oversized.json["fields"] == {"photo": ["The photo file is too large."]}
    as_text = resident.post(f"/api/issues/{issue['id']}/photos", data={"photo": "not a file"})
    assert as_text.status == 422 and as_text.json["fields"] == {"photo": ["Upload a file."]}
    missing = resident.post(f"/api/issues/{issue['id']}/photos", data={})
    assert missing.status == 422 and "photo" in missing.json["fields"]
    beyond_any_upload = upload(resident, issue["id"], bytes(17 * MB))
    assert beyond_any_upload.status == 413
    assert upload(api.as_user("tenant"), issue["id"], jpeg()).status == 403
    assert snapshot(app) == before
    assert emitted == []


def test_an_issue_takes_at_most_six_photos(api, world):
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    for _ in range(6):
        assert upload(resident, issue["id"], jpeg()).status == 201
    seventh = upload(resident, issue["id"], jpeg())
    assert (seventh.status, seventh.json["error"]) == (422, "too_many_photos")
    assert seventh.json["fields"] == {"photo": ["At most 6 photos."]}


# Supports and thresholds -----------------------------------------------------------------------


def test_a_resident_supports_once_and_may_withdraw(app, api, world):
    resident = api.as_user("resident")
    tenant = api.as_user("tenant")
    issue = propose(resident, world.home)
    path = f"/api/issues/{issue['id']}/support"
    supported = tenant.post(path)
    assert supported.status == 200 and supported.json["support_count"] == 1
    assert tenant.get(f"/api/issues/{issue['id']}").json["supported_by_me"] is True
    before = snapshot(app)
    again = tenant.post(path)
    assert (again.status, again.json["error"]) == (409, "already_supported")
    assert again.json["message"] == "You already support this issue."
    assert snapshot(app) == before
    withdrawn = tenant.delete(path)
    assert withdrawn.status == 200 and withdrawn.json["support_count"] == 0
    assert tenant.delete(path).json["error"] == "not_supported"
    assert tenant.post(path).json["support_count"] == 1


def test_support_is_for_residents_of_the_issues_scope(app, api, world, emitted):
    issue = propose(api.as_user("tenant"), world.home, scope=("stairwells", [world.stair_1_2]))
    path = f"/api/issues/{issue['id']}/support"
    emitted.clear()
    before = snapshot(app)
    for username, status in [
        ("resident", 403),  # lives in the other stairwell
        ("coowner", 403),
        ("chair", 403),  # speaks for the council, lives nowhere here
        ("neighbour_resident", 404),
    ]:
        reply = api.as_user(username).post(path)
        assert reply.status == status, (username, reply.json)
    assert api.post(path).status == 401
    assert snapshot(app) == before
    assert emitted == []
    assert api.as_user("tenant").post(path).status == 200


def test_enough_supports_move_the_issue_into_deliberation_on_their_own(api, world):
    configure(api, world.home, support_threshold=2, advance="automatic")
    issue = propose(api.as_user("resident"), world.home)
    path = f"/api/issues/{issue['id']}/support"
    assert api.as_user("resident").post(path).json["state"] == "collecting"
    reached = api.as_user("tenant").post(path).json
    assert (reached["state"], reached["support_count"]) == ("deliberation", 2)
    assert api.as_user("coowner").post(path).status == 409  # no longer collecting
    timeline = api.as_user("tenant").get(f"/api/issues/{issue['id']}").json["timeline"]
    assert [(t["transition"], t["from"], t["to"], t["actor"]) for t in timeline] == [
        ("submit", "draft", "collecting", "resident"),
        ("advance", "collecting", "deliberation", None),
    ]


def test_a_share_of_households_as_the_threshold(api, world):
    # Five households in 金世界花园: 40 per cent is two supports.
    configure(api, world.home, threshold_kind="share", support_threshold=40)
    issue = propose(api.as_user("resident"), world.home)
    assert api.as_user("tenant").get(f"/api/issues/{issue['id']}").json["support_threshold"] == 2


def test_in_council_mode_the_council_accepts_a_supported_issue(api, world):
    configure(api, world.home, support_threshold=1, advance="council")
    chair = api.as_user("chair")
    issue = propose(api.as_user("resident"), world.home)
    early = move(chair, issue["id"], "accept")
    assert (early.status, early.json["error"]) == (422, "threshold_not_met")
    assert early.json["fields"] == {
        "transition": ["The issue has not yet gathered enough supports."]
    }
    supported = api.as_user("tenant").post(f"/api/issues/{issue['id']}/support").json
    assert supported["state"] == "collecting"  # the threshold alone does not move it
    assert move(api.as_user("resident"), issue["id"], "accept").status == 403
    accepted = move(chair, issue["id"], "accept")
    assert accepted.status == 200 and accepted.json["state"] == "deliberation"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"support_threshold": 0}, "support_threshold"),
        ({"support_threshold": "ten"}, "support_threshold"),
        ({"threshold_kind": "share", "support_threshold": 150}, "support_threshold"),
        ({"report_threshold": 0}, "report_threshold"),
        ({"advance": "whenever"}, "advance"),
        ({"categories": []}, "categories"),
        ({"categories": ["elevator", "elevator"]}, "categories"),
        ({"categories": ["x" * 33]}, "categories"),
        ({"community_id": 5}, "community_id"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(app, api, world, change, field):
    before = snapshot(app)
    reply = api.as_user("secretary").put(f"/api/communities/{world.home}/issue-settings", change)
    assert reply.status == 422 and field in reply.json["fields"], reply.json
    assert snapshot(app) == before


def test_settings_are_read_by_the_community_and_changed_by_moderators(api, world):
    path = f"/api/communities/{world.home}/issue-settings"
    defaults = api.as_user("tenant").get(path).json
    assert defaults == {
        "community_id": world.home,
        "categories": [
            "elevator", "parking", "environment", "safety", "dispute", "facilities", "other",
        ],
        "threshold_kind": "count",
        "support_threshold": 10,
        "advance": "automatic",
        "report_threshold": 3,
    }  # fmt: skip
    assert api.as_user("tenant").put(path, {"support_threshold": 3}).status == 403
    assert api.as_user("manager").put(path, {"support_threshold": 3}).status == 403
    assert api.as_user("neighbour_resident").get(path).status == 404
    changed = configure(api, world.home, categories=["电梯", "停车"], report_threshold=5)
    assert changed["categories"] == ["电梯", "停车"]
    assert changed["report_threshold"] == 5
    assert changed["support_threshold"] == 10  # left out, kept
    assert api.as_user("tenant").get(path).json == changed
    refused = api.as_user("resident").post(
        f"/api/communities/{world.home}/issues",
        {"title": "t", "body": "b", "category": "elevator", "scope": {"kind": "community"}},
    )
    assert refused.status == 422 and "category" in refused.json["fields"]


# The lifecycle ----------------------------------------------------------------------------------


def test_transitions_by_right_and_wrong_roles(app, api, world, emitted):
    resident, chair = api.as_user("resident"), api.as_user("chair")
    issue = propose(resident, world.home)
    emitted.clear()
    before = snapshot(app)
    for client, body, status, field in [
        (api.as_user("tenant"), {"transition": "reject", "reason": "no"}, 403, None),
        (resident, {"transition": "reject", "reason": "no"}, 403, None),
        (api.as_user("manager"), {"transition": "escalate", "reason": "x"}, 403, None),
        (chair, {"transition": "reject"}, 422, "reason"),
        (chair, {"transition": "reject", "reason": "   "}, 422, "reason"),
        (chair, {"transition": "escalate"}, 422, "reason"),
        (chair, {"transition": "submit"}, 409, "transition"),
        (chair, {"transition": "open_judgment"}, 409, "transition"),
        (chair, {"transition": "advance"}, 422, "transition"),  # Hall's own
        (chair, {"transition": "publish"}, 422, "transition"),  # the voting stage's
        (chair, {"transition": "fly"}, 422, "transition"),
        (chair, {}, 422, "transition"),
        (chair, {"transition": "reject", "reason": "x" * 501}, 422, "reason"),
        (api.as_user("neighbour_resident"), {"transition": "withdraw"}, 404, None),
    ]:
        answer = client.post(f"/api/issues/{issue['id']}/transitions", body)
        assert answer.status == status, (body, answer.json)
        if field:
            assert field in answer.json["fields"], answer.json
    assert snapshot(app) == before
    assert emitted == []
    rejected = move(chair, issue["id"], "reject", reason="重复提交")
    assert rejected.status == 200 and rejected.json["state"] == "rejected"
    again = move(chair, issue["id"], "reject", reason="again")
    assert (again.status, again.json["error"]) == (409, "wrong_state")
    assert again.json["fields"] == {
        "transition": ["The issue cannot be moved this way from where it is now."]
    }
    assert move(resident, issue["id"], "withdraw").status == 409


def test_the_proposer_withdraws_and_the_timeline_records_it(api, world):
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    withdrawn = move(resident, issue["id"], "withdraw", reason="已经修好了")
    assert withdrawn.json["state"] == "withdrawn"
    timeline = resident.get(f"/api/issues/{issue['id']}").json["timeline"]
    assert [(t["transition"], t["to"], t["reason"]) for t in timeline] == [
        ("submit", "collecting", ""),
        ("withdraw", "withdrawn", "已经修好了"),
    ]
    assert all(len(t["hash"]) == 64 for t in timeline)


def test_the_council_merges_an_issue_into_another_open_one(app, api, world):
    resident, chair = api.as_user("resident"), api.as_user("chair")
    kept = propose(resident, world.home, title="电梯")
    duplicate = propose(api.as_user("tenant"), world.home, title="电梯又坏了")
    draft = propose(resident, world.home, title="草稿", submit=False)
    closed = propose(resident, world.home, title="已撤回")
    move(resident, closed["id"], "withdraw")
    far = propose(api.as_user("neighbour_resident"), world.neighbour)
    before = snapshot(app)
    for merge_into in [None, duplicate["id"], closed["id"], draft["id"], far["id"], 999999]:
        reply = move(chair, duplicate["id"], "merge", merge_into=merge_into)
        assert reply.status == 422, (merge_into, reply.json)
        assert list(reply.json["fields"]) == ["merge_into"]
    assert snapshot(app) == before
    merged = move(chair, duplicate["id"], "merge", merge_into=kept["id"])
    assert merged.status == 200
    assert (merged.json["state"], merged.json["merged_into_id"]) == ("merged", kept["id"])
    timeline = chair.get(f"/api/issues/{duplicate['id']}").json["timeline"]
    assert timeline[-1]["merge_into"] == kept["id"]


def test_escalated_to_the_subdistrict_which_may_close_it(api, world):
    chair, officer = api.as_user("chair"), api.as_user("officer")
    issue = propose(api.as_user("resident"), world.home)
    escalated = move(chair, issue["id"], "escalate", reason="业委会无法调解")
    assert escalated.json["state"] == "escalated"
    assert move(api.as_user("far_officer"), issue["id"], "close", reason="x").status == 404
    closed = move(officer, issue["id"], "close", reason="街道已协调")
    assert closed.status == 200 and closed.json["state"] == "closed"


# The ledger -------------------------------------------------------------------------------------


def test_the_ledger_is_exported_in_pages_and_verifies_offline(api, world):
    configure(api, world.home, support_threshold=2)
    resident = api.as_user("resident")
    issue = propose(resident, world.home)
    api.as_user("tenant").post(f"/api/issues/{issue['id']}/support")
    api.as_user("coowner").post(f"/api/issues/{issue['id']}/support")  # and it advances
    path = f"/api/communities/{world.home}/ledger"

    entries, after = [], 0
    while True:
        page = api.as_user("tenant").get(f"{path}?limit=2&after={after}").json
        entries += page["entries"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert page["chain"] == f"community:{world.home}"
    assert [e["kind"] for e in entries] == [
        "issue.transition", "issue.support", "issue.support", "issue.transition",
    ]  # fmt: skip
    assert [e["position"] for e in entries] == [1, 2, 3, 4]
    previous = "0" * 64
    for entry in entries:
        assert entry["previous_hash"] == previous
        assert recompute(page["chain"], entry) == entry["hash"]
        previous = entry["hash"]
    assert (page["length"], page["head_hash"]) == (4, previous)

    verified = resident.get(f"{path}/verify").json
    assert verified == {
        "chain": f"community:{world.home}",
        "ok": True,
        "length": 4,
        "head_hash": previous,
        "broken_at": None,
        "problem": None,
    }
    timeline = resident.get(f"/api/issues/{issue['id']}").json["timeline"]
    assert [t["hash"] for t in timeline] == [entries[0]["hash"], entries[3]["hash"]]


def test_a_tampered_ledger_fails_verification(app, api, world):
    issue = propose(api.as_user("resident"), world.home)
    move(api.as_user("chair"), issue["id"], "reject", reason="重复")
    with app.app_context():
        entry = hall_db.session.scalar(select(LedgerEntry).where(LedgerEntry.position == 2))
        entry.payload = {**entry.payload, "reason": "改过了"}
        hall_db.session.commit()
    verified = api.as_user("resident").get(f"/api/communities/{world.home}/ledger/verify").json
    assert (verified["ok"], verified["broken_at"]) == (False, 2)


def test_the_ledger_is_for_those_who_see_the_community(api, world):
    path = f"/api/communities/{world.home}/ledger"
    assert api.get(path).status == 401
    assert api.as_user("neighbour_resident").get(path).status == 404
    assert api.as_user("neighbour_resident").get(path + "/verify").status == 404
    empty = api.as_user("tenant").get(path).json
    assert (empty["entries"], empty["length"], empty["next_after"]) == ([], 0, None)
    assert api.as_user("tenant").get(path + "/verify").json["ok"] is True
    for query, field in [("?limit=501", "limit"), ("?limit=0", "limit"), ("?after=-1", "after")]:
        reply = api.as_user("tenant").get(path + query)
        assert reply.status == 422 and field in reply.json["fields"]


# The doors themselves ---------------------------------------------------------------------------


def test_cookie_session_changes_need_the_csrf_token_but_bearer_tokens_do_not(app, client, world):
    with client.session_transaction() as session:
        session["_user_id"] = str(world.resident_account)
        session["_fresh"] = True
    path = f"/api/communities/{world.home}/issues"
    body = {"title": "电梯", "body": "停了", "category": "elevator", "scope": {"kind": "community"}}
    refused = client.post(path, json=body)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf_failed"
    token = client.get("/api/csrf-token").get_json()["csrf_token"]
    accepted = client.post(path, json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    issue_id = accepted.get_json()["id"]
    photo = {"photo": (io.BytesIO(jpeg()), "photo.jpg")}
    assert client.post(f"/api/issues/{issue_id}/photos", data=photo).status_code == 400
    photo = {"photo": (io.BytesIO(jpeg()), "photo.jpg"), "csrf_token": token}
    assert client.post(f"/api/issues/{issue_id}/photos", data=photo).status_code == 201
    assert client.get(f"/api/issues/{issue_id}").status_code == 200  # reading needs no token


def test_the_published_api_describes_the_photo_upload_and_the_photo(api, world):
    spec = api.get("/api/openapi.json").json
    operation = spec["paths"]["/api/issues/{issue_id}/photos"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload_schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert upload_schema["properties"]["photo"]["format"] == "binary"
    assert upload_schema["required"] == ["photo"]
    served = spec["paths"]["/api/photos/{photo_id}"]["get"]["responses"]["200"]["content"]
    assert set(served) == {"image/jpeg", "image/png", "image/webp"}


def test_a_resident_granted_at_their_building_takes_part_in_what_reaches_it(api, world):
    """second_owner holds the resident role at building 2栋 only: they propose for their
    building, support and comment on issues that reach it, and nothing beyond."""
    resident = api.as_user("second_owner")
    own = resident.post(
        f"/api/communities/{world.home}/issues",
        json={
            "title": "2栋楼道灯坏了",
            "body": "晚上很黑。",
            "category": "facilities",
            "scope": {"kind": "buildings", "ids": [world.second]},
            "submit": True,
        },
    )
    assert own.status == 201, own.json
    elsewhere = resident.post(
        f"/api/communities/{world.home}/issues",
        json={
            "title": "1栋的事",
            "body": "不归我管。",
            "category": "other",
            "scope": {"kind": "buildings", "ids": [world.first]},
        },
    )
    assert elsewhere.status == 403, elsewhere.json

    community_wide = (
        api.as_user("chair")
        .post(
            f"/api/communities/{world.home}/issues",
            json={
                "title": "全小区充电桩",
                "body": "征求意见。",
                "category": "parking",
                "scope": {"kind": "community"},
                "submit": True,
            },
        )
        .json
    )
    assert resident.post(f"/api/issues/{community_wide['id']}/support").status == 200
    reply = resident.post(f"/api/issues/{community_wide['id']}/comments", json={"body": "支持"})
    assert reply.status == 201, reply.json
