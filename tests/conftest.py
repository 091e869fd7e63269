"""Shared fixtures: an app per database backend, migrated once; empty tables for every test."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from hall import create_app
from hall.config import Settings
from hall.extensions import db as hall_db
from hall.extensions import limiter
from hall.realtime import presence
from tests.api_client import ApiClient
from tests.databases import BACKENDS, drop_database, empty_all_tables, fresh_database_url
from tests.factories import World, build_world
from tests.services import free_port

pytest_plugins = ["tests.fixtures.events", "tests.fixtures.queries"]


def make_settings(database_url: str, instance_path, **overrides) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        async_mode="threading",
        instance_path=instance_path,
        testing=True,
        # In-process tests read what the server emitted as soon as the call returns.
        viewer_count_interval=0,
        tally_interval=0,
    ).replace(**overrides)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    url = fresh_database_url(backend, tmp, "suite")
    application = create_app(make_settings(url, tmp / "instance"))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        hall_db.engine.dispose()
    drop_database(url)


@pytest.fixture
def db(app):
    """The database, empty at the start of the test and emptied again after it.

    No app context is held open during the test: Flask would reuse it for every test-client
    request, and `g` (the logged-in user, the actor) would leak from one request to the next.
    Tests that call services directly take `ctx` as well.
    """
    with app.app_context():
        limiter.reset()
    # Emptied tables hand out the same issue ids again: viewers counted in an earlier test's
    # room (a connection its server had not yet closed) must not be counted in this one's.
    settings = app.extensions["hall.settings"]
    presence.configure(settings.redis_url, settings.socketio_channel)
    yield hall_db
    with app.app_context():
        hall_db.session.remove()
        empty_all_tables(hall_db)


@pytest.fixture
def ctx(app, db):
    """An app context for tests that call services and query the database directly."""
    with app.app_context():
        yield
        hall_db.session.remove()


@pytest.fixture
def world(app, db) -> World:
    """Jiangbei subdistrict with two small communities and an account for every role."""
    with app.app_context():
        built = build_world()
        hall_db.session.remove()
    return built


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def api(app, db) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def live_server(app, world) -> Iterator[str]:
    """Hall on a free local port for the length of one test; yields its base URL."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hall-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
