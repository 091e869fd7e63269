"""Reading a chain out a page at a time, so that anyone can re-verify it offline."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hall.extensions import db
from hall.ledger.chain import GENESIS
from hall.ledger.models import LedgerChain, LedgerEntry


@dataclass(frozen=True)
class LedgerPage:
    chain: str
    length: int  # entries in the chain altogether
    head_hash: str
    entries: list[LedgerEntry]
    next_after: int | None  # the position to continue after, None when this page is the last


def entries_page(chain: str, *, after: int = 0, limit: int = 100) -> LedgerPage:
    """Up to `limit` entries of `chain` after position `after`, in position order."""
    entries = list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.chain == chain, LedgerEntry.position > after)
            .order_by(LedgerEntry.position)
            .limit(limit)
        )
    )
    # The tip after the entries: an entry appended in between makes the length larger, never
    # smaller than the last position read.
    tip = db.session.get(LedgerChain, chain)
    length, head_hash = (tip.length, tip.head_hash) if tip is not None else (0, GENESIS)
    last = entries[-1].position if entries else None
    return LedgerPage(
        chain=chain,
        length=length,
        head_hash=head_hash,
        entries=entries,
        next_after=last if last is not None and last < length else None,
    )
