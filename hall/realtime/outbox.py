"""The outbox: events written in the transaction that causes them, published after it commits.

A service calls `queue(room, event, data)` inside its transaction. The event is numbered in
its room (1, 2, 3... per room, allocated under a row lock so numbers follow commit order) and
stored; once the transaction commits it is emitted to the room, and if the transaction rolls
back it vanishes with it. A client remembers the last number it saw in each room and, when it
reconnects, asks for what came after (`events_after`): it misses nothing, and a gap in the
numbers tells it to ask.

Each room keeps its last `KEEP_PER_ROOM` events; a client further behind gets told to reload
a fresh snapshot instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hall.extensions import db, socketio
from hall.realtime.models import OutboxEvent, RoomSequence

KEEP_PER_ROOM = 1000
_PRUNE_EVERY = 100
_KEY = "hall_outgoing_events"


def envelope(room: str, seq: int, name: str, data: dict) -> dict:
    """What a client receives, live or replayed: the same shape either way."""
    return {"room": room, "seq": seq, "event": name, "data": data}


def queue(room: str, name: str, data: dict) -> int:
    """Store an event for `room` in the current transaction; returns its number in the room."""
    session = db.session()
    seq = _next_seq(session, room)  # begins the transaction if none has: the event is tied to it
    session.add(OutboxEvent(room=room, seq=seq, event=name, data=data))
    if seq % _PRUNE_EVERY == 0:
        session.execute(
            delete(OutboxEvent).where(
                OutboxEvent.room == room, OutboxEvent.seq <= seq - KEEP_PER_ROOM
            )
        )
    session.info.setdefault(_KEY, []).append(envelope(room, seq, name, data))
    return seq


def _next_seq(session: Session, room: str) -> int:
    # One statement that creates or bumps the room's counter and locks its row until commit,
    # on PostgreSQL and SQLite (3.35+) alike.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(RoomSequence)
        .values(room=room, last_seq=1)
        .on_conflict_do_update(
            index_elements=[RoomSequence.room],
            set_={"last_seq": RoomSequence.last_seq + 1},
        )
        .returning(RoomSequence.last_seq)
    )
    return session.execute(statement).scalar_one()


@dataclass(frozen=True)
class Replay:
    seq: int  # the room's latest number
    events: list[dict] | None  # None: too far behind, reload a snapshot


def current_seq(room: str) -> int:
    return db.session.scalar(select(RoomSequence.last_seq).where(RoomSequence.room == room)) or 0


def events_after(room: str, after: int) -> Replay:
    """The room's events numbered above `after`, in order, or None if some are gone."""
    latest = current_seq(room)
    if after >= latest:
        # Equal: nothing missed. Greater: the client counts from another database; reload.
        return Replay(latest, [] if after == latest else None)
    oldest = db.session.scalar(select(func.min(OutboxEvent.seq)).where(OutboxEvent.room == room))
    if oldest is None or oldest > after + 1:
        return Replay(latest, None)
    rows = db.session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.room == room, OutboxEvent.seq > after)
        .order_by(OutboxEvent.seq)
    )
    return Replay(latest, [envelope(row.room, row.seq, row.event, row.data) for row in rows])


def emit_now(room: str, name: str, data: dict) -> None:
    """An ephemeral event (who is viewing): not numbered, not stored, not replayed."""
    socketio.emit(name, data, to=room)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    outgoing = session.info.pop(_KEY, None)
    if not outgoing:
        return
    for envelope_ in outgoing:
        socketio.emit(envelope_["event"], envelope_, to=envelope_["room"])
    # Under eventlet or gevent the emits are queued for each client's writer: yield once so
    # that they go out before this request goes on to build its response.
    socketio.sleep(0)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_KEY, None)
