"""Socket.IO connections, rooms and after-commit events, in-process with Flask-SocketIO's client.

The app fixture runs in threading mode without a message queue, so everything here happens
synchronously: an event emitted by the server is in the test client's queue when the call
that caused it returns.
"""

from __future__ import annotations

import pytest

from hall.community import service
from hall.community.policy import Actor
from hall.extensions import db as hall_db
from hall.realtime import outbox
from tests.api_client import ApiClient
from tests.realtime.conftest import join


def registry_events(client) -> list[dict]:
    return [
        message["args"][0]["data"]
        for message in client.get_received()
        if message["name"] == "registry.changed"
    ]


# Connecting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth", [None, {}, {"token": ""}, {"token": "not-a-token"}, {"token": 42}, "a string"]
)
def test_a_connection_without_a_valid_token_is_refused(connect, world, auth):
    client = connect(auth=auth)
    assert not client.is_connected()


def test_a_connection_with_a_token_is_accepted(connect, world):
    assert connect("resident").is_connected()


def test_a_revoked_token_no_longer_connects(app, connect, world, token_of):
    token = token_of("resident")
    api = ApiClient(app.test_client())
    api.token = token
    assert api.delete("/api/tokens/current").status == 204
    assert not connect(auth={"token": token}).is_connected()


# Rooms ------------------------------------------------------------------------------------------


def test_a_resident_joins_their_own_communitys_room(connect, world):
    room = f"community:{world.home}"
    assert join(connect("resident"), room) == {"ok": True, "room": room, "seq": 0}


@pytest.mark.parametrize("username", ["resident", "building_resident", "far_officer"])
def test_joining_a_community_one_may_not_see_is_refused_as_not_found(connect, world, username):
    reply = join(connect(username), f"community:{world.neighbour}")
    assert reply["error"] == "no_such_community"
    assert set(reply) == {"error", "message", "fields"}


def test_joining_a_community_that_does_not_exist_is_not_found(connect, world):
    assert join(connect("resident"), "community:999999")["error"] == "no_such_community"


@pytest.mark.parametrize("data", [{}, {"room": None}, {"room": 5}, {"room": ["x"]}, "community:1"])
def test_a_join_without_a_room_name_is_invalid(connect, world, data):
    reply = connect("resident").emit("join", data, callback=True)
    assert reply["error"] == "room_required"
    assert reply["fields"] == {"room": ["请说明要加入哪个频道。"]}  # the page's language


@pytest.mark.parametrize("room", ["community", "community:", "community:abc", "nosuch:1", ""])
def test_a_room_of_no_known_shape_is_not_found(connect, world, room):
    reply = join(connect("resident"), room)
    assert reply["error"] == "no_such_room"
    assert reply["fields"] == {"room": ["没有这个频道。"]}


def test_a_refused_join_leaves_the_connection_usable(connect, world):
    client = connect("resident")
    assert join(client, f"community:{world.neighbour}")["error"] == "no_such_community"
    assert join(client, f"community:{world.home}")["ok"] is True


def test_after_leaving_a_room_its_events_no_longer_arrive(api, connect, world):
    client = connect("resident")
    room = f"community:{world.home}"
    assert join(client, room)["ok"] is True
    manager = api.as_user("manager")
    assert manager.post(f"/api/communities/{world.home}/buildings", {"name": "3栋"}).status == 201
    assert len(registry_events(client)) == 1

    assert client.emit("leave", {"room": room}, callback=True) == {"ok": True, "room": room}
    assert manager.post(f"/api/communities/{world.home}/buildings", {"name": "4栋"}).status == 201
    assert registry_events(client) == []


def test_leaving_a_malformed_room_is_invalid(connect, world):
    assert connect("resident").emit("leave", {}, callback=True)["error"] == "room_required"


# Events leave only after commit ------------------------------------------------------------------


def test_a_committed_change_is_emitted_to_the_room_and_a_rolled_back_one_is_not(
    api, connect, world
):
    watcher = connect("resident")
    outsider = connect("neighbour_resident")
    assert join(watcher, f"community:{world.home}")["ok"] is True
    assert join(outsider, f"community:{world.neighbour}")["ok"] is True
    manager = api.as_user("manager")

    # The service flushes the building and queues its event, then the commit fails on the
    # unique name and the transaction rolls back: the event must go with it.
    duplicate = manager.post(f"/api/communities/{world.home}/buildings", {"name": "1栋"})
    assert duplicate.status == 409
    assert registry_events(watcher) == []

    created = manager.post(f"/api/communities/{world.home}/buildings", {"name": "9栋"})
    assert created.status == 201
    assert registry_events(watcher) == [
        {"community_id": world.home, "kind": "building", "id": created.json["id"]}
    ]
    assert registry_events(outsider) == []


def test_a_queued_event_is_dropped_by_a_rollback_and_never_sent_by_a_later_commit(
    app, connect, world
):
    watcher = connect("resident")
    room = f"community:{world.home}"
    assert join(watcher, room)["ok"] is True

    with app.app_context():
        service.community_counts(world.home)  # a transaction is open
        outbox.queue(room, "registry.changed", {"rolled": "back"})
        hall_db.session.rollback()
        assert registry_events(watcher) == []

        outbox.queue(room, "registry.changed", {"committed": True})
        hall_db.session.commit()
        hall_db.session.remove()

    assert registry_events(watcher) == [{"committed": True}]


def test_an_event_queued_before_any_query_is_dropped_by_a_rollback_too(app, connect, world):
    """A rollback with no database transaction begun must discard queued events as well."""
    watcher = connect("resident")
    room = f"community:{world.home}"
    assert join(watcher, room)["ok"] is True

    with app.app_context():
        outbox.queue(room, "registry.changed", {"rolled": "back"})
        hall_db.session.rollback()
        service.create_building(manager_actor(world), world.home, "8栋")
        hall_db.session.remove()

    events = registry_events(watcher)
    assert {"rolled": "back"} not in events
    assert [event["kind"] for event in events] == ["building"]


def manager_actor(world) -> Actor:
    from hall.community import accounts
    from hall.community.models import Account

    return accounts.actor_for(hall_db.session.get(Account, world.manager_account))
