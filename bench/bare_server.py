"""The baseline for bench/fanout.py: python-socketio alone, no Flask, no database.

Served exactly like Hall, `gunicorn -c gunicorn.conf.py bench.bare_server:app` from the project
root, so the worker class, worker count and connection limits are Hall's own, and it reads the
same environment: HALL_ASYNC_MODE, HALL_SOCKET_TRANSPORTS, REDIS_URL (Socket.IO's message
queue) and HALL_SOCKETIO_CHANNEL.

- Socket.IO: any client may connect; `join` {"room"} enters the room and acks
  {"ok": true, "room", "seq"}, as Hall's join does.
- POST /emit {"room", "id", "body", "size"}: emits one `comment.created` event to the room, in
  Hall's envelope {"room", "seq", "event", "data": {"comment": {"id", "body", ...}}}, padded so
  that its JSON is about `size` bytes; answers 201 {"id", "seq"}.
- GET /healthz: 200.
"""

from __future__ import annotations

import itertools
import json
import os

import socketio

ASYNC_MODE = os.environ.get("HALL_ASYNC_MODE", "eventlet")
REDIS_URL = os.environ.get("REDIS_URL") or None
CHANNEL = os.environ.get("HALL_SOCKETIO_CHANNEL") or "flask-socketio"
TRANSPORTS = [
    t.strip()
    for t in os.environ.get("HALL_SOCKET_TRANSPORTS", "polling,websocket").split(",")
    if t.strip()
]

client_manager = socketio.RedisManager(REDIS_URL, channel=CHANNEL) if REDIS_URL else None
sio = socketio.Server(
    async_mode=ASYNC_MODE,
    client_manager=client_manager,
    transports=TRANSPORTS,
)
# Per worker, so not a room-wide sequence across workers; the clients do not rely on it.
_sequence = itertools.count(1)


@sio.on("join")
def join(sid, data):
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str):
        return {"error": "invalid", "message": "room is required", "fields": {}}
    sio.enter_room(sid, room)
    return {"ok": True, "room": room, "seq": 0}


def envelope(room: str, comment_id: int, body: str, size: int) -> dict:
    """Hall's event envelope around a comment, padded to about `size` bytes of JSON."""
    comment = {"id": comment_id, "body": body, "padding": ""}
    event = {
        "room": room,
        "seq": next(_sequence),
        "event": "comment.created",
        "data": {"comment": comment},
    }
    missing = size - len(json.dumps(event, ensure_ascii=False).encode())
    comment["padding"] = "x" * max(missing, 0)
    return event


def _respond(start_response, status: str, body: dict):
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def routes(environ, start_response):
    """The plain WSGI app behind Socket.IO: /healthz and POST /emit."""
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    if path == "/healthz":
        return _respond(start_response, "200 OK", {"ok": True})
    if path == "/emit" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        event = envelope(
            request["room"], int(request["id"]), request.get("body", ""), int(request["size"])
        )
        sio.emit("comment.created", event, to=request["room"])
        return _respond(start_response, "201 Created", {"id": request["id"], "seq": event["seq"]})
    return _respond(start_response, "404 Not Found", {"error": "not_found"})


app = socketio.WSGIApp(sio, routes)
