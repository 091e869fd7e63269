"""The outbox: events written in the transaction that causes them, published after it commits.

A service calls `queue(room, event, data)` inside its transaction. When the transaction
commits, its events are numbered in their rooms (1, 2, 3... per room, allocated under a row
lock held until the commit, so numbers follow commit order), stored, and then emitted to the
rooms; if the transaction rolls back they vanish with it. A client remembers the last number
it saw in each room and, when it reconnects, asks for what came after (`events_after`): it
misses nothing, and a gap in the numbers tells it to ask.

An update that states a thing's whole new state (`issue.updated`) is queued with
`queue_latest(room, name, subject, make)`: however often one transaction queues it for the same
room and subject, one event goes out, in the place of the last one queued, made by `make()`
when the transaction commits (after its last flush), so it carries the state that was
committed and never one in between.

Numbering and storing a transaction's events takes two statements however many there are: one
that advances every room's counter at once, one that inserts the events.

Each room keeps its last `KEEP_PER_ROOM` events; a client further behind gets told to reload
a fresh snapshot instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, event, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hall.extensions import db, socketio
from hall.realtime.models import OutboxEvent, RoomSequence

KEEP_PER_ROOM = 1000
_PRUNE_EVERY = 100
_QUEUED = "hall_queued_events"  # (room, name, subject or None, data or its maker), in order
_OUTGOING = "hall_outgoing_events"  # envelopes stored by the commit under way


def envelope(room: str, seq: int, name: str, data: dict) -> dict:
    """What a client receives, live or replayed: the same shape either way."""
    return {"room": room, "seq": seq, "event": name, "data": data}


def queue(room: str, name: str, data: dict) -> None:
    """Send `data` to `room` as the event `name` once the current transaction commits."""
    _queued(db.session()).append((room, name, None, data))


def queue_latest(room: str, name: str, subject: str, make: Callable[[], dict]) -> None:
    """Queue the update `name` of `subject` for `room`; of those queued in one transaction for
    the same room, name and subject, only the last is sent, its data made at commit."""
    queued = _queued(db.session())
    key = (room, name, subject)
    queued[:] = [item for item in queued if item[:3] != key]
    queued.append((room, name, subject, make))


def _queued(session: Session) -> list:
    # The session's transaction begins here if none has: the events are tied to it.
    session.connection()
    return session.info.setdefault(_QUEUED, [])


@event.listens_for(Session, "before_commit")
def _store(session: Session) -> None:
    queued = session.info.pop(_QUEUED, None)
    if not queued:
        return
    session.flush()  # what is made at commit is what is committed
    made: dict[tuple[str, str], dict] = {}  # one update to several rooms is made once
    events = []
    for room, name, subject, data in queued:
        if subject is not None:
            key = (name, subject)
            if key not in made:
                made[key] = data()
            data = made[key]
        events.append((room, name, data))
    last = _advance(session, events)
    numbered = []
    for room, name, data in reversed(events):  # the last event of a room takes its last number
        numbered.append(envelope(room, last[room], name, data))
        last[room] -= 1
    numbered.reverse()
    session.execute(
        insert(OutboxEvent),
        [
            {"room": e["room"], "seq": e["seq"], "event": e["event"], "data": e["data"]}
            for e in numbered
        ],
    )
    _prune(session, numbered)
    session.info.setdefault(_OUTGOING, []).extend(numbered)


def _advance(session: Session, events: list[tuple[str, str, dict]]) -> dict[str, int]:
    """Move each room's counter on by its number of events, in one statement that creates or
    bumps the counters and locks their rows until commit (PostgreSQL, and SQLite 3.35+).
    Rooms are locked in name order, so two transactions never wait on each other in a ring."""
    counts: dict[str, int] = {}
    for room, _, _ in events:
        counts[room] = counts.get(room, 0) + 1
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RoomSequence).values(
        [{"room": room, "last_seq": counts[room]} for room in sorted(counts)]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[RoomSequence.room],
        set_={"last_seq": RoomSequence.last_seq + statement.excluded.last_seq},
    ).returning(RoomSequence.room, RoomSequence.last_seq)
    return {room: seq for room, seq in session.execute(statement)}


def _prune(session: Session, numbered: list[dict]) -> None:
    """Each time a room's count passes a multiple of `_PRUNE_EVERY`, forget its events more
    than `KEEP_PER_ROOM` before that multiple."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for item in numbered:
        first.setdefault(item["room"], item["seq"])
        last[item["room"]] = item["seq"]
    due = []
    for room, seq in last.items():
        passed = seq // _PRUNE_EVERY * _PRUNE_EVERY  # the last multiple reached
        if passed >= first[room]:
            due.append((OutboxEvent.room == room) & (OutboxEvent.seq <= passed - KEEP_PER_ROOM))
    if due:
        session.execute(delete(OutboxEvent).where(or_(*due)))


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
    outgoing = session.info.pop(_OUTGOING, None)
    if not outgoing:
        return
    for envelope_ in outgoing:
        socketio.emit(envelope_["event"], envelope_, to=envelope_["room"])
    # Under eventlet or gevent the emits are queued for each client's writer: yield once so
    # that they go out before this request goes on to build its response.
    socketio.sleep(0)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_QUEUED, None)
    session.info.pop(_OUTGOING, None)
