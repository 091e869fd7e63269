"""The registry over REST: who sees what, bad input, and the one error shape."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hall.community.models import Building, RoleGrant, Unit
from hall.extensions import db as hall_db
from tests.api_client import ApiClient

ACCOUNTS = [
    "admin",
    "officer",
    "secretary",
    "chair",
    "committee",
    "manager",
    "resident",
    "tenant",
    "building_resident",
    "neighbour_resident",
    "far_officer",
    "outsider",
]

# account -> (GET home community, GET home people, POST home building, GET neighbour community)
MATRIX = {
    "admin": (200, 200, 201, 200),
    "officer": (200, 200, 403, 200),
    "secretary": (200, 200, 403, 404),
    "chair": (200, 200, 403, 404),
    "committee": (200, 200, 403, 404),
    "manager": (200, 200, 201, 404),
    "resident": (200, 403, 403, 404),
    "tenant": (200, 403, 403, 404),
    "building_resident": (200, 403, 403, 404),
    "neighbour_resident": (404, 404, 404, 200),
    "far_officer": (404, 404, 404, 404),
    "outsider": (404, 404, 404, 404),
}


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_account_sees_and_changes_exactly_what_its_roles_allow(api, world, username):
    client = api.as_user(username)
    view, people, create, neighbour = MATRIX[username]
    assert client.get(f"/api/communities/{world.home}").status == view
    assert client.get(f"/api/communities/{world.home}/people").status == people
    reply = client.post(f"/api/communities/{world.home}/buildings", {"name": f"{username}楼"})
    assert reply.status == create, reply.json
    assert client.get(f"/api/communities/{world.neighbour}").status == neighbour


def test_anonymous_requests_are_told_to_log_in(api, world):
    reply = api.get(f"/api/communities/{world.home}", headers={"Accept-Language": "en"})
    assert reply.status == 401
    assert reply.json == {"error": "unauthenticated", "message": "Log in first.", "fields": {}}
    chinese = api.get(f"/api/communities/{world.home}", headers={"Accept-Language": "zh-CN"})
    assert chinese.json["message"] == "请先登录。"


def test_a_refusal_is_said_in_the_language_the_request_asks_for(api, world):
    manager = api.as_user("manager")
    first = manager.post(f"/api/communities/{world.home}/buildings", {"name": "新楼"})
    assert first.status == 201
    for language, message in (
        ("en", "This community has a building of this name."),
        ("zh-CN", "这个小区已经有同名的楼栋了。"),
    ):
        body = {"name": "新楼"}
        reply = manager.post(
            f"/api/communities/{world.home}/buildings", body, headers={"Accept-Language": language}
        )
        assert reply.status == 409
        assert reply.json == {
            "error": "building_name_taken",
            "message": message,
            "fields": {"name": [message]},
        }


def test_a_bad_field_is_explained_in_the_readers_language(api, world):
    manager = api.as_user("manager")
    reply = manager.post(
        "/api/units",
        {"stairwell_id": world.stair_1_2, "room": "1001", "floor": "ten"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert reply.status == 422
    assert reply.json["error"] == "invalid"
    assert reply.json["message"] == "有些内容填写得不对，请看各项的说明。"
    assert reply.json["fields"]["floor"] == ["这里要填整数。"]
    assert reply.json["fields"]["area"] == ["这一项必须填写。"]


def test_a_community_says_what_the_caller_may_do_with_its_registry(api, world):
    def permissions(username):
        return api.as_user(username).get(f"/api/communities/{world.home}").json["permissions"]

    assert permissions("manager") == {
        "view_people": True,
        "edit_registry": True,
        "import_roster": True,
        "view_grants": True,
        "grant_roles": False,
    }
    assert set(permissions("resident").values()) == {False}
    assert permissions("secretary")["grant_roles"] is True


def test_community_list_shows_only_visible_communities(api, world):
    def names(username):
        return sorted(c["name"] for c in api.as_user(username).get("/api/communities").json)

    assert names("resident") == ["金世界花园"]
    assert names("officer") == ["江北新村", "金世界花园"]
    assert names("admin") == ["江北新村", "渝北小区", "金世界花园"]
    assert names("outsider") == []


def test_units_and_invisible_units_of_other_communities(api, world):
    resident = api.as_user("resident")
    units = resident.get(f"/api/communities/{world.home}/units").json
    assert [u["room"] for u in units][:3] == ["301", "302", "601"]
    assert resident.get(f"/api/units/{world.unit_301}").json["area"] == "89.52"
    assert resident.get(f"/api/units/{world.neighbour_unit}").status == 404
    assert resident.get(f"/api/buildings/{world.far_building}").status == 404


def test_community_counts_owners_as_the_civil_code_counts_heads(api, world):
    counts = api.as_user("resident").get(f"/api/communities/{world.home}").json["counts"]
    # 谭英娟 owns two units: one head; 林强 and 钱磊涛 co-own one unit: one head
    assert counts == {"units": 5, "area": "478.20", "owners": 3}


def test_manager_registers_a_unit_with_an_exact_area(api, world):
    manager = api.as_user("manager")
    body = {"stairwell_id": world.stair_1_2, "room": "1001", "floor": 10, "area": "120.05"}
    reply = manager.post("/api/units", body)
    assert reply.status == 201
    assert reply.json["area"] == "120.05"
    assert reply.json["building_id"] == world.first


def unit_count(app) -> int:
    with app.app_context():
        return hall_db.session.scalar(select(func.count(Unit.id)))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area": "-5"}, "area"),
        ({"area": "0"}, "area"),
        ({"area": "89.525"}, "area"),
        ({"area": "NaN"}, "area"),
        ({"area": "lots"}, "area"),
        ({"floor": "three"}, "floor"),
        ({"floor": 3.5}, "floor"),
        ({"floor": 500}, "floor"),
        ({"room": ""}, "room"),
        ({"room": "   "}, "room"),
        ({"stairwell_id": None}, "stairwell_id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_unit_is_refused_naming_the_field_and_nothing_is_written(
    app, api, world, change, field
):
    before = unit_count(app)
    body = {"stairwell_id": world.stair_1_2, "room": "1001", "floor": 10, "area": "120.05"}
    reply = api.as_user("manager").post("/api/units", {**body, **change})
    assert reply.status == 422
    assert reply.json["error"] == "invalid"
    assert field in reply.json["fields"]
    assert unit_count(app) == before


def test_duplicate_room_is_a_conflict_naming_the_room(api, world):
    body = {"stairwell_id": world.stair_1_1, "room": "301", "floor": 3, "area": "89.52"}
    reply = api.as_user("manager").post("/api/units", body)
    assert reply.status == 409
    assert "room" in reply.json["fields"]


def test_malformed_json_is_a_clear_400_not_a_500(api, world):
    manager = api.as_user("manager")
    reply = manager.request(
        "POST",
        f"/api/communities/{world.home}/buildings",
        data=b'{"name": "3',
        headers={"Content-Type": "application/json"},
    )
    assert reply.status in (400, 422)
    assert set(reply.json) == {"error", "message", "fields"}


def test_json_body_of_the_wrong_type_names_the_problem(api, world):
    reply = api.as_user("manager").post(f"/api/communities/{world.home}/buildings", ["3栋"])
    assert reply.status == 422
    assert reply.json["fields"]


def test_oversized_body_is_refused_with_413(app, api, world):
    manager = api.as_user("manager")
    limit = app.config["MAX_CONTENT_LENGTH"]
    reply = manager.request(
        "POST",
        f"/api/communities/{world.home}/buildings",
        data=b"x" * (limit + 1),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 413
    assert reply.json["error"] == "request_entity_too_large"


def test_unknown_path_and_wrong_method_answer_in_the_error_shape(api, world):
    assert api.get("/api/nothing-here").json["error"] == "not_found"
    reply = api.as_user("manager").put(f"/api/communities/{world.home}", {})
    assert reply.status == 405
    assert reply.json["error"] == "method_not_allowed"


def test_owners_are_replaced_with_one_designated_voter(api, world):
    manager = api.as_user("manager")
    path = f"/api/units/{world.unit_2_101}/owners"
    bad = manager.put(path, {"person_ids": [world.owner], "designated_voter_id": world.tenant})
    assert bad.status == 422 and "designated_voter_id" in bad.json["fields"]
    good = manager.put(
        path, {"person_ids": [world.co_owner_a, world.owner], "designated_voter_id": world.owner}
    )
    assert good.status == 200
    assert [(o["person_id"], o["is_designated_voter"]) for o in good.json["owners"]] == [
        (world.co_owner_a, False),
        (world.owner, True),
    ]


def test_owner_from_another_community_is_refused(api, world, app):
    manager = api.as_user("admin")
    with app.app_context():
        from tests import factories

        stranger = factories.person(
            hall_db.session.get(Building, world.neighbour_building).community, "外人"
        )
        hall_db.session.commit()
        stranger_id = stranger.id
    reply = manager.put(
        f"/api/units/{world.unit_301}/owners",
        {"person_ids": [stranger_id], "designated_voter_id": stranger_id},
    )
    assert reply.status == 422 and "person_ids" in reply.json["fields"]


def test_secretary_grants_council_chair_and_cannot_grant_admin(api, world, app):
    secretary = api.as_user("secretary")
    made = secretary.post(
        "/api/grants",
        {
            "account_id": world.tenant_account,
            "role": "council_chair",
            "scope_kind": "community",
            "scope_id": world.home,
        },
    )
    assert made.status == 201, made.json
    assert made.json["community_id"] == world.home
    refused = secretary.post(
        "/api/grants",
        {"account_id": world.tenant_account, "role": "admin", "scope_kind": "site"},
    )
    assert refused.status == 403
    elsewhere = secretary.post(
        "/api/grants",
        {
            "account_id": world.tenant_account,
            "role": "resident",
            "scope_kind": "community",
            "scope_id": world.neighbour,
        },
    )
    assert elsewhere.status == 404
    twice = secretary.post(
        "/api/grants",
        {
            "account_id": world.tenant_account,
            "role": "council_chair",
            "scope_kind": "community",
            "scope_id": world.home,
        },
    )
    assert twice.status == 409
    listed = secretary.get(f"/api/communities/{world.home}/grants").json
    assert any(g["id"] == made.json["id"] for g in listed)
    assert secretary.delete(f"/api/grants/{made.json['id']}").status == 204
    with app.app_context():
        assert hall_db.session.get(RoleGrant, made.json["id"]) is None


def test_grant_with_unknown_role_names_the_field(api, world):
    reply = api.as_user("admin").post(
        "/api/grants",
        {
            "account_id": world.tenant_account,
            "role": "king",
            "scope_kind": "community",
            "scope_id": world.home,
        },
    )
    assert reply.status == 422 and "role" in reply.json["fields"]


def test_new_resident_account_can_log_in_and_sees_its_community(api, world):
    secretary = api.as_user("secretary")
    reply = secretary.post(
        f"/api/communities/{world.home}/accounts",
        {
            "username": "newcomer",
            "password": "a long password",
            "display_name": "新邻居",
            "person_id": world.tenant,
        },
    )
    assert reply.status == 201, reply.json
    newcomer = ApiClient(api.client).login("newcomer", "a long password")
    assert [c["id"] for c in newcomer.get("/api/communities").json] == [world.home]
    me = newcomer.get("/api/me").json
    assert me["person_id"] == world.tenant
    assert [(g["role"], g["scope_id"]) for g in me["grants"]] == [("resident", world.home)]


def test_short_password_and_taken_username_are_refused(api, world):
    secretary = api.as_user("secretary")
    path = f"/api/communities/{world.home}/accounts"
    short = secretary.post(path, {"username": "x1y2z3", "password": "short", "display_name": "x"})
    assert short.status == 422 and "password" in short.json["fields"]
    taken = secretary.post(
        path, {"username": "resident", "password": "long enough!", "display_name": "x"}
    )
    assert taken.status == 409 and "username" in taken.json["fields"]


def test_wrong_password_gets_no_token_and_does_not_say_which_part_was_wrong(api, world):
    wrong = api.post("/api/tokens", {"username": "resident", "password": "nope"})
    unknown = api.post("/api/tokens", {"username": "nobody", "password": "nope"})
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json


def test_login_attempts_are_rate_limited(api, world):
    statuses = [
        api.post("/api/tokens", {"username": "resident", "password": "guess"}).status
        for _ in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    limited = api.post("/api/tokens", {"username": "resident", "password": "guess"})
    assert limited.json["error"] == "too_many_requests"
    assert "Retry-After" in limited.headers


def test_revoked_token_no_longer_works(api, world):
    resident = api.as_user("resident")
    assert resident.delete("/api/tokens/current").status == 204
    assert resident.get("/api/me").status == 401


def test_cookie_session_changes_need_the_csrf_token_but_bearer_tokens_do_not(app, client, world):
    with client.session_transaction() as session:
        session["_user_id"] = str(world.manager_account)
        session["_fresh"] = True
    path = f"/api/communities/{world.home}/buildings"
    refused = client.post(path, json={"name": "9栋"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf_failed"
    token = client.get("/api/csrf-token").get_json()["csrf_token"]
    accepted = client.post(path, json={"name": "9栋"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_openapi_describes_every_api_endpoint(app, client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method != "parameters"
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint.startswith("api-docs"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)


def test_an_unexpected_error_is_a_500_in_the_error_shape_with_nothing_leaked(app):
    from hall import create_app

    broken = create_app(app.extensions["hall.settings"])
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.get("/api/explode")
    def explode():
        raise RuntimeError("secret internals")

    reply = broken.test_client().get("/api/explode")
    assert reply.status_code == 500
    assert reply.get_json() == {
        "error": "internal_server_error",
        "message": reply.get_json()["message"],
        "fields": {},
    }
    assert "secret" not in reply.get_data(as_text=True)
