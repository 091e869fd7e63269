"""A slow query does not stall Socket.IO traffic on the same worker (PostgreSQL, one worker).

psycopg2 is a C extension: without psycogreen's wait callback (installed by wsgi.py), a query
that waits on the database blocks the whole eventlet/gevent worker, and every websocket on it
with it. Here a query waits on a table lock held by the test, and meanwhile the same worker
must keep answering Socket.IO round trips.

Checked by hand that this test catches a blocking driver (wsgi.py edited temporarily, then
restored):
- without the `psycogreen.gevent.patch_psycopg()` line, the gevent case fails: the first
  `join` times out (5 s) while the lock is held, the worker being stuck inside libpq;
- without `psycogreen.eventlet.patch_psycopg()`, the eventlet case still passes, because
  `eventlet.monkey_patch()` (in wsgi.py, and in gunicorn's eventlet worker) installs eventlet's
  own psycopg2 wait callback; clearing it (`psycopg2.extensions.set_wait_callback(None)` at
  the end of wsgi.py) makes the eventlet case time out the same way.
With wsgi.py as it is, every join answers in a few milliseconds in both modes.
"""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
import requests
import sqlalchemy as sa

from tests.scale.clients import SocketClient, bearer

# One xdist worker runs all of tests/scale (scripts/test uses --dist loadgroup): the servers
# are started once, and no two of these tests publish over Redis at the same time.
pytestmark = [pytest.mark.processes, pytest.mark.xdist_group("gunicorn-servers")]

ROUND_TRIPS = 5
ROUND_TRIP_LIMIT = 1.0  # seconds; an unblocked worker answers in milliseconds


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg2 takes it."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def wait_for_lock_waiter(url: str, timeout: float = 10.0) -> None:
    """Until a backend of the database is waiting on a lock: the HTTP request's query."""
    database = sa.make_url(url).database
    deadline = time.monotonic() + timeout
    watcher = psycopg2.connect(libpq_url(url))
    watcher.autocommit = True
    try:
        with watcher.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND wait_event_type = 'Lock'",
                    (database,),
                )
                if cursor.fetchone()[0] >= 1:
                    return
                time.sleep(0.05)
    finally:
        watcher.close()
    raise AssertionError(f"no query of {database} waited on the lock within {timeout} s")


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_query_waiting_on_a_lock_does_not_stall_socket_traffic(servers, async_mode):
    server = servers.get(async_mode, "postgresql")
    database = servers.database("postgresql")
    world = database.world
    resident_token = servers.token(server, "resident")
    resident = SocketClient().connect(server.base_url, resident_token)
    room = f"community:{world.home}"
    reply: dict = {}

    def list_buildings():
        # Blocks in the database: listing buildings reads the locked table. (Joining a
        # community room reads communities, accounts, role grants and tokens, never buildings.)
        response = requests.get(
            server.url(f"/api/communities/{world.home}/buildings"),
            headers=bearer(resident_token),
            timeout=30,
        )
        reply["status"] = response.status_code
        reply["body"] = response.json()

    locker = psycopg2.connect(libpq_url(database.url))
    request = threading.Thread(target=list_buildings, daemon=True)
    try:
        with locker.cursor() as cursor:  # psycopg2 opens a transaction: the lock is held
            cursor.execute("LOCK TABLE buildings IN ACCESS EXCLUSIVE MODE")
        request.start()
        wait_for_lock_waiter(database.url)

        durations = []
        for _ in range(ROUND_TRIPS):
            started = time.monotonic()
            assert resident.join(room, timeout=5)["ok"] is True
            durations.append(time.monotonic() - started)
        assert max(durations) < ROUND_TRIP_LIMIT, durations
        # A fresh connection (token lookup in the database) is served meanwhile, too.
        late = SocketClient().connect(server.base_url, resident_token)
        late.disconnect()
        assert request.is_alive(), "the HTTP request should still be waiting on the lock"
    finally:
        locker.rollback()  # releases the lock
        locker.close()
        if request.ident is not None:
            request.join(10)
        resident.disconnect()

    assert not request.is_alive(), "the HTTP request did not finish after the lock was released"
    assert reply["status"] == 200, reply
    assert {building["id"] for building in reply["body"]} >= {world.first, world.second}
