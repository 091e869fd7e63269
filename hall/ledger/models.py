"""Ledger entries and the tip of each chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hall.extensions import db
from hall.types import UTCDateTime


class LedgerChain(db.Model):
    """The tip of one chain. Appending locks this row, so one chain's entries queue up while
    other chains (other communities) never wait on them."""

    __tablename__ = "ledger_chains"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # "community:3"
    length: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("chain", "position"),
        Index("ix_ledger_entries_subject", "subject", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(ForeignKey("ledger_chains.name"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within the chain
    kind: Mapped[str] = mapped_column(String(64))  # "issue.transition", "comment.hidden"
    subject: Mapped[str] = mapped_column(String(64))  # what it is about: "issue:12"
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict] = mapped_column(JSON)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
