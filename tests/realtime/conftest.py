"""Socket.IO test clients of the in-process app, logged in by bearer token."""

from __future__ import annotations

import pytest

from hall.extensions import socketio
from tests.api_client import ApiClient


@pytest.fixture
def token_of(app, world):
    def token(username: str) -> str:
        return ApiClient(app.test_client()).login(username).token

    return token


@pytest.fixture
def connect(app, token_of):
    clients = []

    def connect_as(username: str | None = None, auth: dict | None = None):
        if username is not None:
            auth = {"token": token_of(username)}
        client = socketio.test_client(app, auth=auth)
        clients.append(client)
        return client

    yield connect_as
    for client in clients:
        if client.is_connected():
            client.disconnect()


def join(client, room: str, **extra):
    return client.emit("join", {"room": room, **extra}, callback=True)
