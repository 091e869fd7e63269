"""Two devices of one owner casting at the same moment: one ballot wins, the other is told so.

A real threaded HTTP server (Werkzeug's, as `tests/browser` serves Hall) takes 200 ballots from
100 owners at once, each owner sending from two devices; on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from hall.extensions import db as hall_db
from hall.ledger.models import LedgerEntry
from hall.voting.models import Ballot
from tests.voting.factories import (
    issue_in_deliberation,
    running_vote,
    stairwell_of_owners,
)

WORKERS = 32


@pytest.fixture
def tower(app, world):
    """A building of 50 floors, two flats each: 100 owners with accounts."""
    with app.app_context():
        return stairwell_of_owners(world.home, name="50栋", floors=50)


def post(url: str, token: str, body: dict, together: threading.Barrier) -> tuple[int, dict]:
    with requests.Session() as session:  # a device of its own: its own connection
        together.wait(timeout=30)
        reply = session.post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        return reply.status_code, reply.json()


def from_two_devices(url: str, tower, bodies: dict[str, tuple[dict, dict]]) -> list[tuple]:
    """Each owner's two bodies sent from two devices at the same moment, all owners at once:
    (room, status, answer) for every request."""
    # The two devices of one owner wait for each other, then send together. Their requests
    # are queued one after the other, so the partner of a waiting device is always next.
    together = {room: threading.Barrier(2) for room in bodies}
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [
            (room, pool.submit(post, url, tower.tokens[room], body, together[room]))
            for room, pair in bodies.items()
            for body in pair
        ]
        return [(room, *future.result(timeout=60)) for room, future in futures]


def one_won_each(answers: list[tuple], rooms: list[str], refusal: str) -> dict[str, dict]:
    """Exactly one 201 and one 409 (`refusal`) per owner, never a 500; the winning answers by
    room."""
    statuses = Counter(status for _, status, _ in answers)
    unexpected = [a for a in answers if a[1] not in (201, 409)][:3]
    assert statuses == {201: len(rooms), 409: len(rooms)}, unexpected
    won = {room: body for room, status, body in answers if status == 201}
    lost = {room: body for room, status, body in answers if status == 409}
    assert set(won) == set(lost) == set(rooms)
    assert {body["error"] for body in lost.values()} == {refusal}
    assert all("replaces" in body["fields"] for body in lost.values()), lost
    assert all(len(body["receipt"]) == 64 for body in won.values())
    return won


def ballots_and_chain(app, vote_id: int) -> tuple[dict[str, tuple[str, int]], int]:
    """The vote's ballots (receipt -> choice, changes) and its chain's length, from the rows."""
    with app.app_context():
        rows = hall_db.session.execute(
            select(Ballot.receipt, Ballot.choice, Ballot.changes).where(Ballot.vote_id == vote_id)
        )
        kept = {receipt: (choice, changes) for receipt, choice, changes in rows}
        chained = hall_db.session.scalar(
            select(func.count()).where(LedgerEntry.chain == f"vote:{vote_id}")
        )
        hall_db.session.remove()
    return kept, chained


def test_each_household_gets_one_ballot_when_two_devices_cast_at_once(
    app, api, world, tower, live_server
):
    issue_id = issue_in_deliberation(api, world, tower)
    chair = api.as_user("chair")
    vote_id = running_vote(chair, issue_id, rule={"preset": "simple_majority"})
    url = f"{live_server}/api/votes/{vote_id}/ballots"

    # Each owner's two devices choose differently, so the ballot kept shows which one won.
    first = {room: ({"choice": "for"}, {"choice": "against"}) for room in tower.rooms}
    won = one_won_each(from_two_devices(url, tower, first), tower.rooms, "already_voted")
    kept, chained = ballots_and_chain(app, vote_id)
    assert len(kept) == 100
    assert kept == {body["receipt"]: (body["choice"], 0) for body in won.values()}
    assert chained == 1 + 100
    verified = chair.get(f"/api/votes/{vote_id}/ledger/verify").json
    assert (verified["ok"], verified["length"]) == (True, 1 + 100), verified
    tally = chair.get(f"/api/votes/{vote_id}/tally").json
    assert tally["participants"]["headcount"] == 100
    assert sum(option["headcount"] for option in tally["options"].values()) == 100

    # Half the owners then change their ballot from both devices, each naming the receipt it
    # saw: one change wins, the other is told the ballot moved on.
    changers = tower.rooms[::2]
    change = {
        room: tuple({"choice": "abstain", "replaces": won[room]["receipt"]} for _ in range(2))
        for room in changers
    }
    changed = one_won_each(from_two_devices(url, tower, change), changers, "receipt_not_latest")
    kept, chained = ballots_and_chain(app, vote_id)
    assert len(kept) == 100
    assert {kept[body["receipt"]] for body in changed.values()} == {("abstain", 1)}
    unchanged = {won[room]["receipt"] for room in tower.rooms[1::2]}
    assert {receipt: kept[receipt] for receipt in unchanged} == {
        won[room]["receipt"]: (won[room]["choice"], 0) for room in tower.rooms[1::2]
    }
    assert chained == 1 + 100 + 50
    verified = chair.get(f"/api/votes/{vote_id}/ledger/verify").json
    assert (verified["ok"], verified["length"]) == (True, 1 + 100 + 50), verified
    tally = chair.get(f"/api/votes/{vote_id}/tally").json
    assert tally["options"]["abstain"]["headcount"] == 50
    assert sum(option["headcount"] for option in tally["options"].values()) == 100
    assert tally["participants"]["headcount"] == 50  # a simple majority ignores abstentions
