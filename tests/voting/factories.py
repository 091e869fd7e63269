"""A stairwell of owners for votes: the elevator case of docs/domain.md, with accounts, tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from sqlalchemy import select

from hall.community.accounts import issue_token
from hall.community.models import Account, Community, Person
from hall.community.roles import Role
from hall.extensions import db
from hall.issues.models import Issue
from hall.ledger.models import LedgerChain, LedgerEntry
from hall.realtime.models import OutboxEvent, RoomSequence
from hall.types import utcnow
from hall.voting.models import (
    Ballot,
    ElectorateUnit,
    ElectorateVoter,
    Household,
    Proxy,
    Vote,
    VoteOption,
)
from tests.api_client import ApiClient
from tests.factories import account, building, grant, own, person, unit
from tests.fixtures.issues import OneTokenEach, configure, propose, recompute

# Two flats a floor, as in most 1990s stairwells: the east one larger.
AREAS = ("89.50", "112.30")
# Guangzhou's differentiated coefficients (docs/domain.md): floors 1-2 pay nothing.
GUANGZHOU = {"1": "0", "2": "0", "3": "0.7", "4": "0.8", "5": "0.9", "6": "1.0", "7": "1.1",
             "8": "1.2", "9": "1.3"}  # fmt: skip


@dataclass
class Stairwell:
    """Ids by room ("301"), and each owner's account and bearer token."""

    building_id: int
    stairwell_id: int
    name: str = ""
    units: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def rooms(self) -> list[str]:
        return list(self.units)


def stairwell_of_owners(
    community_id: int, name: str = "9栋", floors: int = 9, per_floor: int = 2
) -> Stairwell:
    """A building of one stairwell, each flat owned by its own resident with an account."""
    community = db.session.get(Community, community_id)
    built = building(community, name)
    stairwell = built.stairwells[0]
    found = Stairwell(built.id, stairwell.id, name)
    for floor in range(1, floors + 1):
        for position in range(1, per_floor + 1):
            room = f"{floor}{position:02d}"
            flat = unit(stairwell, room, floor, AREAS[(position - 1) % len(AREAS)])
            owner = person(community, f"业主{name}{room}", f"139{floor:04d}{position:04d}")
            own(flat, owner)
            holder = account(f"owner_{built.id}_{room}", owner)
            grant(holder, Role.RESIDENT, community)
            token, _ = issue_token(holder, "tests")
            found.units[room] = flat.id
            found.people[room] = owner.id
            found.accounts[room] = holder.id
            found.tokens[room] = token
    db.session.commit()
    return found


def in_days(days: float) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def elevator_plans() -> list[dict]:
    """Two plans for 1,380,000.00 yuan with a 400,000.00 subsidy: by area alone, or
    differentiated by floor with 2,000.00 to each flat on floors 1 and 2."""
    return [
        {"label": "按面积分摊", "plan": {"name": "按面积分摊", "total": 138_000_000,
                                     "subsidy": 40_000_000, "base": "area"}},
        {"label": "按楼层系数", "plan": {"name": "按楼层系数", "total": 138_000_000,
                                     "subsidy": 40_000_000, "base": "area",
                                     "floor_coefficients": GUANGZHOU,
                                     "compensation": {"1": 200_000, "2": 200_000}}},
    ]  # fmt: skip


# The API side of a vote: clients, an issue ready for one, setting it up, table snapshots --------

# Every table a request of the voting stage may write to: a refused one leaves them as they were.
WRITTEN_TABLES = (
    Issue,
    Vote,
    VoteOption,
    Household,
    ElectorateUnit,
    ElectorateVoter,
    Proxy,
    Ballot,
    LedgerEntry,
    LedgerChain,
    OutboxEvent,
    RoomSequence,
)


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table a voting request writes to, in a stable order."""
    with app.app_context():
        rows = {
            model.__tablename__: sorted(
                (tuple(row) for row in db.session.execute(select(model.__table__))), key=repr
            )
            for model in WRITTEN_TABLES
        }
        db.session.remove()
    return rows


class TokenEach(OneTokenEach):
    """OneTokenEach without the password: each account gets a bearer token straight from the
    database. Logging in checks an argon2 hash, slow on purpose, and these tests act as many."""

    def as_user(self, username: str) -> ApiClient:
        if username not in self.logged_in:
            with self.client.application.app_context():
                holder = db.session.scalar(select(Account).where(Account.username == username))
                token, _ = issue_token(holder, "tests")
                db.session.remove()
            self.logged_in[username] = bearer(token, self.client)
        return self.logged_in[username]


def bearer(token: str, client) -> ApiClient:
    """An API client over `client` (a Flask test client) that sends `token`."""
    holder = ApiClient(client)
    holder.token = token
    return holder


def owner(app, stairwell: Stairwell, room: str) -> ApiClient:
    """The owner of `room` in the stairwell, on a test client of their own."""
    return bearer(stairwell.tokens[room], app.test_client())


def account_with_token(app, person_id: int | None, username: str, community_id: int) -> str:
    """A new resident account (for a person of the roster, or none) and its bearer token."""
    with app.app_context():
        who = db.session.get(Person, person_id) if person_id else None
        holder = account(username, who)
        grant(holder, Role.RESIDENT, db.session.get(Community, community_id))
        token, _ = issue_token(holder, "tests")
        db.session.remove()
    return token


def issue_in_deliberation(api, world, stairwell: Stairwell) -> int:
    """The stairwell's elevator issue, supported by one owner and so in deliberation."""
    configure(api, world.home, support_threshold=1)
    issue_id = propose(
        api.as_user("resident"),
        world.home,
        title=f"{stairwell.name}电梯更换",
        scope=("buildings", [stairwell.building_id]),
    )["id"]
    supported = api.client.post(
        f"/api/issues/{issue_id}/support",
        headers={"Authorization": f"Bearer {stairwell.tokens[stairwell.rooms[-1]]}"},
    )
    assert supported.status_code == 200, supported.get_json()
    assert supported.get_json()["state"] == "deliberation"
    return issue_id


def stairwell_issue_in_deliberation(api, world) -> int:
    """An issue on the world's 1栋 1单元 (units 301 and 302 of "resident", 601 co-owned)."""
    configure(api, world.home, support_threshold=1)
    issue_id = propose(
        api.as_user("tenant"),
        world.home,
        title="1单元加装电梯",
        scope=("stairwells", [world.stair_1_1]),
    )["id"]
    supported = api.as_user("resident").post(f"/api/issues/{issue_id}/support")
    assert supported.json["state"] == "deliberation", supported.json
    return issue_id


def vote_body(**fields) -> dict:
    """A vote as the council sets it up: for or against, Art. 278's major matter, a week."""
    return {
        "title": "是否更换电梯",
        "kind": "approval",
        "rule": {"preset": "major_matter"},
        "closes_at": in_days(7),
        **fields,
    }


def set_up_vote(chair: ApiClient, issue_id: int, **fields) -> dict:
    reply = chair.post(f"/api/issues/{issue_id}/votes", vote_body(**fields))
    assert reply.status == 201, reply.json
    return reply.json


def open_vote(chair: ApiClient, vote_id: int) -> dict:
    reply = chair.post(f"/api/votes/{vote_id}/open")
    assert reply.status == 200, reply.json
    assert reply.json["state"] == "open"
    return reply.json


def running_vote(chair: ApiClient, issue_id: int, **fields) -> int:
    """A vote set up on the issue and opened; its id."""
    vote_id = set_up_vote(chair, issue_id, **fields)["id"]
    open_vote(chair, vote_id)
    return vote_id


def cast(client: ApiClient, vote_id: int, choice: str, *, headers: dict | None = None, **extra):
    """A ballot sent; `headers` such as Accept-Language go with the request."""
    return client.post(
        f"/api/votes/{vote_id}/ballots", {"choice": choice, **extra}, headers=dict(headers or {})
    )


def voted(client: ApiClient, vote_id: int, choice: str, **extra) -> dict:
    """A ballot cast and asserted accepted; its receipt as the API gave it."""
    reply = cast(client, vote_id, choice, **extra)
    assert reply.status == 201, reply.json
    return reply.json


def refused(reply, status: int, field: str | None = None) -> None:
    """A refusal in the one error shape, naming `field` where there is one."""
    assert reply.status == status, reply.json
    assert set(reply.json) == {"error", "message", "fields"}, reply.json
    assert reply.json["message"], reply.json
    if field is not None:
        assert field in reply.json["fields"], reply.json


def whole_ledger(client: ApiClient, vote_id: int) -> tuple[dict, list[dict]]:
    """The vote's chain read page by page: its last page and every entry."""
    entries, after = [], 0
    while True:
        page = client.get(f"/api/votes/{vote_id}/ledger?after={after}&limit=50")
        assert page.status == 200, page.json
        entries += page.json["entries"]
        if page.json["next_after"] is None:
            return page.json, entries
        after = page.json["next_after"]


def check_chain(client: ApiClient, vote_id: int) -> list[dict]:
    """The vote's chain recomputed offline entry by entry; its entries."""
    page, entries = whole_ledger(client, vote_id)
    assert page["chain"] == f"vote:{vote_id}"
    previous = "0" * 64
    for position, entry in enumerate(entries, start=1):
        assert entry["position"] == position
        assert entry["previous_hash"] == previous
        assert recompute(page["chain"], entry) == entry["hash"], entry
        previous = entry["hash"]
    assert (page["length"], page["head_hash"]) == (len(entries), previous)
    return entries


def largest_remainder_split(amount: int, weights: list[Fraction]) -> list[int]:
    """The fen split as docs/domain.md says, written out again here to check Hall's against."""
    total = sum(weights)
    exact_parts = [amount * w / total for w in weights]
    floors = [int(part) for part in exact_parts]
    order = sorted(range(len(weights)), key=lambda i: (-(exact_parts[i] - floors[i]), i))
    for i in order[: amount - sum(floors)]:
        floors[i] += 1
    return floors


def move_closing_time_past(app, vote_id: int) -> None:
    """The vote's week is over: it opened eight days ago and its closing time was yesterday."""
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        vote.opens_at = utcnow() - timedelta(days=8)
        vote.closes_at = utcnow() - timedelta(days=1)
        db.session.commit()
        db.session.remove()
