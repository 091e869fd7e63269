"""Socket.IO connections and rooms.

Connecting needs a logged-in session (the cookie) or a bearer token in the `auth` payload.
Rooms are named `kind:id` (`community:3`); each kind is registered by the stage that owns it
with a function that says whether an actor may join, so that the policy stays in one place.

Joining answers with the room's latest event number. A client that was in the room before
sends the last number it saw as `after`, and the answer carries the events it missed, or
`snapshot: true` when they are too old to replay and it should reload the room's state.
Rooms registered with `counts_viewers` tell their members how many people are viewing: the
join answer carries the count, and a `viewers` event follows a change, at most once per
`viewer_count_interval` per room and worker. Announcing every join at once would send n²/2
events to a room that n people enter.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_babel import gettext
from flask_socketio import ConnectionRefusedError, join_room, leave_room, rooms

from hall.config import current_settings
from hall.errors import HallError, error_body, invalid, not_found
from hall.extensions import socketio
from hall.realtime import coalesce, outbox, presence
from hall.text import N_, phrase

# What a join or a leave is refused for, and why a connection is.
ROOM_REQUIRED = invalid("room_required", N_("Name the room to join."), field="room")
NO_SUCH_ROOM = not_found("no_such_room", N_("No such room."), field="room")
AFTER_NOT_A_NUMBER = invalid(
    "after_not_a_number", N_("Give the number of the last event seen."), field="after"
)
LOG_IN_TO_CONNECT = phrase("unauthenticated_connection", N_("Log in to connect."))

RoomAuthoriser = Callable[[int], None]  # raises a HallError when the current actor may not join
_room_kinds: dict[str, RoomAuthoriser] = {}
_viewed_kinds: set[str] = set()
_identify: Callable[[dict | None], int | None] | None = None
# Who a connection is, kept in its WSGI environ: Flask-SocketIO hands that same dict to every
# event of the connection (its own managed session lives there too), and unlike engine.io's
# session store it also exists under Flask-SocketIO's test client.
_ACCOUNT_KEY = "hall.account_id"


def room_kind(kind: str, *, counts_viewers: bool = False):
    """Register who may join rooms `kind:<id>`."""

    def register(authorise: RoomAuthoriser) -> RoomAuthoriser:
        _room_kinds[kind] = authorise
        if counts_viewers:
            _viewed_kinds.add(kind)
        return authorise

    return register


def set_identifier(identify: Callable[[dict | None], int | None]) -> None:
    """How a connection says who it is: returns the account id, or None."""
    global _identify
    _identify = identify


def session_account_id() -> int | None:
    return request.environ.get(_ACCOUNT_KEY)


def _parse_after(data) -> int | None:
    after = data.get("after")
    if after is None:
        return None
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise AFTER_NOT_A_NUMBER()
    return after


def _parse_room(data) -> tuple[str, str, int]:
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str):
        raise ROOM_REQUIRED()
    kind, _, raw_id = room.partition(":")
    if kind not in _room_kinds or not raw_id.isdigit():
        raise NO_SUCH_ROOM()
    return room, kind, int(raw_id)


@socketio.on("connect")
def _on_connect(auth=None):
    account_id = _identify(auth if isinstance(auth, dict) else None) if _identify else None
    if account_id is None:
        # Two arguments: the client gets {"message": ..., "data": <the error body>} (socket.io's
        # connect_error err.message and err.data). One argument would be str()-ed into message.
        message = LOG_IN_TO_CONNECT.render(gettext)
        raise ConnectionRefusedError(message, error_body("unauthenticated", message))
    request.environ[_ACCOUNT_KEY] = account_id


@socketio.on("join")
def _on_join(data=None):
    try:
        room, kind, room_id = _parse_room(data)
        after = _parse_after(data)
        _room_kinds[kind](room_id)
    except HallError as error:
        return error.body(gettext)
    # Joined before reading the outbox: an event committed in between arrives both ways, and
    # the client drops the copy by its number; the other order could lose it.
    try:
        join_room(room)
    except (KeyError, ValueError):  # the connection closed while this join waited its turn
        return None
    answer = {"ok": True, "room": room}
    if after is None:
        answer["seq"] = outbox.current_seq(room)
    else:
        replay = outbox.events_after(room, after)
        answer["seq"] = replay.seq
        if replay.events is None:
            answer["snapshot"] = True
        else:
            answer["events"] = replay.events
    if kind in _viewed_kinds:
        answer["viewers"] = presence.arrive(room, request.sid, session_account_id())
        _announce_viewers(room)
    return answer


@socketio.on("leave")
def _on_leave(data=None):
    try:
        room, kind, _ = _parse_room(data)
    except HallError as error:
        return error.body(gettext)
    leave_room(room)
    if kind in _viewed_kinds:
        presence.depart(room, request.sid)
        _announce_viewers(room)
    return {"ok": True, "room": room}


@socketio.on("disconnect")
def _on_disconnect(reason=None):
    for room in rooms():
        if room.partition(":")[0] in _viewed_kinds:
            presence.depart(room, request.sid)
            _announce_viewers(room)


def _announce_viewers(room: str) -> None:
    interval = current_settings().viewer_count_interval
    coalesce.soon(room, interval, lambda: _send_viewer_count(room))


def _send_viewer_count(room: str) -> None:
    count = presence.count(room)
    if presence.changed_since_announced(room, count):
        outbox.emit_now(room, "viewers", {"room": room, "count": count})
