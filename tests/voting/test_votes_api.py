"""Votes through the API, on SQLite and PostgreSQL: set up, opened, watched live, closed,
decided and shared out; the electorate fixed when the vote opens; and every refusal of the
council's side, each naming its field and leaving nothing half written.

The stairwell 9栋 of tests/voting/factories.py: 18 flats, two a floor, 89.50 m² (x01) and
112.30 m² (x02), so each floor holds 201.80 m² and the whole stairwell 1816.20 m².
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import delete

from hall.community.models import Ownership, Unit
from hall.extensions import db as hall_db
from hall.extensions import socketio
from hall.text import render
from tests.factories import own, person
from tests.fixtures.issues import propose
from tests.voting.factories import (
    AREAS,
    GUANGZHOU,
    account_with_token,
    bearer,
    cast,
    check_chain,
    elevator_plans,
    in_days,
    issue_in_deliberation,
    largest_remainder_split,
    move_closing_time_past,
    open_vote,
    owner,
    refused,
    running_vote,
    set_up_vote,
    snapshot,
    stairwell_issue_in_deliberation,
    vote_body,
    voted,
)

UPPER_FOR = ["401", "402", "501", "502", "601", "602", "701", "702", "801", "802"]


def watch(app, token: str, vote_id: int):
    """A Socket.IO client in the vote's room."""
    watcher = socketio.test_client(app, auth={"token": token})
    joined = watcher.emit("join", {"room": f"vote:{vote_id}"}, callback=True)
    assert joined["ok"], joined
    return watcher


def received(watcher, name: str) -> list[dict]:
    return [event["args"][0] for event in watcher.get_received() if event["name"] == name]


def weighs(weight: dict) -> tuple[int, Decimal]:
    """Headcount and area of a weight as the API writes it."""
    return weight["headcount"], Decimal(weight["area"])


def reasons(reasons: list[dict]) -> list[tuple]:
    return [
        (r["kind"], r["measure"], r["choice"], r["ratio"], r["threshold"], r["met"])
        for r in reasons
    ]


def without_text(standing: dict) -> dict:
    """The standing as the `vote.tally` event carries it: the REST answer adds each reason's
    text in the reader's language."""
    return {
        key: [{k: v for k, v in r.items() if k != "text"} for r in value]
        if key in ("participation", "approval")
        else value
        for key, value in standing.items()
    }


def said_texts(reasons: list[dict]) -> list[str]:
    """The reasons as kept (said data), rendered in English."""
    return [render(r["said"]) for r in reasons]


def floor_of(room: str) -> int:
    return int(room[:-2])


def check_shares(stairwell, shares: list[dict], plan: dict) -> None:
    """Every flat's amount is the plan's formula to the fen, and they add up exactly."""
    rooms = {unit_id: room for room, unit_id in stairwell.units.items()}
    assert sorted(rooms[s["unit_id"]] for s in shares) == sorted(stairwell.rooms)
    coefficients = {int(k): Fraction(v) for k, v in plan.get("floor_coefficients", {}).items()}
    compensation = {int(k): v for k, v in plan.get("compensation", {}).items()}
    received_ = [compensation.get(floor_of(rooms[s["unit_id"]]), 0) for s in shares]
    collected = plan["total"] - plan["subsidy"] + sum(received_)
    weights = [
        coefficients.get(floor_of(rooms[s["unit_id"]]), Fraction(1))
        * Fraction(AREAS[int(rooms[s["unit_id"]][-1]) - 1])
        for s in shares
    ]
    pays = largest_remainder_split(collected, weights)
    assert [s["amount"] for s in shares] == [p - r for p, r in zip(pays, received_, strict=True)]
    assert sum(pays) == collected
    assert sum(s["amount"] for s in shares) == plan["total"] - plan["subsidy"]


# Whole votes ------------------------------------------------------------------------------------


def test_an_approval_vote_on_one_plan_passes_and_shares_the_cost_to_the_fen(
    app, api, world, stairwell
):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair, committee = api.as_user("chair"), api.as_user("committee")
    plan = elevator_plans()[1]  # by floor (Guangzhou), 2,000.00 yuan to each flat of floors 1-2
    created = set_up_vote(chair, issue_id, title="是否按楼层系数方案更换电梯", plans=[plan])
    vote_id = created["id"]
    assert created["state"] == "scheduled"
    assert [(o["key"], o["label"]) for o in created["options"]] == [
        ("for", "For"), ("against", "Against"), ("abstain", "Abstain"),
    ]  # fmt: skip
    assert created["options"][0]["plan"]["floor_coefficients"]["9"] == "1.3"
    assert chair.get(f"/api/issues/{issue_id}").json["state"] == "judgment"
    opened = open_vote(chair, vote_id)
    assert (opened["eligible_headcount"], opened["eligible_area"]) == (18, "1816.20")
    watcher = watch(app, stairwell.tokens["101"], vote_id)

    for room in UPPER_FOR:
        assert voted(owner(app, stairwell, room), vote_id, "for")["channel"] == "online"
    voted(owner(app, stairwell, "302"), vote_id, "against")
    # 901 is away and authorises 101, who casts for 901 as well as watching.
    proxy = owner(app, stairwell, "901").post(
        f"/api/votes/{vote_id}/proxies",
        {"proxy_account_id": stairwell.accounts["101"], "authorisation": "委托书：由101代为投票"},
    )
    assert proxy.status == 201, proxy.json
    by_proxy = voted(owner(app, stairwell, "101"), vote_id, "for", unit=stairwell.units["901"])
    assert (by_proxy["channel"], by_proxy["household"]) == ("proxy", "9栋 1单元 901")
    # 902 hands in a paper sheet: the chair records it, it counts once the committee confirms.
    paper = chair.post(
        f"/api/votes/{vote_id}/paper-ballots",
        {"unit": stairwell.units["902"], "choice": "for", "sheet": "纸质票-001"},
    )
    assert paper.status == 201, paper.json
    assert (paper.json["counted"], paper.json["channel"]) == (False, "paper")
    assert chair.get(f"/api/votes/{vote_id}/tally").json["participants"]["headcount"] == 12
    confirmed = committee.post(f"/api/votes/{vote_id}/paper-ballots/{paper.json['id']}/confirm")
    assert confirmed.status == 200, confirmed.json
    assert confirmed.json["counted"] is True

    # One live tally after every ballot that counts; none for the sheet still unconfirmed.
    tallies = received(watcher, "vote.tally")
    assert [t["participants"]["headcount"] for t in tallies] == list(range(1, 14))
    last = tallies[-1]
    assert last["state"] == "open"
    assert weighs(last["eligible"]) == (18, Decimal("1816.20"))
    # 13 of 18 owners took part: 302 (112.30 m²) and floors 4 to 9 (6 x 201.80 = 1210.80 m²),
    # 1323.10 of 1816.20 m² = 72.85%; 13/18 = 72.22%. Both clear Art. 278's 2/3 (66.67%).
    assert weighs(last["participants"]) == (13, Decimal("1323.10"))
    assert reasons(last["participation"]) == [
        ("participation", "area", None, "72.85", "66.67", True),
        ("participation", "headcount", None, "72.22", "66.67", True),
    ]
    assert {key: weighs(w) for key, w in last["options"].items()} == {
        "for": (12, Decimal("1210.80")),
        "against": (1, Decimal("112.30")),
        "abstain": (0, Decimal(0)),
    }
    # Approval among those who took part: 12/13 = 92.31%, 1210.80/1323.10 = 91.51% >= 3/4.
    assert reasons(last["approval"]) == [
        ("approval", "area", "for", "91.51", "75.00", True),
        ("approval", "headcount", "for", "92.31", "75.00", True),
    ]
    assert without_text(chair.get(f"/api/votes/{vote_id}/tally").json) == last
    assert "text" not in last["participation"][0]

    closed = chair.post(
        f"/api/votes/{vote_id}/close",
        {"if_failed": "deliberation", "reason": "全部住户已表态"},
        headers={"Accept-Language": "en"},
    )
    assert closed.status == 200, closed.json
    assert (closed.json["state"], closed.json["passed"], closed.json["winner"]) == (
        "closed",
        True,
        "for",
    )
    result = closed.json["result"]
    assert [r["text"] for r in result["reasons"]] == [
        "participation by area 72.85% >= 66.67%: met",
        "participation by headcount 72.22% >= 66.67%: met",
        "approval of for by area 91.51% >= 75.00%: met",
        "approval of for by headcount 92.31% >= 75.00%: met",
    ]
    # Kept as data: the measure and the option as phrases, the numbers as they were checked.
    assert result["reasons"][2]["said"] == {
        "code": "approval_met",
        "params": {
            "measure": {"code": "measure_area"},
            "option": {"code": "option_for"},
            "value": "91.51%",
            "threshold": "75.00%",
            "value_exact": "12108/13231",
            "threshold_exact": "3/4",
            "comparison": "at_least",
            "operator": ">=",
            "met": True,
        },
    }
    in_chinese = chair.get(f"/api/votes/{vote_id}", headers={"Accept-Language": "zh-CN"}).json
    assert in_chinese["vote"]["result"]["reasons"][0]["text"] == (
        "按面积计的参与率 72.85% >= 66.67%：已达到"
    )
    assert weighs(result["silent"]) == (5, Decimal("493.10"))
    assert {key: weighs(w) for key, w in result["by_choice"].items()} == {
        "for": (12, Decimal("1210.80")),
        "against": (1, Decimal("112.30")),
        "abstain": (0, Decimal(0)),
    }
    shares = result["shares"]
    check_shares(stairwell, shares, plan["plan"])
    amounts = {s["unit_id"]: s["amount"] for s in shares}
    # 988,000.00 yuan collected (980,000.00 and the 4 x 2,000.00 paid back to floors 1-2)
    # over sum(coefficient x area) = 201.80 x (0.7 + 0.8 + ... + 1.3) = 1412.60:
    # 901 pays 988,000.00 x 1.3 x 89.50 / 1412.60 = 81,377.46 yuan.
    assert amounts[stairwell.units["901"]] == 8_137_746
    assert [amounts[stairwell.units[r]] for r in ("101", "102", "201", "202")] == [-200_000] * 4
    assert sum(a for a in amounts.values() if a > 0) == 98_800_000

    issue = chair.get(f"/api/issues/{issue_id}").json
    assert issue["state"] == "publicity"
    assert issue["timeline"][-1]["transition"] == "publish"
    assert render(issue["timeline"][-1]["said_reason"]) == (
        "The vote passed: participation by area 72.85% >= 66.67%: met; participation by "
        "headcount 72.22% >= 66.67%: met; approval of for by area 91.51% >= 75.00%: met; "
        "approval of for by headcount 92.31% >= 75.00%: met"
    )
    announced = received(watcher, "vote.closed")
    assert [e["data"]["result"]["winner"] for e in announced] == ["for"]
    entries = check_chain(chair, vote_id)
    assert [e["kind"] for e in entries] == (
        ["vote.opened"] + ["ballot.cast"] * 11 + ["proxy.granted", "ballot.cast"]
        + ["ballot.paper_recorded", "ballot.paper_confirmed", "vote.closed"]
    )  # fmt: skip
    assert entries[-1]["payload"]["shares"] == shares
    assert entries[-1]["hash"] == result["hash"]
    verified = chair.get(f"/api/votes/{vote_id}/ledger/verify").json
    assert (verified["ok"], verified["length"]) == (True, 17)
    watcher.disconnect()


def test_a_choice_between_plans_shows_no_option_totals_until_it_closes(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    plans = elevator_plans()
    created = set_up_vote(
        chair, issue_id, title="选择分摊方案", kind="plans", plans=plans, live_results=False
    )
    vote_id = created["id"]
    assert [(o["key"], o["label"]) for o in created["options"]] == [
        ("plan_1", "按面积分摊"), ("plan_2", "按楼层系数"), ("abstain", "Abstain"),
    ]  # fmt: skip
    # Before it opens the plans already show every flat's amount, from the roster.
    table = owner(app, stairwell, "501").get(f"/api/votes/{vote_id}/shares").json
    assert [p["key"] for p in table["plans"]] == ["plan_1", "plan_2"]
    assert len(table["rows"]) == 18
    for key in ("plan_1", "plan_2"):
        assert sum(row["amounts"][key] for row in table["rows"]) == 98_000_000
    open_vote(chair, vote_id)
    watcher = watch(app, stairwell.tokens["302"], vote_id)

    choices = {"101": "plan_1", "102": "plan_1", "201": "abstain"}
    choices |= {room: "plan_2" for room in stairwell.rooms if room not in choices | {"302": 0}}
    for room, choice in choices.items():
        voted(owner(app, stairwell, room), vote_id, choice)

    tallies = received(watcher, "vote.tally")
    assert [t["participants"]["headcount"] for t in tallies] == list(range(1, 18))
    assert all("options" not in t and "approval" not in t for t in tallies), tallies[-1]
    assert reasons(tallies[-1]["participation"]) == [
        # 17 of 18 took part; only 302 (112.30 m²) did not: 1703.90 / 1816.20 = 93.82%.
        ("participation", "area", None, "93.82", "66.67", True),
        ("participation", "headcount", None, "94.44", "66.67", True),
    ]
    voter = owner(app, stairwell, "501")
    standing = voter.get(f"/api/votes/{vote_id}/tally").json
    assert "options" not in standing and standing["participants"]["headcount"] == 17
    page = voter.get(f"/api/votes/{vote_id}").json
    assert "options" not in page["standing"]
    assert page["may_vote"] is True and page["manages"] is False
    [household] = page["households"]
    assert household["label"] == "9栋 1单元 501"
    assert household["ballot"]["choice"] == "plan_2"
    row = next(r for r in table["rows"] if r["unit_id"] == stairwell.units["501"])
    assert household["shares"] == row["amounts"]

    closed = chair.post(f"/api/votes/{vote_id}/close", {"if_failed": "closed", "reason": "已过半"})
    assert closed.status == 200, closed.json
    assert (closed.json["passed"], closed.json["winner"]) == (True, "plan_2")
    result = closed.json["result"]
    assert {key: weighs(w) for key, w in result["by_choice"].items()} == {
        "plan_1": (2, Decimal("201.80")),
        "plan_2": (14, Decimal("1412.60")),  # 202, 301 and floors 4-9
        "abstain": (1, Decimal("89.50")),
    }
    # Abstainers take part (Art. 278 presets): 14/17 = 82.35%, 1412.60/1703.90 = 82.90%.
    # A plan is named by its label, never by its key.
    assert said_texts(result["reasons"][2:]) == [
        "approval of 按楼层系数 by area 82.90% >= 75.00%: met",
        "approval of 按楼层系数 by headcount 82.35% >= 75.00%: met",
    ]
    check_shares(stairwell, result["shares"], plans[1]["plan"])
    assert [s["amount"] for s in result["shares"]] == [
        row["amounts"]["plan_2"] for row in table["rows"]
    ]
    after = voter.get(f"/api/votes/{vote_id}/tally").json
    assert weighs(after["options"]["plan_2"]) == (14, Decimal("1412.60"))
    assert after["state"] == "closed"
    assert chair.get(f"/api/issues/{issue_id}").json["state"] == "publicity"
    watcher.disconnect()


@pytest.mark.parametrize(("if_failed", "issue_state"), [("deliberation", "deliberation"),
                                                        ("closed", "closed")])  # fmt: skip
def test_a_failed_vote_sends_the_issue_where_the_council_said(
    app, api, world, stairwell, if_failed, issue_state
):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id, rule={"preset": "ordinary_matter"})
    for room in stairwell.rooms[:10]:  # floors 1 to 5: 10 of 18 owners, 1009.00 m²
        voted(owner(app, stairwell, room), vote_id, "for")
    closed = chair.post(f"/api/votes/{vote_id}/close", {"if_failed": if_failed, "reason": "到期"})
    assert closed.status == 200, closed.json
    assert (closed.json["passed"], closed.json["winner"]) == (False, None)
    result = closed.json["result"]
    assert said_texts(result["reasons"][:2]) == [
        "participation by area 55.56% < 66.67%: not met",
        "participation by headcount 55.56% < 66.67%: not met",
    ]
    # Everyone who took part approved: the vote failed on participation alone.
    assert all(r["met"] for r in result["reasons"][2:])
    assert result["shares"] == []
    issue = chair.get(f"/api/issues/{issue_id}").json
    assert issue["state"] == issue_state
    assert render(issue["timeline"][-1]["said_reason"]).startswith(
        "The vote failed: participation by area"
    )
    again = chair.post(f"/api/issues/{issue_id}/votes", vote_body(title="再次表决"))
    if if_failed == "deliberation":
        assert again.status == 201, again.json  # the closed vote leaves room for the next
    else:
        refused(again, 409, "issue")


# The electorate ---------------------------------------------------------------------------------


def test_the_electorate_is_fixed_when_the_vote_opens(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id, plans=[elevator_plans()[0]])
    with app.app_context():
        # A flat is added on a new top floor and sold; 101 is remeasured; 102 is sold off the
        # roster. None of it reaches a vote already open.
        stairwell_row = hall_db.session.get(Unit, stairwell.units["101"]).stairwell
        new_flat = Unit(
            community_id=world.home,
            building_id=stairwell.building_id,
            stairwell=stairwell_row,
            room="1001",
            floor=10,
            area=Decimal("150.00"),
            sort_key="1001",
        )
        hall_db.session.add(new_flat)
        hall_db.session.flush()
        newcomer = person(hall_db.session.get(Unit, new_flat.id).community, "新业主", "1")
        own(new_flat, newcomer)
        hall_db.session.get(Unit, stairwell.units["101"]).area = Decimal("200.00")
        hall_db.session.execute(
            delete(Ownership).where(Ownership.unit_id == stairwell.units["102"])
        )
        hall_db.session.commit()
        newcomer_id = newcomer.id
        hall_db.session.remove()
    newcomer_token = account_with_token(app, newcomer_id, "newcomer", world.home)

    page = chair.get(f"/api/votes/{vote_id}").json["vote"]
    assert (page["eligible_headcount"], page["eligible_area"]) == (18, "1816.20")
    refused(cast(bearer(newcomer_token, app.test_client()), vote_id, "for"), 403)
    voted(owner(app, stairwell, "102"), vote_id, "for")  # still an owner of this vote
    mine = voted(owner(app, stairwell, "101"), vote_id, "against")
    assert mine["household"] == "9栋 1单元 101"
    standing = chair.get(f"/api/votes/{vote_id}/tally").json
    assert weighs(standing["eligible"]) == (18, Decimal("1816.20"))
    assert weighs(standing["options"]["against"]) == (1, Decimal("89.50"))  # not 200.00
    assert weighs(standing["participants"]) == (2, Decimal("201.80"))
    table = chair.get(f"/api/votes/{vote_id}/shares").json
    assert len(table["rows"]) == 18
    row_101 = next(r for r in table["rows"] if r["unit_id"] == stairwell.units["101"])
    assert row_101["area"] == "89.50"
    assert sum(row["amounts"]["for"] for row in table["rows"]) == 98_000_000
    opened = check_chain(chair, vote_id)[0]
    assert len(opened["payload"]["electorate"]) == 18
    assert opened["payload"]["electorate"][0] == {
        "number": 1, "units": [stairwell.units["101"]], "area": "89.50",
    }  # fmt: skip


def test_an_owner_of_two_flats_counts_once_and_co_owners_vote_through_one(app, api, world):
    """1栋 1单元: "resident" owns 301 and 302; 601 is co-owned, its first owner votes."""
    issue_id = stairwell_issue_in_deliberation(api, world)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id, rule={"preset": "simple_majority"})
    vote = chair.get(f"/api/votes/{vote_id}").json["vote"]
    # Two heads: 89.52 + 102.36 = 191.88 m² for the resident, 89.52 m² for 601.
    assert (vote["eligible_headcount"], vote["eligible_area"]) == (2, "281.40")

    resident = api.as_user("resident")
    mine = voted(resident, vote_id, "for")
    assert mine["household"] == "1栋 1单元 301, 1栋 1单元 302"
    refused(cast(resident, vote_id, "against", unit=world.unit_302), 409, "replaces")
    standing = chair.get(f"/api/votes/{vote_id}/tally").json
    assert weighs(standing["participants"]) == (1, Decimal("191.88"))

    second_co_owner = bearer(
        account_with_token(app, world.co_owner_b, "qian_leitao", world.home), app.test_client()
    )
    before = snapshot(app)
    refused(cast(second_co_owner, vote_id, "against"), 403)
    refused(cast(second_co_owner, vote_id, "against", unit=world.unit_601), 403)
    refused(cast(api.as_user("tenant"), vote_id, "against"), 403)
    assert snapshot(app) == before
    assert second_co_owner.get(f"/api/votes/{vote_id}").json["households"] == []
    household = voted(api.as_user("coowner"), vote_id, "against")
    assert household["household"] == "1栋 1单元 601"
    standing = chair.get(f"/api/votes/{vote_id}/tally").json
    assert weighs(standing["participants"]) == (2, Decimal("281.40"))
    assert weighs(standing["options"]["for"]) == (1, Decimal("191.88"))


# Refusals of the council's side -----------------------------------------------------------------


GUANGZHOU_PLAN = {"name": "按楼层系数", "total": 138_000_000, "subsidy": 40_000_000,
                  "floor_coefficients": GUANGZHOU}  # fmt: skip


def all_zero_coefficients() -> dict:
    return {
        "label": "只由底层出资",
        "plan": {"name": "零系数", "total": 1_000_000, "base": "area",
                 "floor_coefficients": {str(f): "0" for f in range(1, 10)}},
    }  # fmt: skip


def test_a_vote_set_up_wrongly_is_refused_naming_the_field(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    custom = {"preset": "custom", "participation": [], "approval": []}
    threshold = {"measure": "area", "fraction": "1/2", "comparison": "more_than"}
    cases = [
        ({"rule": {**custom, "approval": [{**threshold, "fraction": "1.5"}]}},
         "rule.approval.0.fraction"),
        ({"rule": {**custom, "approval": [threshold],
                   "participation": [{**threshold, "fraction": "-1/3"}]}},
         "rule.participation.0.fraction"),
        ({"rule": {**custom, "approval": [{**threshold, "fraction": 0.5}]}},
         "rule.approval.0.fraction"),
        ({"rule": {**custom, "approval": [{**threshold, "measure": "votes"}]}},
         "rule.approval.0.measure"),
        ({"rule": {"preset": "elevator"}}, "rule.preset"),
        ({"rule": {"preset": "major_matter", "approval": [threshold]}}, "rule.approval"),
        ({"plans": [all_zero_coefficients()]}, "plans.0.plan.floor_coefficients"),
        ({"kind": "plans", "plans": [elevator_plans()[0], all_zero_coefficients()]},
         "plans.1.plan.floor_coefficients"),
        ({"plans": [{"plan": {**GUANGZHOU_PLAN, "total": -1}}]}, "plans.0.plan.total"),
        ({"plans": [{"plan": {**GUANGZHOU_PLAN, "subsidy": 10**12}}]}, "plans.0.plan.subsidy"),
        ({"plans": [{"plan": {**GUANGZHOU_PLAN, "floor_coefficients": {"3": 0.7}}}]},
         "plans.0.plan.floor_coefficients.3"),
        ({"kind": "plans", "plans": [elevator_plans()[0]]}, "plans"),
        ({"plans": elevator_plans()}, "plans"),
        ({"closes_at": in_days(-1)}, "closes_at"),
        ({"opens_at": in_days(3), "closes_at": in_days(2)}, "closes_at"),
        ({"closes_at": "next week"}, "closes_at"),
        ({"kind": "referendum"}, "kind"),
        ({"title": "   "}, "title"),
        ({"rule": {**custom, "approval": [{**threshold, "measure": "weight"}]}},
         "unit_weights"),
        ({"unit_weights": {"9栋": "1"}}, "unit_weights"),
        ({"unit_weights": {str(stairwell.units["101"]): "-1"}}, "unit_weights"),
        # The electorate: another community's flat, none at all, a stairwell nobody owns in.
        ({"electorate": {"kind": "units", "ids": [world.far_unit]}}, "electorate"),
        ({"electorate": {"kind": "units", "ids": []}}, "electorate"),
        ({"electorate": {"kind": "stairwells", "ids": [world.stair_1_2]}}, "electorate"),
        ({"electorate": {"kind": "floors", "ids": [3]}}, "electorate"),
    ]  # fmt: skip
    before = snapshot(app)
    for change, field in cases:
        reply = chair.post(f"/api/issues/{issue_id}/votes", vote_body(**change))
        assert reply.status == 422, (change, reply.json)
        assert field in reply.json["fields"], (change, reply.json)
        assert set(reply.json) == {"error", "message", "fields"}
    assert snapshot(app) == before
    assert chair.get(f"/api/issues/{issue_id}").json["state"] == "deliberation"


def test_a_custom_rule_counts_ownership_shares_given_per_unit(app, api, world, stairwell):
    """As abroad: each flat weighs its share (x01: 1, x02: 2; the stairwell 27 in all)."""
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    weights = {str(u): "1" if room.endswith("1") else "2" for room, u in stairwell.units.items()}
    rule = {
        "preset": "custom",
        "participation": [{"measure": "weight", "fraction": "20%", "comparison": "at_least"}],
        "approval": [{"measure": "weight", "fraction": "1/2", "comparison": "more_than"}],
        "abstention": "participation_only",
    }
    without_101 = {k: v for k, v in weights.items() if k != str(stairwell.units["101"])}
    lacking = set_up_vote(chair, issue_id, rule=rule, unit_weights=without_101)["id"]
    before = snapshot(app)
    refused(chair.post(f"/api/votes/{lacking}/open"), 422, "unit_weights")
    assert snapshot(app) == before  # no electorate half copied
    refused(chair.post(f"/api/issues/{issue_id}/votes", vote_body(unit_weights=weights)), 409)
    assert chair.delete(f"/api/votes/{lacking}").status == 204  # taken back, never opened

    vote_id = running_vote(chair, issue_id, rule=rule, unit_weights=weights)
    page = owner(app, stairwell, "801").get(f"/api/votes/{vote_id}").json
    assert page["rule_text"][:2] == [
        "At least 1/5 of all ownership shares must take part.",
        "More than 1/2 of the participating ownership shares must approve.",
    ]
    for room, choice in [("901", "for"), ("902", "for"), ("801", "for"), ("802", "against"),
                         ("702", "abstain")]:  # fmt: skip
        voted(owner(app, stairwell, room), vote_id, choice)
    closed = chair.post(f"/api/votes/{vote_id}/close", {"if_failed": "closed", "reason": "x"})
    result = closed.json["result"]
    assert result["eligible"]["weight"] == "27.000000"
    # Took part: 1 + 2 + 1 + 2 + 2 = 8 of 27 = 29.63%; approval among those who did not
    # abstain: for 4 of 6 = 66.67%.
    assert said_texts(result["reasons"]) == [
        "participation by weight 29.63% >= 20.00%: met",
        "approval of for by weight 66.67% > 50.00%: met",
    ]
    assert (closed.json["passed"], closed.json["winner"]) == (True, "for")


def test_a_vote_not_yet_opened_is_cancelled_by_the_council_only(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    late = set_up_vote(chair, issue_id)["id"]
    move_closing_time_past(app, late)  # the meeting never took place
    before = snapshot(app)
    refused(chair.post(f"/api/votes/{late}/open"), 409, "closes_at")
    refused(api.as_user("tenant").delete(f"/api/votes/{late}"), 403)
    refused(owner(app, stairwell, "501").delete(f"/api/votes/{late}"), 403)
    refused(api.as_user("neighbour_resident").delete(f"/api/votes/{late}"), 404)
    assert snapshot(app) == before
    assert api.as_user("committee").delete(f"/api/votes/{late}").status == 204
    refused(chair.get(f"/api/votes/{late}"), 404)
    assert chair.get(f"/api/issues/{issue_id}").json["state"] == "judgment"
    vote_id = running_vote(chair, issue_id)
    before = snapshot(app)
    refused(chair.delete(f"/api/votes/{vote_id}"), 409)  # open: it can only be closed now
    assert snapshot(app) == before
    assert [v["id"] for v in chair.get(f"/api/issues/{issue_id}/votes").json] == [vote_id]


def test_only_the_council_sets_up_opens_and_closes_a_vote(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    before = snapshot(app)
    for username, status in [("tenant", 403), ("resident", 403), ("manager", 403),
                             ("neighbour_resident", 404), ("outsider", 404)]:  # fmt: skip
        reply = api.as_user(username).post(f"/api/issues/{issue_id}/votes", vote_body())
        refused(reply, status)
    refused(owner(app, stairwell, "501").post(f"/api/issues/{issue_id}/votes", vote_body()), 403)
    assert api.post(f"/api/issues/{issue_id}/votes", vote_body()).status == 401
    assert snapshot(app) == before

    vote_id = set_up_vote(api.as_user("committee"), issue_id)["id"]  # the committee may too
    before = snapshot(app)
    for client, status in [(api.as_user("tenant"), 403), (owner(app, stairwell, "501"), 403),
                           (api.as_user("neighbour_resident"), 404)]:  # fmt: skip
        refused(client.post(f"/api/votes/{vote_id}/open"), status)
    assert snapshot(app) == before
    open_vote(api.as_user("committee"), vote_id)

    before = snapshot(app)
    for client, status in [(api.as_user("resident"), 403), (owner(app, stairwell, "501"), 403),
                           (api.as_user("outsider"), 404)]:  # fmt: skip
        body = {"if_failed": "deliberation", "reason": "想结束"}
        refused(client.post(f"/api/votes/{vote_id}/close", body), status)
    assert snapshot(app) == before
    closed = api.as_user("chair").post(
        f"/api/votes/{vote_id}/close", {"if_failed": "deliberation", "reason": "会议决定"}
    )
    assert closed.status == 200, closed.json
    assert api.as_user("neighbour_resident").get(f"/api/votes/{vote_id}").status == 404
    assert api.as_user("tenant").get(f"/api/votes/{vote_id}").json["manages"] is False


def test_a_vote_needs_an_issue_ready_for_it_and_one_at_a_time(app, api, world, stairwell):
    chair = api.as_user("chair")
    collecting = propose(api.as_user("resident"), world.home, title="还在收集支持")
    before = snapshot(app)
    refused(chair.post(f"/api/issues/{collecting['id']}/votes", vote_body()), 409, "issue")
    refused(chair.post("/api/issues/999999/votes", vote_body()), 404)
    assert snapshot(app) == before

    issue_id = issue_in_deliberation(api, world, stairwell)
    first = set_up_vote(chair, issue_id)
    before = snapshot(app)
    refused(chair.post(f"/api/issues/{issue_id}/votes", vote_body(title="第二次")), 409)
    assert snapshot(app) == before
    open_vote(chair, first["id"])
    before = snapshot(app)
    refused(chair.post(f"/api/votes/{first['id']}/open"), 409)
    refused(chair.post(f"/api/issues/{issue_id}/votes", vote_body(title="第三次")), 409)
    assert snapshot(app) == before
    assert [v["id"] for v in chair.get(f"/api/issues/{issue_id}/votes").json] == [first["id"]]


def test_closing_is_refused_without_a_destination_a_reason_or_with_sheets_pending(
    app, api, world, stairwell
):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair, committee = api.as_user("chair"), api.as_user("committee")
    vote_id = set_up_vote(chair, issue_id)["id"]
    close = f"/api/votes/{vote_id}/close"
    refused(chair.post(close, {"if_failed": "closed", "reason": "未开始"}), 409)
    open_vote(chair, vote_id)
    sheet = chair.post(
        f"/api/votes/{vote_id}/paper-ballots",
        {"unit": stairwell.units["101"], "choice": "for", "sheet": "纸质票-007"},
    ).json
    before = snapshot(app)
    for body, status, field in [
        ({"if_failed": "maybe", "reason": "x"}, 422, "if_failed"),
        ({"reason": "x"}, 422, "if_failed"),
        ({"if_failed": "closed"}, 422, "reason"),  # it runs for a week yet
        ({"if_failed": "closed", "reason": "   "}, 422, "reason"),
        ({"if_failed": "closed", "reason": "x" * 2001}, 422, "reason"),
        ({"if_failed": "closed", "reason": "纸质票未确认"}, 409, None),
    ]:
        refused(chair.post(close, body), status, field)
    assert snapshot(app) == before
    assert committee.post(f"/api/votes/{vote_id}/paper-ballots/{sheet['id']}/confirm").status == 200
    closed = chair.post(close, {"if_failed": "closed", "reason": "纸质票已确认"})
    assert closed.status == 200, closed.json
    assert weighs(closed.json["result"]["participants"]) == (1, Decimal("89.50"))
    before = snapshot(app)
    refused(chair.post(close, {"if_failed": "closed", "reason": "again"}), 409)
    assert snapshot(app) == before


def test_a_vote_past_its_closing_time_closes_without_a_reason(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id)
    voted(owner(app, stairwell, "501"), vote_id, "for")
    move_closing_time_past(app, vote_id)
    refused(cast(owner(app, stairwell, "502"), vote_id, "for"), 409)
    closed = chair.post(f"/api/votes/{vote_id}/close", {"if_failed": "deliberation"})
    assert closed.status == 200, closed.json
    assert closed.json["passed"] is False
    assert check_chain(chair, vote_id)[-1]["payload"]["early_reason"] == ""


def test_two_plans_of_one_name_are_refused(api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    plans = elevator_plans()
    plans[1]["label"] = plans[0]["label"]
    plans[1]["plan"]["name"] = plans[0]["plan"]["name"]
    reply = api.as_user("chair").post(
        f"/api/issues/{issue_id}/votes",
        {"title": "电梯分摊", "kind": "plans", "rule": {"preset": "major_matter"},
         "closes_at": in_days(3), "plans": plans},
    )  # fmt: skip
    assert reply.status == 422 and "plans.1.label" in reply.json["fields"], reply.json
