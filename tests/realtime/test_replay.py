"""Issue and account rooms over Socket.IO: joining, replay after a reconnect, who is viewing.

In-process with Flask-SocketIO's test client, as in test_socket_rooms.py: threading mode and
no message queue, so an event the server emits is in the client's queue when the call that
caused it returns. Changes are made through the issue services, each in an app context of its
own, as a request would.
"""

from __future__ import annotations

import time

import pytest

from hall.community.accounts import actor_for
from hall.community.models import Account
from hall.extensions import db as hall_db
from hall.issues import service, threads
from hall.issues.models import ScopeKind
from hall.realtime import outbox
from tests.realtime.conftest import join


def received(client, name: str) -> list:
    """The arguments of each `name` event the client has received since last asked."""
    return [message["args"][0] for message in client.get_received() if message["name"] == name]


@pytest.fixture
def as_user(app, world):
    """Run a service as `username` in an app context of its own, as one request would."""

    def run(username: str, operation, *args, **kwargs):
        with app.app_context():
            try:
                account = hall_db.session.get(Account, world.ids[f"{username}_account"])
                return operation(actor_for(account), *args, **kwargs)
            finally:
                hall_db.session.remove()

    return run


@pytest.fixture
def new_issue(world, as_user):
    """An elevator issue of stairwell 1-1, proposed by `username`; its id."""

    def propose(username: str = "resident", *, submit: bool = True) -> int:
        def create(actor):
            return service.create_issue(
                actor,
                world.home,
                title="1栋1单元电梯又停了",
                body="这周已经停了两次，老人上下楼很困难。",
                category="elevator",
                scope_kind=ScopeKind.STAIRWELLS,
                scope_ids=[world.stair_1_1],
                submit=submit,
            ).id

        return as_user(username, create)

    return propose


@pytest.fixture
def comment(as_user):
    """Post a comment as `username`; its id."""

    def post(username: str, issue_id: int, body: str) -> int:
        return as_user(username, lambda actor: threads.post_comment(actor, issue_id, body=body).id)

    return post


def room_of(issue_id: int) -> str:
    return f"issue:{issue_id}"


def latest_seq(app, room: str) -> int:
    with app.app_context():
        try:
            return outbox.current_seq(room)
        finally:
            hall_db.session.remove()


# Joining ---------------------------------------------------------------------------------------


def test_joining_an_issue_room_answers_with_its_latest_number(app, connect, new_issue):
    room = room_of(new_issue())
    answer = join(connect("coowner"), room)
    assert answer == {"ok": True, "room": room, "seq": latest_seq(app, room), "viewers": 1}
    assert answer["seq"] > 0  # submitting the issue already announced it there


def test_a_comment_arrives_live_numbered_after_the_join(connect, new_issue, comment):
    issue_id = new_issue()
    watcher = connect("coowner")
    seq = join(watcher, room_of(issue_id))["seq"]
    comment_id = comment("resident", issue_id, "物业说下周修。")
    [envelope] = received(watcher, "comment.created")
    assert (envelope["room"], envelope["seq"], envelope["event"]) == (
        room_of(issue_id),
        seq + 1,
        "comment.created",
    )
    assert envelope["data"]["comment"]["id"] == comment_id


def test_a_client_that_reconnects_gets_exactly_the_comments_it_missed_in_order(
    connect, new_issue, comment
):
    issue_id = new_issue()
    room = room_of(issue_id)
    watcher = connect("coowner")
    join(watcher, room)
    comment("resident", issue_id, "第一条，在线时看到的。")
    seen, seen_row = [message["args"][0] for message in watcher.get_received()][-2:]
    assert (seen["event"], seen_row["event"]) == ("comment.created", "issue.updated")
    assert seen_row["seq"] == seen["seq"] + 1  # the comment count it changed
    watcher.disconnect()

    missed = [comment("resident", issue_id, f"错过的第{n}条。") for n in (1, 2, 3)]

    again = connect("coowner")
    answer = join(again, room, after=seen_row["seq"])
    assert answer["ok"] is True and "snapshot" not in answer
    assert answer["seq"] == seen_row["seq"] + 6
    events = answer["events"]
    assert [e["seq"] for e in events] == [seen_row["seq"] + n for n in range(1, 7)]
    assert [e["event"] for e in events] == ["comment.created", "issue.updated"] * 3
    assert [e["room"] for e in events] == [room] * 6
    assert [e["data"]["comment"]["id"] for e in events[::2]] == missed
    assert [e["data"]["issue"]["comment_count"] for e in events[1::2]] == [2, 3, 4]
    assert "错过的第3条" in events[-2]["data"]["comment"]["body_html"]


def test_a_replayed_event_is_the_same_envelope_that_was_sent_live(connect, new_issue, comment):
    issue_id = new_issue()
    live_client = connect("coowner")
    seq = join(live_client, room_of(issue_id))["seq"]
    comment("resident", issue_id, "同一个信封。")
    live = [message["args"][0] for message in live_client.get_received()]
    replayed = join(connect("chair"), room_of(issue_id), after=seq)["events"]
    assert [e["event"] for e in replayed] == ["comment.created", "issue.updated"]
    assert replayed == [e for e in live if "seq" in e]  # not the viewer count


def test_a_client_that_missed_nothing_gets_no_events(connect, new_issue):
    room = room_of(new_issue())
    seq = join(connect("coowner"), room)["seq"]
    assert join(connect("coowner"), room, after=seq) == {
        "ok": True,
        "room": room,
        "seq": seq,
        "events": [],
        "viewers": 1,
    }


def test_a_client_too_far_behind_is_told_to_reload(monkeypatch, connect, new_issue, comment):
    monkeypatch.setattr(outbox, "KEEP_PER_ROOM", 3)
    monkeypatch.setattr(outbox, "_PRUNE_EVERY", 1)
    issue_id = new_issue()
    room = room_of(issue_id)
    for n in range(4):
        comment("resident", issue_id, f"第{n}条。")
    client = connect("coowner")
    latest = join(client, room)["seq"]
    assert join(client, room, after=latest - 4) == {
        "ok": True,
        "room": room,
        "seq": latest,
        "snapshot": True,
        "viewers": 1,
    }
    inside = join(client, room, after=latest - 3)  # the oldest kept event is the next one
    assert [e["seq"] for e in inside["events"]] == [latest - 2, latest - 1, latest]


def test_a_client_ahead_of_the_room_is_told_to_reload(connect, new_issue):
    room = room_of(new_issue())
    latest = join(connect("coowner"), room)["seq"]
    answer = join(connect("coowner"), room, after=latest + 5)
    assert answer == {"ok": True, "room": room, "seq": latest, "snapshot": True, "viewers": 1}


@pytest.mark.parametrize("after", [-1, "x", "3", True, False, 1.5, [1], {"seq": 1}])
def test_a_join_with_a_bad_after_is_invalid_and_names_it(connect, new_issue, comment, after):
    issue_id = new_issue()
    client = connect("coowner")
    reply = join(client, room_of(issue_id), after=after)
    assert reply == {
        "error": "after_not_a_number",
        "message": "请给出最后收到的事件编号。",
        "fields": {"after": ["请给出最后收到的事件编号。"]},
    }
    comment("resident", issue_id, "没加入就收不到。")
    assert received(client, "comment.created") == []  # the refused join joined nothing


def test_an_after_of_none_is_a_plain_join(app, connect, new_issue):
    room = room_of(new_issue())
    assert join(connect("coowner"), room, after=None) == {
        "ok": True,
        "room": room,
        "seq": latest_seq(app, room),
        "viewers": 1,
    }


# Who may join ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["neighbour_resident", "far_officer", "outsider"])
def test_an_issue_room_of_another_community_is_not_found(connect, new_issue, username):
    reply = join(connect(username), room_of(new_issue()))
    assert reply["error"] == "no_such_issue"
    assert set(reply) == {"error", "message", "fields"}


def test_a_draft_room_is_its_proposers_alone(connect, new_issue):
    room = room_of(new_issue("resident", submit=False))
    assert join(connect("resident"), room)["ok"] is True
    for username in ("coowner", "chair"):
        assert join(connect(username), room)["error"] == "no_such_issue"


def test_an_issue_that_does_not_exist_is_not_found(connect, world):
    assert join(connect("resident"), "issue:999999")["error"] == "no_such_issue"


def test_a_resident_of_the_community_outside_the_scope_may_still_watch(connect, new_issue):
    assert join(connect("tenant"), room_of(new_issue()))["ok"] is True


def test_an_account_room_is_its_owners_alone(connect, world):
    room = f"account:{world.resident_account}"
    assert join(connect("resident"), room) == {"ok": True, "room": room, "seq": 0}
    for username in ("coowner", "chair", "admin"):
        reply = join(connect(username), room)
        assert reply["error"] == "not_found"
        assert set(reply) == {"error", "message", "fields"}


def test_a_proposer_hears_of_a_comment_in_their_account_room(connect, world, new_issue, comment):
    issue_id = new_issue("resident")
    own = connect("resident")
    join(own, f"account:{world.resident_account}")
    comment("coowner", issue_id, "我也遇到了。")
    [notification] = received(own, "notification.created")
    assert notification["room"] == f"account:{world.resident_account}"
    assert notification["data"]["notification"]["kind"] == "comment"
    assert notification["data"]["notification"]["issue_id"] == issue_id
    assert notification["data"]["unread"] == 1


# Who is viewing --------------------------------------------------------------------------------


def viewer_counts(client) -> list[int]:
    """The counts announced to the client since last asked: one per change of the count."""
    return [event["count"] for event in received(client, "viewers")]


def test_two_people_viewing_an_issue_are_counted_as_two(connect, new_issue):
    room = room_of(new_issue())
    first, second = connect("resident"), connect("coowner")
    assert join(first, room)["viewers"] == 1
    assert viewer_counts(first) == [1]
    assert join(second, room)["viewers"] == 2
    assert viewer_counts(first) == [2]
    assert viewer_counts(second) == [2]


def test_one_person_on_two_devices_is_counted_once_and_not_announced_again(connect, new_issue):
    room = room_of(new_issue())
    phone, laptop = connect("resident"), connect("resident")
    join(phone, room)
    assert viewer_counts(phone) == [1]
    assert join(laptop, room)["viewers"] == 1  # the newcomer learns the count from the answer
    assert viewer_counts(phone) == []
    assert viewer_counts(laptop) == []


def test_the_count_drops_when_a_viewer_disconnects(connect, new_issue):
    room = room_of(new_issue())
    staying, going = connect("resident"), connect("coowner")
    join(staying, room)
    join(going, room)
    viewer_counts(staying)
    going.disconnect()
    assert viewer_counts(staying) == [1]


def test_the_count_drops_only_when_a_persons_last_device_leaves(connect, new_issue):
    room = room_of(new_issue())
    watcher, phone, laptop = connect("coowner"), connect("resident"), connect("resident")
    for client in (watcher, phone, laptop):
        join(client, room)
    assert viewer_counts(watcher) == [1, 2]
    phone.disconnect()
    assert viewer_counts(watcher) == []
    assert laptop.emit("leave", {"room": room}, callback=True) == {"ok": True, "room": room}
    assert viewer_counts(watcher) == [1]


def test_the_count_is_per_issue(connect, new_issue):
    first_room, second_room = room_of(new_issue()), room_of(new_issue())
    watcher = connect("resident")
    join(watcher, first_room)
    join(connect("coowner"), second_room)
    join(connect("chair"), second_room)
    assert viewer_counts(watcher) == [1]


def test_arrivals_close_together_are_announced_once(app, connect, new_issue, monkeypatch):
    """With an interval, a crowd entering at once hears one count, not one per arrival."""
    monkeypatch.setitem(
        app.extensions,
        "hall.settings",
        app.extensions["hall.settings"].replace(viewer_count_interval=0.3),
    )
    room = room_of(new_issue())
    clients = [connect(name) for name in ("resident", "coowner", "chair", "secretary")]
    for client in clients:
        join(client, room)
    assert all(viewer_counts(client) == [] for client in clients)
    time.sleep(0.6)
    assert [viewer_counts(client) for client in clients] == [[4]] * 4


def test_an_account_room_counts_no_viewers(connect, world):
    client = connect("resident")
    join(client, f"account:{world.resident_account}")
    assert viewer_counts(client) == []
