"""Appending to a chain and verifying one end to end.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing
or reordering any entry breaks every hash after it. The hashed form is canonical JSON (sorted
keys, no spaces, UTF-8), which anyone can recompute offline from an export of the entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hall.extensions import db
from hall.ledger.models import LedgerChain, LedgerEntry
from hall.types import utcnow

GENESIS = "0" * 64
_BATCH = 1000


def community_chain(community_id: int) -> str:
    return f"community:{community_id}"


def entry_hash(
    *,
    chain: str,
    position: int,
    kind: str,
    subject: str,
    actor_account_id: int | None,
    recorded_at: datetime,
    payload: dict,
    previous_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "chain": chain,
            "position": position,
            "kind": kind,
            "subject": subject,
            "actor": actor_account_id,
            # Microseconds kept: both databases store them, so the hash survives a round trip.
            "recorded_at": recorded_at.isoformat(timespec="microseconds"),
            "payload": payload,
            "previous": previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Tip:
    """A chain's tip, held locked by `locked` until the transaction ends."""

    def __init__(self, chain: str, length: int, head_hash: str):
        self.chain = chain
        self.length = length
        self.head_hash = head_hash
        self.rows: list[dict] = []  # the entries added, as the insert takes them

    def add(
        self, kind: str, subject: str, actor_account_id: int | None, payload: dict
    ) -> LedgerEntry:
        """The next entry, hashed now and written when the `locked` block ends."""
        fields = {
            "chain": self.chain,
            "position": self.length + 1,
            "kind": kind,
            "subject": subject,
            "actor_account_id": actor_account_id,
            "recorded_at": utcnow(),
            "payload": json.loads(json.dumps(payload)),  # exactly what the JSON column returns
            "previous_hash": self.head_hash,
        }
        row = {**fields, "hash": entry_hash(**fields)}
        self.length, self.head_hash = row["position"], row["hash"]
        self.rows.append(row)
        return LedgerEntry(**row)


@contextmanager
def locked(chain: str) -> Iterator[Tip]:
    """Hold `chain`'s tip for the rest of the caller's transaction; the caller commits.

    One upsert creates the chain or touches its tip row, returning its length and head. It is
    a write, so it locks the row until commit on PostgreSQL and takes SQLite's write lock: two
    transactions appending to one chain take turns and never fork it, while other chains go
    on. What the caller reads inside the block, it reads after the last appender committed.
    The entries added in the block are written together when it ends.
    """
    session = db.session
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    length, head_hash = session.execute(
        dialect.insert(LedgerChain)
        .values(name=chain, length=0, head_hash=GENESIS)
        .on_conflict_do_update(
            index_elements=[LedgerChain.name], set_={"length": LedgerChain.length}
        )
        .returning(LedgerChain.length, LedgerChain.head_hash)
    ).one()
    tip = Tip(chain, length, head_hash)
    yield tip
    if tip.rows:
        session.execute(insert(LedgerEntry.__table__), tip.rows)
        session.execute(
            update(LedgerChain)
            .where(LedgerChain.name == chain)
            .values(length=tip.length, head_hash=tip.head_hash)
            .execution_options(synchronize_session=False)
        )


def append(
    chain: str, kind: str, subject: str, actor_account_id: int | None, payload: dict
) -> LedgerEntry:
    """Add one entry to `chain` inside the caller's transaction; the caller commits."""
    with locked(chain) as tip:
        return tip.add(kind, subject, actor_account_id, payload)


def _hash_of(entry: LedgerEntry) -> str:
    return entry_hash(
        chain=entry.chain,
        position=entry.position,
        kind=entry.kind,
        subject=entry.subject,
        actor_account_id=entry.actor_account_id,
        recorded_at=entry.recorded_at,
        payload=entry.payload,
        previous_hash=entry.previous_hash,
    )


def entries_about(subject: str) -> list[LedgerEntry]:
    """A subject's entries in the order they were recorded: an issue's timeline."""
    return list(
        db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.subject == subject).order_by(LedgerEntry.id)
        )
    )


def entries_of(chain: str) -> Iterable[LedgerEntry]:
    """Every entry of `chain` in position order, read in batches."""
    return db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.chain == chain)
        .order_by(LedgerEntry.position)
        .execution_options(yield_per=_BATCH)
    )


@dataclass(frozen=True)
class Verification:
    chain: str
    ok: bool
    length: int  # entries checked
    head_hash: str
    broken_at: int | None = None  # the first position that does not hold
    problem: str | None = None


def verify(chain: str) -> Verification:
    """Recompute every hash of `chain` from its first entry and compare with its recorded tip."""
    result = verify_entries(chain, entries_of(chain))
    tip = db.session.get(LedgerChain, chain)
    recorded = (tip.length, tip.head_hash) if tip is not None else (0, GENESIS)
    if not result.ok or recorded == (result.length, result.head_hash):
        return result
    if recorded[0] > result.length:
        position = result.length + 1
        problem = "the recorded tip is past the last entry: entries are missing"
    else:
        position = recorded[0] + 1
        problem = "entries follow the recorded tip: they were added around it"
    return Verification(chain, False, result.length, result.head_hash, position, problem)


def verify_entries(chain: str, entries: Iterable[LedgerEntry]) -> Verification:
    """The pure half of `verify`: check a sequence of entries in position order."""
    previous = GENESIS
    count = 0
    for entry in entries:
        count += 1
        if entry.position != count:
            return Verification(chain, False, count - 1, previous, count, "an entry is missing")
        if entry.previous_hash != previous:
            return Verification(
                chain, False, count - 1, previous, count, "does not follow the entry before it"
            )
        if _hash_of(entry) != entry.hash:
            return Verification(
                chain, False, count - 1, previous, count, "its content does not match its hash"
            )
        previous = entry.hash
    return Verification(chain, True, count, previous)
