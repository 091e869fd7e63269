"""Hall served by `gunicorn -c gunicorn.conf.py wsgi:app`, in each async mode, on each backend.

One setting, HALL_ASYNC_MODE, picks gunicorn's worker, the monkey-patching and Flask-SocketIO's
async mode; these tests start real server processes with it and talk to them the way browsers
and apps do: a bearer token over HTTP, then Socket.IO over websocket or long-polling.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import socketio

from tests.databases import BACKENDS
from tests.processes import GUNICORN, PROJECT_ROOT, server_environment
from tests.scale.clients import SocketClient, create_building

# One xdist worker runs all of tests/scale (scripts/test uses --dist loadgroup): the servers
# are started once, and no two of these tests publish over Redis at the same time.
pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("gunicorn-servers")]

MODES = ("eventlet", "gevent")
WORKER_OF = {"eventlet": "eventlet", "gevent": "gevent", "threading": "gthread"}
SERVERS = [
    pytest.param(mode, backend, id=f"{mode}-{backend}") for mode in MODES for backend in BACKENDS
]
# The threading mode (gunicorn's gthread worker) is not a production choice for many clients,
# but it must follow the same one setting: checked once, on SQLite.
SERVERS_AND_THREADING = [*SERVERS, pytest.param("threading", "sqlite", id="threading-sqlite")]


def unique_name() -> str:
    return f"{uuid.uuid4().hex[:8]}栋"


@pytest.mark.parametrize(("async_mode", "backend"), SERVERS_AND_THREADING)
def test_gunicorn_worker_follows_the_async_mode(servers, async_mode, backend):
    server = servers.get(async_mode, backend)
    assert f"Using worker: {WORKER_OF[async_mode]}" in server.stderr()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
@pytest.mark.parametrize(("async_mode", "backend"), SERVERS_AND_THREADING)
def test_a_building_created_over_http_reaches_the_community_room(
    servers, async_mode, backend, transport
):
    server = servers.get(async_mode, backend)
    world = servers.database(backend).world
    manager = servers.token(server, "manager")
    resident = SocketClient().connect(server.base_url, servers.token(server, "resident"), transport)
    try:
        assert resident.sio.transport() == transport
        room = f"community:{world.home}"
        assert resident.join(room)["ok"] is True

        building = create_building(server.base_url, manager, world.home, unique_name())

        event = resident.wait_for(
            "registry.changed", lambda event: event["data"]["id"] == building["id"]
        )
        assert event["data"] == {
            "community_id": world.home,
            "kind": "building",
            "id": building["id"],
        }
    finally:
        resident.disconnect()


@pytest.mark.parametrize(("async_mode", "backend"), SERVERS)
def test_joining_another_communitys_room_is_refused_as_not_found(servers, async_mode, backend):
    server = servers.get(async_mode, backend)
    world = servers.database(backend).world
    outsider = SocketClient().connect(server.base_url, servers.token(server, "neighbour_resident"))
    try:
        reply = outsider.join(f"community:{world.home}")
        assert reply["error"] == "no_such_community"
        assert set(reply) == {"error", "message", "fields"}
        # Still connected and still able to join the room it may see.
        room = f"community:{world.neighbour}"
        assert outsider.join(room)["ok"] is True
    finally:
        outsider.disconnect()


@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no-auth", "bad-token"])
@pytest.mark.parametrize(("async_mode", "backend"), SERVERS)
def test_a_connection_without_valid_auth_is_refused(servers, async_mode, backend, token):
    server = servers.get(async_mode, backend)
    client = SocketClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.base_url, token)
    assert not client.sio.connected
    assert len(client.connect_errors) == 1


def test_a_refused_connection_is_told_why_in_the_one_error_shape(servers):
    server = servers.get("eventlet", "sqlite")
    client = SocketClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.base_url, None)
    # What socket.io clients see as err.message and err.data in their connect_error handler.
    (refusal,) = client.connect_errors
    # In the language the browser asks for; this client asks for none, so Chinese.
    assert refusal["message"] == "请登录后再连接。"
    assert refusal["data"] == {
        "error": "unauthenticated",
        "message": "请登录后再连接。",
        "fields": {},
    }


def test_an_unknown_async_mode_stops_gunicorn_with_a_clear_message(tmp_path):
    env = server_environment(f"sqlite:///{tmp_path / 'unused.sqlite3'}", "asyncio", tmp_path)
    finished = subprocess.run(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert finished.returncode != 0
    assert "HALL_ASYNC_MODE must be one of eventlet, gevent, threading, not 'asyncio'" in (
        finished.stderr
    )


def test_wsgi_alone_refuses_an_unknown_async_mode(tmp_path):
    """Also when wsgi.py is loaded without gunicorn.conf.py (another server, a shell)."""
    env = server_environment(f"sqlite:///{tmp_path / 'unused.sqlite3'}", "asyncio", tmp_path)
    finished = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert finished.returncode == 1
    assert "HALL_ASYNC_MODE must be one of eventlet, gevent, threading" in finished.stderr
