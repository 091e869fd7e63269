"""Several server processes on one database, fanned out over Redis (REDIS_URL).

Process A and process B are separate `gunicorn -c gunicorn.conf.py wsgi:app` runs with one
worker each, as behind a load balancer: a change made through A must reach Socket.IO clients
held by B, and only those in the room of the community that changed.
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.scale.clients import SocketClient, create_building

# One xdist worker runs all of tests/scale (scripts/test uses --dist loadgroup): the servers
# are started once, and no two of these tests publish over Redis at the same time.
pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("gunicorn-servers")]

FANOUT = [
    pytest.param("eventlet", "postgresql", id="eventlet-postgresql"),
    pytest.param("gevent", "postgresql", id="gevent-postgresql"),
    pytest.param("eventlet", "sqlite", id="eventlet-sqlite"),
]
# Redis pub/sub ignores database numbers: a channel of this run's own keeps other test runs'
# events out, once Settings passes HALL_SOCKETIO_CHANNEL to Flask-SocketIO (see the report).
CHANNEL = f"hall-tests-{uuid.uuid4().hex}"
# How long a client that should not get an event is given to get it anyway, after a client of
# the same process that should get it has got it.
GRACE = 0.5


def unique_name() -> str:
    return f"{uuid.uuid4().hex[:8]}栋"


def pair(servers, async_mode: str, backend: str, with_redis: bool = True):
    env = {"HALL_SOCKETIO_CHANNEL": CHANNEL} if with_redis else {}
    a = servers.get(async_mode, backend, with_redis=with_redis, name="a", **env)
    b = servers.get(async_mode, backend, with_redis=with_redis, name="b", **env)
    assert a.process.pid != b.process.pid and a.base_url != b.base_url
    return a, b


def new_building(servers, server, community_id: int) -> dict:
    """The manager adds a building to the community over HTTP, through `server`."""
    token = servers.token(server, "manager")
    return create_building(server.base_url, token, community_id, unique_name())


def is_building(building: dict):
    return lambda event: (
        event["data"]["kind"] == "building" and event["data"]["id"] == building["id"]
    )


@pytest.mark.parametrize(("async_mode", "backend"), FANOUT)
def test_a_change_made_through_one_process_reaches_a_client_of_the_other(
    servers, async_mode, backend
):
    a, b = pair(servers, async_mode, backend)
    world = servers.database(backend).world
    resident = SocketClient().connect(b.base_url, servers.token(b, "resident"))
    try:
        room = f"community:{world.home}"
        assert resident.join(room)["ok"] is True

        building = new_building(servers, a, world.home)

        event = resident.wait_for("registry.changed", is_building(building))
        assert event["data"] == {
            "community_id": world.home,
            "kind": "building",
            "id": building["id"],
        }
    finally:
        resident.disconnect()


@pytest.mark.parametrize(("async_mode", "backend"), FANOUT)
def test_a_change_does_not_reach_a_client_that_joined_only_another_community(
    servers, async_mode, backend
):
    a, b = pair(servers, async_mode, backend)
    world = servers.database(backend).world
    witness = SocketClient().connect(b.base_url, servers.token(b, "resident"))
    neighbour = SocketClient().connect(b.base_url, servers.token(b, "neighbour_resident"))
    try:
        assert witness.join(f"community:{world.home}")["ok"] is True
        assert neighbour.join(f"community:{world.neighbour}")["ok"] is True

        building = new_building(servers, a, world.home)

        witness.wait_for("registry.changed", is_building(building))  # it did cross over to B
        time.sleep(GRACE)
        assert not neighbour.received("registry.changed", lambda data: True), neighbour.events
    finally:
        witness.disconnect()
        neighbour.disconnect()


def test_without_redis_a_change_stays_in_the_process_that_made_it(servers):
    """The control: what the tests above show is Redis's doing, not something else's."""
    a, b = pair(servers, "eventlet", "sqlite", with_redis=False)
    world = servers.database("sqlite").world
    on_a = SocketClient().connect(a.base_url, servers.token(a, "resident"))
    on_b = SocketClient().connect(b.base_url, servers.token(b, "resident"))
    try:
        room = f"community:{world.home}"
        assert on_a.join(room)["ok"] is True
        assert on_b.join(room)["ok"] is True

        building = new_building(servers, a, world.home)

        on_a.wait_for("registry.changed", is_building(building))
        time.sleep(GRACE)
        assert not on_b.received("registry.changed", is_building(building))
    finally:
        on_a.disconnect()
        on_b.disconnect()
