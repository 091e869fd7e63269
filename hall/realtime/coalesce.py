"""Announcing state that changes often (who is viewing, a live tally) at most once per
interval per key and worker. The first change starts a timer; changes before it fires ride
along, and what goes out is the state when it fires, never an old one."""

from __future__ import annotations

from collections.abc import Callable

from hall.extensions import socketio

_pending: set[str] = set()


def soon(key: str, interval: float, send: Callable[[], None]) -> None:
    if interval <= 0:
        send()
    elif key not in _pending:
        _pending.add(key)
        socketio.start_background_task(_send_later, key, interval, send)


def _send_later(key: str, interval: float, send: Callable[[], None]) -> None:
    socketio.sleep(interval)
    _pending.discard(key)
    send()
