"""Events leave only after the transaction that caused them commits.

A service calls `queue(room, event, payload)` inside its transaction; the event is held on the
database session and emitted to the room once the session commits, or dropped if it rolls
back. An event that was never committed never reaches a client.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from hall.extensions import db, socketio

_KEY = "hall_outgoing_events"


def queue(room: str, name: str, payload: dict) -> None:
    session = db.session()
    if not session.in_transaction():
        # Tie the event to a transaction. Session.rollback() with none begun fires no rollback
        # event, and the event would wait in session.info and leave with the next commit.
        session.begin()
    session.info.setdefault(_KEY, []).append((room, name, payload))


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    outgoing = session.info.pop(_KEY, None)
    for room, name, payload in outgoing or ():
        socketio.emit(name, payload, to=room)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_KEY, None)
