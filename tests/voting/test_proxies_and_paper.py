"""Proxies and paper ballots through the API, on SQLite and PostgreSQL.

A proxy is one level: the owner (or the council, recording the owner's letter) authorises a
resident, who casts for that household and cannot pass it on. A paper sheet is recorded by one
council member and counts once a second confirms it. Paper and online exclude each other: the
first counts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from hall.extensions import db as hall_db
from hall.types import utcnow
from hall.voting.models import Proxy
from tests.voting.factories import (
    cast,
    check_chain,
    in_days,
    issue_in_deliberation,
    move_closing_time_past,
    owner,
    refused,
    running_vote,
    set_up_vote,
    snapshot,
    voted,
)


@pytest.fixture
def vote_id(api, world, stairwell) -> int:
    """An open for-or-against vote of the stairwell 9栋."""
    issue_id = issue_in_deliberation(api, world, stairwell)
    return running_vote(api.as_user("chair"), issue_id, rule={"preset": "simple_majority"})


def grant(client, vote_id: int, holder_account: int, **extra):
    return client.post(
        f"/api/votes/{vote_id}/proxies",
        {"proxy_account_id": holder_account, "authorisation": "委托书 2024-09", **extra},
    )


def record(client, vote_id: int, unit: int, choice: str = "for", sheet: str = "纸质票-1"):
    return client.post(
        f"/api/votes/{vote_id}/paper-ballots", {"unit": unit, "choice": choice, "sheet": sheet}
    )


# Proxies ----------------------------------------------------------------------------------------


def test_a_proxy_casts_for_the_household_that_authorised_it_until_revoked(
    app, api, world, stairwell, vote_id
):
    away, holder = owner(app, stairwell, "901"), owner(app, stairwell, "101")
    given = grant(away, vote_id, stairwell.accounts["101"])
    assert given.status == 201, given.json
    proxy = given.json
    assert (proxy["member"], proxy["proxy_person_id"], proxy["revoked_at"]) == (
        "9栋 1单元 901",
        stairwell.people["101"],
        None,
    )
    # The owner handed the ballot over: they vote again only once they take it back.
    before = snapshot(app)
    refused(cast(away, vote_id, "against"), 409, "unit")
    assert snapshot(app) == before

    page = holder.get(f"/api/votes/{vote_id}").json
    assert [(h["label"], h["proxy_id"]) for h in page["households"]] == [
        ("9栋 1单元 101", None),
        ("9栋 1单元 901", proxy["id"]),
    ]
    for_them = voted(holder, vote_id, "for", unit=stairwell.units["901"])
    assert (for_them["channel"], for_them["household"]) == ("proxy", "9栋 1单元 901")
    mine = voted(holder, vote_id, "against")
    assert (mine["channel"], mine["household"]) == ("online", "9栋 1单元 101")
    changed = voted(
        holder, vote_id, "abstain", unit=stairwell.units["901"], replaces=for_them["receipt"]
    )
    entries = check_chain(holder, vote_id)
    assert [e["kind"] for e in entries] == [
        "vote.opened", "proxy.granted", "ballot.cast", "ballot.cast", "ballot.cast",
    ]  # fmt: skip
    granted = entries[1]
    assert granted["hash"] == proxy["entry_hash"]
    assert granted["payload"] == {
        "vote_id": vote_id,
        "member": 17,
        "proxy_person": stairwell.people["101"],
        "authorisation": "委托书 2024-09",
        "expires_at": None,
    }
    assert entries[2]["payload"]["proxy"] == proxy["entry_hash"]
    assert entries[2]["actor"] == stairwell.accounts["101"]

    revoked = away.delete(f"/api/votes/{vote_id}/proxies/{proxy['id']}")
    assert revoked.status == 200, revoked.json
    assert revoked.json["revoked_at"] is not None
    before = snapshot(app)
    refused(
        cast(holder, vote_id, "for", unit=stairwell.units["901"], replaces=changed["receipt"]),
        403,
    )
    assert snapshot(app) == before
    myself = voted(away, vote_id, "for", replaces=changed["receipt"])
    assert myself["channel"] == "online"
    standing = api.as_user("chair").get(f"/api/votes/{vote_id}/tally").json
    assert standing["options"]["for"]["headcount"] == 1
    assert standing["options"]["against"]["headcount"] == 1
    assert standing["participants"]["headcount"] == 2


def test_the_council_records_an_owners_letter_naming_a_tenant(app, api, world, stairwell, vote_id):
    chair, tenant = api.as_user("chair"), api.as_user("tenant")
    letter = grant(chair, vote_id, world.tenant_account, unit=stairwell.units["802"])
    assert letter.status == 201, letter.json
    assert letter.json["proxy_person_id"] == world.tenant
    cast_for = voted(tenant, vote_id, "against", unit=stairwell.units["802"])
    assert cast_for["channel"] == "proxy"
    # The tenant still has no household of their own in the vote.
    refused(cast(tenant, vote_id, "for"), 403)


def test_an_expired_proxy_casts_nothing(app, api, world, stairwell, vote_id):
    away, holder = owner(app, stairwell, "902"), owner(app, stairwell, "102")
    before = snapshot(app)
    refused(grant(away, vote_id, stairwell.accounts["102"], expires_at=in_days(-0.01)), 422,
            "expires_at")  # fmt: skip
    assert snapshot(app) == before
    given = grant(away, vote_id, stairwell.accounts["102"], expires_at=in_days(1 / 24))
    assert given.status == 201, given.json
    with app.app_context():
        hall_db.session.execute(
            update(Proxy)
            .where(Proxy.id == given.json["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        hall_db.session.commit()
        hall_db.session.remove()
    before = snapshot(app)
    late = cast(holder, vote_id, "for", unit=stairwell.units["902"])
    refused(late, 403)
    assert late.json["error"] == "proxy_expired"
    late = cast(
        holder, vote_id, "for", unit=stairwell.units["902"], headers={"Accept-Language": "en"}
    )
    assert "expired" in late.json["message"]
    assert snapshot(app) == before


def test_a_proxy_cannot_be_passed_on_nor_given_twice(app, api, world, stairwell, vote_id):
    away, holder = owner(app, stairwell, "601"), owner(app, stairwell, "102")
    assert grant(away, vote_id, stairwell.accounts["102"]).status == 201
    # 702 authorises the tenant, who owns nothing in this vote.
    assert grant(owner(app, stairwell, "702"), vote_id, world.tenant_account).status == 201
    tenant = api.as_user("tenant")
    voted(owner(app, stairwell, "502"), vote_id, "for")
    before = snapshot(app)
    for client, body, status, field in [
        # The holder passes 601's ballot on: the holder is no owner of 601, nor the council.
        (holder, {"proxy_account_id": stairwell.accounts["202"], "unit": stairwell.units["601"]},
         403, None),
        (tenant, {"proxy_account_id": stairwell.accounts["202"]}, 403, None),
        (tenant, {"proxy_account_id": stairwell.accounts["202"], "unit": stairwell.units["702"]},
         403, None),
        (api.as_user("resident"),
         {"proxy_account_id": stairwell.accounts["202"], "unit": stairwell.units["801"]},
         403, None),
        # 601 gives a second proxy while the first stands.
        (away, {"proxy_account_id": stairwell.accounts["202"]}, 409, None),
        # 502 has voted: nothing left to hand over.
        (owner(app, stairwell, "502"), {"proxy_account_id": stairwell.accounts["202"]}, 409, None),
        # Only a resident of the community with an account holds a proxy.
        (owner(app, stairwell, "802"), {"proxy_account_id": world.outsider_account}, 422,
         "proxy_account_id"),
        (owner(app, stairwell, "802"), {"proxy_account_id": world.neighbour_resident_account},
         422, "proxy_account_id"),
        (owner(app, stairwell, "802"), {"proxy_account_id": 999999}, 422, "proxy_account_id"),
        (owner(app, stairwell, "802"), {"proxy_account_id": stairwell.accounts["802"]}, 422,
         "proxy_account_id"),
        (owner(app, stairwell, "802"), {"proxy_account_id": stairwell.accounts["202"],
                                        "authorisation": "  "}, 422, "authorisation"),
        (owner(app, stairwell, "802"), {"proxy_account_id": "12"}, 422, "proxy_account_id"),
        (owner(app, stairwell, "802"), {"proxy_account_id": stairwell.accounts["202"],
                                        "unit": world.unit_b2}, 422, "unit"),
    ]:  # fmt: skip
        body = {"authorisation": "委托书", **body}
        reply = client.post(f"/api/votes/{vote_id}/proxies", body)
        refused(reply, status, field)
    assert snapshot(app) == before
    # The proxies given stand, one level deep: their holders cast for those who gave them.
    assert voted(holder, vote_id, "for", unit=stairwell.units["601"])["channel"] == "proxy"
    assert voted(tenant, vote_id, "for", unit=stairwell.units["702"])["channel"] == "proxy"


def test_proxies_are_revoked_by_their_owner_or_the_council_only(
    app, api, world, stairwell, vote_id
):
    given = grant(owner(app, stairwell, "401"), vote_id, stairwell.accounts["402"]).json
    path = f"/api/votes/{vote_id}/proxies/{given['id']}"
    before = snapshot(app)
    refused(owner(app, stairwell, "402").delete(path), 403)  # its holder is not its owner
    refused(api.as_user("tenant").delete(path), 403)
    refused(owner(app, stairwell, "401").delete(f"/api/votes/{vote_id}/proxies/999999"), 404)
    assert snapshot(app) == before
    assert api.as_user("committee").delete(path).status == 200
    refused(owner(app, stairwell, "401").delete(path), 404)  # already revoked


def test_proxies_wait_for_the_electorate(app, api, world, stairwell):
    issue_id = issue_in_deliberation(api, world, stairwell)
    scheduled = set_up_vote(api.as_user("chair"), issue_id)["id"]
    before = snapshot(app)
    refused(grant(owner(app, stairwell, "401"), scheduled, stairwell.accounts["402"]), 409)
    assert snapshot(app) == before


# Paper ballots ----------------------------------------------------------------------------------


def test_a_paper_sheet_counts_once_a_second_council_member_confirms_it(
    app, api, world, stairwell, vote_id
):
    chair, committee = api.as_user("chair"), api.as_user("committee")
    sheet = record(chair, vote_id, stairwell.units["101"], "against", "纸质票-101")
    assert sheet.status == 201, sheet.json
    assert (sheet.json["counted"], sheet.json["paper_sheet"], sheet.json["channel"]) == (
        False,
        "纸质票-101",
        "paper",
    )
    assert chair.get(f"/api/votes/{vote_id}/tally").json["participants"]["headcount"] == 0
    pending = chair.get(f"/api/votes/{vote_id}").json["pending_paper"]
    assert [p["id"] for p in pending] == [sheet.json["id"]]
    assert owner(app, stairwell, "101").get(f"/api/votes/{vote_id}").json["pending_paper"] == []

    confirm = f"/api/votes/{vote_id}/paper-ballots/{sheet.json['id']}/confirm"
    before = snapshot(app)
    refused(chair.post(confirm), 403)  # its own recorder
    refused(owner(app, stairwell, "102").post(confirm), 403)
    refused(api.as_user("tenant").post(confirm), 403)
    refused(committee.post(f"/api/votes/{vote_id}/paper-ballots/999999/confirm"), 404)
    # A sheet handed in for 101: 101 cannot also vote online, and paper is one per household.
    refused(cast(owner(app, stairwell, "101"), vote_id, "for"), 409, "choice")
    refused(record(committee, vote_id, stairwell.units["101"], "for", "纸质票-101b"), 409, "unit")
    assert snapshot(app) == before

    confirmed = committee.post(confirm)
    assert confirmed.status == 200, confirmed.json
    assert confirmed.json["counted"] is True
    refused(committee.post(confirm), 409)
    standing = chair.get(f"/api/votes/{vote_id}/tally").json
    assert standing["options"]["against"]["headcount"] == 1
    assert standing["options"]["against"]["area"] == "89.50"
    entries = check_chain(chair, vote_id)
    assert [e["kind"] for e in entries[1:]] == ["ballot.paper_recorded", "ballot.paper_confirmed"]
    assert entries[1]["hash"] == sheet.json["receipt"]
    assert entries[1]["actor"] == world.chair_account
    assert entries[2]["actor"] == world.committee_account
    assert entries[2]["payload"]["ballot"] == sheet.json["receipt"]
    # Confirmed, the sheet still shuts the online door.
    refused(cast(owner(app, stairwell, "101"), vote_id, "for"), 409, "choice")


def test_paper_and_online_exclude_each_other_and_a_rejected_sheet_reopens_the_door(
    app, api, world, stairwell, vote_id
):
    chair, committee = api.as_user("chair"), api.as_user("committee")
    voted(owner(app, stairwell, "202"), vote_id, "for")
    before = snapshot(app)
    for client, body, status, field in [
        (chair, {"unit": stairwell.units["202"], "choice": "against", "sheet": "S-1"}, 409,
         "unit"),
        (chair, {"unit": stairwell.units["201"], "choice": "maybe", "sheet": "S-1"}, 422,
         "choice"),
        (chair, {"unit": stairwell.units["201"], "choice": "for", "sheet": "  "}, 422, "sheet"),
        (chair, {"unit": stairwell.units["201"], "choice": "for"}, 422, "sheet"),
        (chair, {"unit": world.unit_b2, "choice": "for", "sheet": "S-1"}, 422, "unit"),
        (chair, {"choice": "for", "sheet": "S-1"}, 422, "unit"),
        (owner(app, stairwell, "201"),
         {"unit": stairwell.units["201"], "choice": "for", "sheet": "S-1"}, 403, None),
        (api.as_user("tenant"),
         {"unit": stairwell.units["201"], "choice": "for", "sheet": "S-1"}, 403, None),
    ]:  # fmt: skip
        refused(client.post(f"/api/votes/{vote_id}/paper-ballots", body), status, field)
    assert snapshot(app) == before

    wrong = record(chair, vote_id, stairwell.units["201"], "against", "S-2").json
    reject = f"/api/votes/{vote_id}/paper-ballots/{wrong['id']}/reject"
    before = snapshot(app)
    refused(committee.post(reject, {"reason": "  "}), 422, "reason")
    refused(chair.post(reject, {"reason": "写错了户号"}), 403)
    assert snapshot(app) == before
    assert committee.post(reject, {"reason": "写错了户号"}).status == 204
    refused(committee.post(reject, {"reason": "again"}), 404)
    mine = voted(owner(app, stairwell, "201"), vote_id, "for")
    assert mine["channel"] == "online"
    kinds = [e["kind"] for e in check_chain(chair, vote_id)]
    assert kinds[-3:] == ["ballot.paper_recorded", "ballot.paper_rejected", "ballot.cast"]


def test_a_sheet_handed_in_before_the_closing_time_is_confirmed_after_it(
    app, api, world, stairwell, vote_id
):
    chair, committee = api.as_user("chair"), api.as_user("committee")
    voted(owner(app, stairwell, "301"), vote_id, "for")
    sheet = record(chair, vote_id, stairwell.units["302"], "for", "纸质票-302").json
    move_closing_time_past(app, vote_id)
    before = snapshot(app)
    refused(record(chair, vote_id, stairwell.units["401"], "for", "纸质票-401"), 409)
    refused(chair.post(f"/api/votes/{vote_id}/close", {"if_failed": "closed"}), 409)
    assert snapshot(app) == before
    confirmed = committee.post(f"/api/votes/{vote_id}/paper-ballots/{sheet['id']}/confirm")
    assert confirmed.status == 200, confirmed.json
    closed = chair.post(f"/api/votes/{vote_id}/close", {"if_failed": "closed"})
    assert closed.status == 200, closed.json
    assert closed.json["result"]["participants"]["headcount"] == 2
