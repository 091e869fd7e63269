"""Replay in the manner of Zulip's `verify_action`: for every action the issue stage offers,
a room's state before, plus the events the action sent to the room (each valid under its
schema), applied by a small reducer, equals the room's state fetched afresh after it.

The state is what a client holds, fetched through the REST API: the issue as its proposer
sees it (the issue, its supports and threshold, its timeline, its thread and stance counts),
the community's issue list as a neighbour sees it, and the proposer's notifications. What is
the reader's own (`permissions`, `mine`...) is no event's business and is left out.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable

import pytest
from PIL import Image
from sqlalchemy import select

from hall.extensions import db as hall_db
from hall.issues import lifecycle, notifications, schemas, service, threads
from hall.realtime import catalogue
from hall.realtime.models import OutboxEvent
from hall.text import render
from tests.api_client import ApiClient

ISSUE_FIELDS = tuple(field.data_key or name for name, field in schemas.IssueSchema().fields.items())
READERS_OWN = ("mine", "reported_by_me", "permissions")
NOTIFICATION_TEXT = ("text", "reason_text")  # rendered by the API for its reader


class Room:
    """The state of one issue's rooms as clients hold it, and the reducer that keeps it."""

    def __init__(self, app, accounts: dict[str, ApiClient], community_id: int, issue_id: int):
        self.app = app
        self.accounts = accounts
        self.community_id = community_id
        self.issue_id = issue_id
        self.proposer = "resident"
        self.proposer_account = None

    @property
    def rooms(self) -> dict[str, str]:
        return {
            "issue": f"issue:{self.issue_id}",
            "community": f"community:{self.community_id}",
            "account": f"account:{self.proposer_account}",
        }

    # What a client fetches ----------------------------------------------------------------

    def snapshot(self) -> dict:
        proposer = self.accounts[self.proposer]
        page = proposer.get(f"/api/issues/{self.issue_id}")
        issue = None
        if page.status == 200:
            body = page.json
            issue = {
                "issue": {key: body[key] for key in ISSUE_FIELDS},
                "support_threshold": body["support_threshold"],
                "stance_counts": body["stance_counts"],
                "timeline": body["timeline"],
                "comments": [_without(c, READERS_OWN) for c in body["comments"]],
            }
        listed = self.accounts["tenant"].get(
            f"/api/communities/{self.community_id}/issues?per_page=100"
        )
        mine = proposer.get("/api/notifications").json
        return {
            "issue": issue,
            "list": {row["id"]: row for row in listed.json["items"]},
            "account": {
                "unread": proposer.get("/api/notifications/unread-count").json["unread"],
                "notifications": [_without(n, NOTIFICATION_TEXT + ("read_at",)) for n in mine],
            },
        }

    def seqs(self) -> dict[str, int]:
        with self.app.app_context():
            found = {
                room: hall_db.session.scalar(
                    select(OutboxEvent.seq)
                    .where(OutboxEvent.room == room)
                    .order_by(OutboxEvent.seq.desc())
                    .limit(1)
                )
                or 0
                for room in self.rooms.values()
            }
            hall_db.session.remove()
        return found

    def events_since(self, seqs: dict[str, int]) -> list[dict]:
        with self.app.app_context():
            rows = [
                {"room": row.room, "seq": row.seq, "event": row.event, "data": row.data}
                for room, after in seqs.items()
                for row in hall_db.session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.room == room, OutboxEvent.seq > after)
                    .order_by(OutboxEvent.seq)
                )
            ]
            hall_db.session.remove()
        return rows

    # The reducer ----------------------------------------------------------------------------

    def apply(self, state: dict, envelope: dict) -> None:
        kind = envelope["room"].partition(":")[0]
        name, data = envelope["event"], envelope["data"]
        if kind == "community":
            assert name in ("issue.created", "issue.updated"), name
            state["list"][data["issue"]["id"]] = data["issue"]
        elif kind == "account":
            account = state["account"]
            account["unread"] = data["unread"]
            if name == "notification.created":
                account["notifications"].insert(0, _without(data["notification"], ("read_at",)))
        else:
            self.apply_to_issue(state, name, data)

    def apply_to_issue(self, state: dict, name: str, data: dict) -> None:
        if state["issue"] is None:  # a draft just submitted: its room starts now
            assert name == "issue.created", name
            state["issue"] = {
                "issue": {},
                "support_threshold": None,
                "stance_counts": {"for": 0, "against": 0, "neutral": 0},
                "timeline": [],
                "comments": [],
            }
        issue = state["issue"]
        if name in ("issue.created", "issue.updated", "issue.edited"):
            issue["issue"].update(data["issue"])
        elif name == "issue.state":
            entry = _without(data, ("issue_id",))
            said = entry["said_reason"]
            entry["reason_text"] = render(said) if said else entry["reason"]
            issue["timeline"].append(entry)
        elif name == "issue.supports":
            issue["issue"]["support_count"] = data["support_count"]
            issue["support_threshold"] = data["threshold"]
        elif name == "comment.created":
            _insert_in_reading_order(issue["comments"], data["comment"])
            issue["stance_counts"] = data["stance_counts"]
        elif name == "comment.updated":
            comments = issue["comments"]
            at = next(n for n, c in enumerate(comments) if c["id"] == data["comment"]["id"])
            comments[at] = data["comment"]
            issue["stance_counts"] = data["stance_counts"]
        else:
            raise AssertionError(f"no reducer for {name}")

    # The check --------------------------------------------------------------------------------

    def verify(self, action: Callable[[], object]) -> list[dict]:
        before = self.snapshot()
        seqs = self.seqs()
        action()
        events = self.events_since(seqs)
        for envelope in events:
            registered = catalogue.of(envelope["event"])
            assert envelope["room"].partition(":")[0] in registered.rooms, envelope
            assert registered.errors(envelope["data"]) == {}, envelope
        # A room hears one update per subject and transaction: never the same one twice.
        updates = [(e["room"], e["event"], _subject(e)) for e in events if _subject(e)]
        assert len(updates) == len(set(updates)), updates
        state = before
        for envelope in events:
            self.apply(state, envelope)
        after = self.snapshot()
        assert state == after, "\n".join(_differences(state, after))
        return events


def _subject(envelope: dict):
    if envelope["event"] in ("issue.updated", "issue.edited", "issue.supports"):
        data = envelope["data"]
        return data["issue"]["id"] if "issue" in data else data["issue_id"]
    if envelope["event"] == "comment.updated":
        return envelope["data"]["comment"]["id"]
    return None


def _differences(replayed, fetched, path: str = "") -> list[str]:
    """Where the replayed state and the fetched one part, for a readable failure."""
    if isinstance(replayed, dict) and isinstance(fetched, dict):
        return [
            line
            for key in sorted(set(replayed) | set(fetched), key=str)
            for line in _differences(replayed.get(key), fetched.get(key), f"{path}.{key}")
        ]
    if isinstance(replayed, list) and isinstance(fetched, list) and len(replayed) == len(fetched):
        return [
            line
            for n, (a, b) in enumerate(zip(replayed, fetched, strict=True))
            for line in _differences(a, b, f"{path}[{n}]")
        ]
    return [] if replayed == fetched else [f"{path}: replayed {replayed!r}, fetched {fetched!r}"]


def _without(data: dict, keys) -> dict:
    return {key: value for key, value in data.items() if key not in keys}


def _insert_in_reading_order(comments: list[dict], comment: dict) -> None:
    """A reply goes after its parent's last descendant; a new comment at the end."""
    if comment["parent_id"] is None:
        comments.append(comment)
        return
    family = {comment["parent_id"]}
    at = next(n for n, c in enumerate(comments) if c["id"] == comment["parent_id"]) + 1
    while at < len(comments) and comments[at]["parent_id"] in family:
        family.add(comments[at]["id"])
        at += 1
    comments.insert(at, comment)


# The world the actions are taken in -------------------------------------------------------------


@pytest.fixture
def accounts(app, world) -> dict[str, ApiClient]:
    """Each account logged in once: logging in is rate-limited per address."""
    logged_in: dict[str, ApiClient] = {}

    class Accounts(dict):
        def __missing__(self, username: str) -> ApiClient:
            logged_in[username] = ApiClient(app.test_client()).login(username)
            self[username] = logged_in[username]
            return logged_in[username]

    return Accounts()


def ok(reply, status: int = 200):
    assert reply.status == status, reply.json
    return reply.json


def new_issue(accounts, world, *, submit: bool, by: str = "resident", **extra) -> dict:
    body = {
        "title": "电梯经常停运",
        "body": "1栋的电梯这周停了三次。",
        "category": "elevator",
        "scope": {"kind": "community"},
        "submit": submit,
        **extra,
    }
    return ok(accounts[by].post(f"/api/communities/{world.home}/issues", body), 201)


def settings(accounts, world, **changes) -> dict:
    return ok(accounts["secretary"].put(f"/api/communities/{world.home}/issue-settings", changes))


def room_of(app, accounts, world, issue: dict) -> Room:
    room = Room(app, accounts, world.home, issue["id"])
    room.proposer_account = world.resident_account
    return room


def move(accounts, username: str, issue_id: int, transition: str, **extra):
    body = {"transition": transition, "reason": "理由如下", **extra}
    return ok(accounts[username].post(f"/api/issues/{issue_id}/transitions", body))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def add_photo(accounts, issue_id: int) -> None:
    resident = accounts["resident"]
    reply = resident.client.post(
        f"/api/issues/{issue_id}/photos",
        data={"photo": (io.BytesIO(png()), "photo.png")},
        headers={"Authorization": f"Bearer {resident.token}"},
    )
    assert reply.status_code == 201, reply.get_json()


# The actions ----------------------------------------------------------------------------------

# What the tests below replay: each function of the stage's services that commits a change,
# each lifecycle step the stage makes, each kind of moderation.
REPLAYED = {
    "create_issue", "edit_issue", "add_photo", "configure", "support", "withdraw_support",
    "post_comment", "edit_comment", "delete_comment", "report_comment", "mark_read",
    "moderate:hide", "moderate:restore", "moderate:keep",
    "transition:submit", "transition:accept", "transition:open_judgment",
    "transition:reopen", "transition:escalate", "transition:close", "transition:reject",
    "transition:withdraw", "transition:merge",
}  # fmt: skip


def test_a_draft_from_its_writing_to_its_publication(app, accounts, world):
    draft = new_issue(accounts, world, submit=False)
    room = room_of(app, accounts, world, draft)
    resident = accounts["resident"]
    room.verify(
        lambda: ok(resident.request("PATCH", f"/api/issues/{draft['id']}", {"title": "新标题"}))
    )
    room.verify(lambda: add_photo(accounts, draft["id"]))
    events = room.verify(lambda: move(accounts, "resident", draft["id"], "submit"))
    assert {e["event"] for e in events} >= {"issue.created", "issue.state"}


def test_a_room_is_not_told_of_a_draft(app, accounts, world):
    created = {}
    room = Room(app, accounts, world.home, 0)
    room.proposer_account = world.resident_account
    events = room.verify(lambda: created.update(new_issue(accounts, world, submit=False)))
    assert events == []


def test_supports_until_the_threshold_moves_the_issue_on(app, accounts, world):
    settings(accounts, world, support_threshold=2, advance="automatic")
    issue = new_issue(accounts, world, submit=True)
    room = room_of(app, accounts, world, issue)
    room.verify(lambda: ok(accounts["tenant"].post(f"/api/issues/{issue['id']}/support")))
    room.verify(lambda: ok(accounts["tenant"].delete(f"/api/issues/{issue['id']}/support")))
    room.verify(lambda: ok(accounts["tenant"].post(f"/api/issues/{issue['id']}/support")))
    room.verify(lambda: settings(accounts, world, support_threshold=3))
    room.verify(lambda: settings(accounts, world, support_threshold=2))
    events = room.verify(lambda: ok(accounts["coowner"].post(f"/api/issues/{issue['id']}/support")))
    listed = [e for e in events if e["room"] == f"community:{world.home}"]
    assert [(e["event"], e["data"]["issue"]["state"]) for e in listed] == [
        ("issue.updated", "deliberation")
    ]


def test_the_text_is_corrected_while_supports_are_gathered(app, accounts, world):
    issue = new_issue(accounts, world, submit=True)
    room = room_of(app, accounts, world, issue)
    change = {"body": "**更正**：是2栋的电梯。", "category": "facilities"}
    room.verify(
        lambda: ok(accounts["resident"].request("PATCH", f"/api/issues/{issue['id']}", change))
    )


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["accept", "open_judgment", "reopen", "escalate", "close"], "closed"),
        (["reject"], "rejected"),
        (["withdraw"], "withdrawn"),
        (["merge"], "merged"),
    ],
)
def test_each_lifecycle_step_of_the_issue_stage(app, accounts, world, path, final):
    settings(accounts, world, support_threshold=1, advance="council")
    issue = new_issue(accounts, world, submit=True)
    other = new_issue(accounts, world, submit=True, by="tenant", title="另一件")
    ok(accounts["coowner"].post(f"/api/issues/{issue['id']}/support"))
    room = room_of(app, accounts, world, issue)
    for step in path:
        who = "resident" if step == "withdraw" else "officer" if step == "close" else "chair"
        extra = {"merge_into": other["id"]} if step == "merge" else {}
        room.verify(
            lambda step=step, who=who, extra=extra: move(accounts, who, issue["id"], step, **extra)
        )
    assert ok(accounts["resident"].get(f"/api/issues/{issue['id']}"))["state"] == final


def test_a_thread_from_its_first_comment_to_moderation(app, accounts, world):
    settings(accounts, world, report_threshold=2)
    issue = new_issue(accounts, world, submit=True)
    room = room_of(app, accounts, world, issue)
    path = f"/api/issues/{issue['id']}/comments"
    first = {}
    room.verify(
        lambda: first.update(
            ok(accounts["coowner"].post(path, {"body": "同意", "stance": "for"}), 201)
        )
    )
    reply = {}
    room.verify(
        lambda: reply.update(
            ok(accounts["tenant"].post(path, {"body": "我也同意", "parent_id": first["id"]}), 201)
        )
    )
    room.verify(lambda: ok(accounts["coowner"].post(path, {"body": "再说一句"}), 201))
    room.verify(
        lambda: ok(
            accounts["chair"].post(
                path, {"body": "议事会跟进", "parent_id": reply["id"], "official": True}
            ),
            201,
        )
    )
    comment = f"/api/comments/{first['id']}"
    room.verify(
        lambda: ok(
            accounts["coowner"].request(
                "PATCH", comment, {"body": "同意，尽快", "stance": "against"}
            )
        )
    )
    room.verify(lambda: ok(accounts["tenant"].post(f"{comment}/reports", {"reason": "跑题"}), 201))
    room.verify(
        lambda: ok(
            accounts["chair"].post(
                f"{comment}/moderation", {"action": "restore", "reason": "没有问题"}
            )
        )
    )
    room.verify(
        lambda: ok(accounts["secretary"].post(f"{comment}/reports", {"reason": "还是跑题"}), 201)
    )
    room.verify(
        lambda: ok(accounts["resident"].post(f"{comment}/reports", {}), 201)
    )  # hidden by reports
    room.verify(
        lambda: ok(
            accounts["chair"].post(f"{comment}/moderation", {"action": "restore", "reason": "保留"})
        )
    )
    room.verify(
        lambda: ok(
            accounts["chair"].post(
                f"{comment}/moderation", {"action": "hide", "reason": "人身攻击"}
            )
        )
    )
    room.verify(
        lambda: ok(
            accounts["chair"].post(
                f"{comment}/moderation", {"action": "restore", "reason": "申诉成立"}
            )
        )
    )
    room.verify(lambda: ok(accounts["coowner"].delete(comment)))
    room.verify(lambda: ok(accounts["resident"].post("/api/notifications/read", {})))


def test_every_action_the_issue_stage_offers_is_replayed():
    """A function of the stage's services that commits a change, or a lifecycle step the
    stage makes, is replayed above: a new one is added there and to REPLAYED."""
    offered = {f"transition:{name.value}" for name in lifecycle.DELIBERATION_TRANSITIONS}
    offered |= {f"moderate:{kind}" for kind in ("hide", "restore", "keep")}
    for module in (service, threads, notifications):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            own = function.__module__ == module.__name__ and not name.startswith("_")
            if own and "db.session.commit()" in inspect.getsource(function):
                offered.add(name)
    offered -= {"transition", "moderate"}  # replayed step by step, kind by kind
    assert offered <= REPLAYED, offered - REPLAYED
