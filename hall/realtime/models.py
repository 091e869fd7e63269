"""The outbox's tables: each room's event counter and its recent events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hall.extensions import db
from hall.types import UTCDateTime, utcnow


class RoomSequence(db.Model):
    __tablename__ = "room_sequences"

    room: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class OutboxEvent(db.Model):
    __tablename__ = "outbox_events"
    __table_args__ = (UniqueConstraint("room", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
