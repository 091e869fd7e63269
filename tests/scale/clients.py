"""Clients of a real Hall server: bearer tokens over HTTP, Socket.IO clients that keep events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests
import socketio

from tests.factories import PASSWORD

EVENT_TIMEOUT = 5.0
# Our HTTP requests close their connections: an idle keep-alive connection left open would
# make the server's graceful stop wait for it.
CLOSE = {"Connection": "close"}


def login(base_url: str, username: str) -> str:
    response = requests.post(
        f"{base_url}/api/tokens",
        json={"username": username, "password": PASSWORD},
        headers=CLOSE,
        timeout=10,
    )
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **CLOSE}


def create_building(base_url: str, token: str, community_id: int, name: str) -> dict:
    response = requests.post(
        f"{base_url}/api/communities/{community_id}/buildings",
        json={"name": name},
        headers=bearer(token),
        timeout=10,
    )
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()


class SocketClient:
    """A python-socketio client that records every event it receives, and any connect error."""

    def __init__(self):
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, object]] = []
        self.connect_errors: list[object] = []
        self._changed = threading.Condition()
        self.sio.on("*", self._record)
        self.sio.on("connect_error", self._record_connect_error)

    def _record(self, event, data=None):
        with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    def _record_connect_error(self, data=None):
        self.connect_errors.append(data)

    def connect(self, base_url: str, token: str | None, transport: str = "websocket"):
        self.sio.connect(
            base_url,
            auth={"token": token} if token is not None else None,
            transports=[transport],
            wait_timeout=5,
        )
        return self

    def call(self, event: str, data=None, timeout: float = EVENT_TIMEOUT):
        return self.sio.call(event, data, timeout=timeout)

    def join(self, room: str, timeout: float = EVENT_TIMEOUT):
        return self.call("join", {"room": room}, timeout)

    def wait_for(
        self, name: str, matches: Callable[[object], bool], timeout: float = EVENT_TIMEOUT
    ):
        """The first event `name` whose data `matches`, or AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event, data in self.events:
                    if event == name and matches(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no {name} event matching within {timeout} s; got {self.events!r}"
                    )
                self._changed.wait(remaining)

    def received(self, name: str, matches: Callable[[object], bool]) -> bool:
        with self._changed:
            return any(event == name and matches(data) for event, data in self.events)

    def disconnect(self):
        if self.sio.connected:
            self.sio.disconnect()

    def join_after(self, room: str, after: int, timeout: float = EVENT_TIMEOUT):
        """Join again after a reconnect, asking for the room's events numbered above `after`."""
        return self.call("join", {"room": room, "after": after}, timeout)

    def named(self, name: str) -> list:
        """The data of every event `name` received so far, in order of arrival."""
        with self._changed:
            return [data for event, data in self.events if event == name]


def create_issue(
    base_url: str, token: str, community_id: int, stairwell_id: int, title: str
) -> dict:
    """A resident proposes an issue about one stairwell's elevator and submits it at once."""
    response = requests.post(
        f"{base_url}/api/communities/{community_id}/issues",
        json={
            "title": title,
            "body": f"{title}: 电梯经常停在三楼不动。",
            "category": "elevator",
            "scope": {"kind": "stairwells", "ids": [stairwell_id]},
            "submit": True,
        },
        headers=bearer(token),
        timeout=10,
    )
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()


def post_comment(base_url: str, token: str, issue_id: int, body: str) -> dict:
    response = requests.post(
        f"{base_url}/api/issues/{issue_id}/comments",
        json={"body": body},
        headers=bearer(token),
        timeout=10,
    )
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()
