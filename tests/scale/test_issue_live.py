"""An issue's room across two server processes over Redis: live comments, replay, viewers.

Process A and process B are separate `gunicorn -c gunicorn.conf.py wsgi:app` runs (eventlet,
one worker each) on one PostgreSQL database and one Redis, as behind a load balancer. Comments
are posted over HTTP through them; viewers hold Socket.IO connections to either.
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.scale.clients import SocketClient, create_issue, post_comment

# With the other scale tests on one xdist worker (scripts/test uses --dist loadgroup): the
# servers are started once per session, and no two tests publish over Redis at the same time.
pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("gunicorn-servers")]

# Redis pub/sub ignores database numbers: a channel of this run's own keeps other runs' events
# out (and names the viewer counts' keys). The comment limit is per account and, with Redis,
# shared by every run on this machine: these tests post a dozen comments each run.
SERVER_ENV = {
    "HALL_SOCKETIO_CHANNEL": f"hall-tests-issues-{uuid.uuid4().hex}",
    "HALL_COMMENT_RATE_LIMIT": "1000 per minute",
}
# How long a client that should not get an event is given to get it anyway, after a client that
# should get it has got it.
GRACE = 0.5


def pair(servers):
    a = servers.get("eventlet", "postgresql", with_redis=True, name="issues-a", **SERVER_ENV)
    b = servers.get("eventlet", "postgresql", with_redis=True, name="issues-b", **SERVER_ENV)
    assert a.process.pid != b.process.pid and a.base_url != b.base_url
    return a, b


def new_issue(servers, server) -> tuple[dict, str]:
    """A resident of 1栋 1单元 proposes an issue about its elevator, through `server`."""
    world = servers.database("postgresql").world
    token = servers.token(server, "resident")
    title = f"电梯故障 {uuid.uuid4().hex[:8]}"
    issue = create_issue(server.base_url, token, world.home, world.stair_1_1, title)
    return issue, f"issue:{issue['id']}"


def comment_body(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:12]}"


def envelopes(client: SocketClient, room: str) -> list[dict]:
    """Every numbered event of `room` the client received live, whatever its name."""
    return [
        data
        for _, data in list(client.events)
        if isinstance(data, dict) and data.get("room") == room and "seq" in data
    ]


def is_comment(comment_id: int):
    return lambda envelope: envelope["data"]["comment"]["id"] == comment_id


def test_a_comment_posted_through_one_process_reaches_viewers_on_both(servers):
    a, b = pair(servers)
    issue, room = new_issue(servers, a)
    on_b = SocketClient().connect(b.base_url, servers.token(b, "coowner"))
    on_a = SocketClient().connect(a.base_url, servers.token(a, "resident"))
    neighbour = SocketClient().connect(b.base_url, servers.token(b, "neighbour_resident"))
    try:
        assert on_b.join(room)["ok"] is True
        assert on_a.join(room)["ok"] is True
        refused = neighbour.join(room)
        assert "ok" not in refused and refused["error"] == "no_such_issue", refused

        body = comment_body("三楼按钮失灵")
        comment = post_comment(a.base_url, servers.token(a, "resident"), issue["id"], body)

        event = on_b.wait_for("comment.created", is_comment(comment["id"]))
        assert event["room"] == room and event["event"] == "comment.created"
        assert body in event["data"]["comment"]["body_html"]
        assert on_a.wait_for("comment.created", is_comment(comment["id"])) == event
        time.sleep(GRACE)
        assert neighbour.named("comment.created") == [], neighbour.events
    finally:
        on_b.disconnect()
        on_a.disconnect()
        neighbour.disconnect()


@pytest.mark.parametrize("back_to", ["b", "a"], ids=["back-to-b", "back-to-a"])
def test_a_viewer_that_reconnects_gets_what_it_missed_once(servers, back_to):
    a, b = pair(servers)
    issue, room = new_issue(servers, a)
    viewer = SocketClient().connect(b.base_url, servers.token(b, "coowner"))
    try:
        last_seq = viewer.join(room)["seq"]
        viewer.disconnect()

        # Three comments while it is away, through A and B in turn.
        posted = []
        for index, server in enumerate((a, b, a)):
            body = comment_body(f"第{index + 1}条")
            token = servers.token(server, "resident")
            posted.append((post_comment(server.base_url, token, issue["id"], body), body))

        again = {"a": a, "b": b}[back_to]
        viewer.connect(again.base_url, servers.token(again, "coowner"))
        answer = viewer.join_after(room, last_seq)

        assert answer["ok"] is True and "snapshot" not in answer
        missed = answer["events"]
        # Each comment is announced with the issue's row it changed (its comment count).
        per_comment = ["comment.created", "issue.updated"]
        assert [e["seq"] for e in missed] == list(range(last_seq + 1, last_seq + 7))
        assert answer["seq"] == last_seq + 6
        assert [(e["room"], e["event"]) for e in missed] == [(room, n) for n in per_comment] * 3
        comments = [e for e in missed if e["event"] == "comment.created"]
        assert [e["data"]["comment"]["id"] for e in comments] == [c["id"] for c, _ in posted]
        for envelope, (_, body) in zip(comments, posted, strict=True):
            assert body in envelope["data"]["comment"]["body_html"]

        # One more, live: it arrives once, numbered next; nothing replayed arrives again.
        body = comment_body("第4条")
        fourth = post_comment(b.base_url, servers.token(b, "resident"), issue["id"], body)
        live = viewer.wait_for("comment.created", is_comment(fourth["id"]))
        assert live["seq"] == last_seq + 7 and body in live["data"]["comment"]["body_html"]
        time.sleep(GRACE)
        arrived = [e["seq"] for e in missed] + [e["seq"] for e in envelopes(viewer, room)]
        assert arrived == list(range(last_seq + 1, last_seq + 9))
    finally:
        viewer.disconnect()


def test_viewers_are_counted_across_both_processes(servers):
    a, b = pair(servers)
    issue, room = new_issue(servers, a)
    on_a = SocketClient().connect(a.base_url, servers.token(a, "resident"))
    on_b = SocketClient().connect(b.base_url, servers.token(b, "coowner"))
    try:
        assert on_a.join(room)["ok"] is True
        on_a.wait_for("viewers", lambda data: data == {"room": room, "count": 1})
        assert on_b.join(room)["ok"] is True

        for viewer in (on_a, on_b):
            viewer.wait_for("viewers", lambda data: data == {"room": room, "count": 2})

        heard = on_a.named("viewers")
        on_b.disconnect()
        on_a.wait_for(
            "viewers",
            lambda data: data == {"room": room, "count": 1} and all(data is not h for h in heard),
        )
    finally:
        on_a.disconnect()
        on_b.disconnect()
