"""The ledger: appending, verifying, and catching every way a stored chain can be altered.

Runs on SQLite and PostgreSQL; the tests of concurrent appends run on PostgreSQL alone, where
transactions really do run side by side (SQLite lets one writer in at a time).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from hall.extensions import db
from hall.ledger import chain as ledger
from hall.ledger.chain import GENESIS, community_chain
from hall.ledger.models import LedgerChain, LedgerEntry

ON_POSTGRESQL = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
CONTENT = "its content does not match its hash"
DISCONNECTED = "does not follow the entry before it"
MISSING = "an entry is missing"
TIP_AHEAD = "the recorded tip is past the last entry: entries are missing"


def record(chain: str, count: int, subject: str = "issue:1", actor: int | None = None):
    """Append `count` entries to `chain` and commit; their hashes, oldest first."""
    hashes = [
        ledger.append(chain, "issue.support", subject, actor, {"supports": n, "名": "谭英娟"}).hash
        for n in range(1, count + 1)
    ]
    db.session.commit()
    return hashes


def entry_at(chain: str, position: int) -> LedgerEntry:
    return db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.chain == chain, LedgerEntry.position == position)
    ).one()


def tamper(statement) -> None:
    """Change stored rows behind Hall's back, as someone with database access could."""
    db.session.execute(statement)
    db.session.commit()


# Appending -------------------------------------------------------------------------------------


def test_the_first_entry_follows_the_genesis_hash(ctx, world):
    chain = community_chain(world.home)
    entry = ledger.append(chain, "issue.transition", "issue:7", world.chair_account, {"to": "x"})
    db.session.commit()
    assert (entry.chain, entry.position, entry.previous_hash) == (chain, 1, GENESIS)
    assert len(entry.hash) == 64 and entry.hash != GENESIS
    tip = db.session.get(LedgerChain, chain)
    assert (tip.length, tip.head_hash) == (1, entry.hash)


def test_each_entry_follows_the_one_before_it(ctx, world):
    chain = community_chain(world.home)
    hashes = record(chain, 5, actor=world.resident_account)
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.chain == chain).order_by(LedgerEntry.position)
    ).all()
    assert [e.position for e in entries] == [1, 2, 3, 4, 5]
    assert [e.previous_hash for e in entries] == [GENESIS, *hashes[:-1]]
    assert [e.hash for e in entries] == hashes
    tip = db.session.get(LedgerChain, chain)
    assert (tip.length, tip.head_hash) == (5, hashes[-1])


def test_an_append_rolled_back_leaves_no_trace(ctx, world):
    chain = community_chain(world.home)
    first = record(chain, 1)
    ledger.append(chain, "issue.support", "issue:1", None, {"supports": 2})
    db.session.rollback()
    second = ledger.append(chain, "issue.support", "issue:1", None, {"supports": 2})
    db.session.commit()
    assert (second.position, second.previous_hash) == (2, first[0])
    assert ledger.verify(chain).ok


def test_a_payload_is_stored_as_its_json_so_the_hash_survives_the_round_trip(ctx, world):
    chain = community_chain(world.home)
    entry = ledger.append(chain, "k", "s", None, {"when": (1, 2), "n": 1.5, "nested": {"b": 1}})
    db.session.commit()
    assert entry.payload == {"when": [1, 2], "n": 1.5, "nested": {"b": 1}}
    db.session.remove()
    assert ledger.verify(chain).ok


# Verifying -------------------------------------------------------------------------------------


def test_an_untouched_chain_verifies(ctx, world):
    chain = community_chain(world.home)
    hashes = record(chain, 4)
    db.session.remove()
    result = ledger.verify(chain)
    assert result == ledger.Verification(chain, True, 4, hashes[-1])


def test_a_chain_with_no_entries_verifies_as_empty(ctx, world):
    assert ledger.verify(community_chain(world.far)) == ledger.Verification(
        community_chain(world.far), True, 0, GENESIS
    )


def test_a_changed_payload_is_caught_at_its_position(ctx, world):
    chain = community_chain(world.home)
    hashes = record(chain, 4)
    tamper(
        update(LedgerEntry)
        .where(LedgerEntry.chain == chain, LedgerEntry.position == 2)
        .values(payload={"supports": 200, "名": "谭英娟"})
    )
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 2, CONTENT)
    assert (result.length, result.head_hash) == (1, hashes[0])  # what still holds


def test_a_changed_recording_time_is_caught_at_its_position(ctx, world):
    chain = community_chain(world.home)
    record(chain, 4)
    entry = entry_at(chain, 3)
    entry.recorded_at = entry.recorded_at - timedelta(microseconds=1)
    db.session.commit()
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 3, CONTENT)


@pytest.mark.parametrize(
    ("column", "value"),
    [("kind", "comment.hidden"), ("subject", "issue:2"), ("actor_account_id", None)],
)
def test_any_other_changed_field_is_caught_too(ctx, world, column, value):
    chain = community_chain(world.home)
    record(chain, 3, actor=world.resident_account)
    tamper(
        update(LedgerEntry)
        .where(LedgerEntry.chain == chain, LedgerEntry.position == 1)
        .values({column: value})
    )
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 1, CONTENT)


def test_a_deleted_middle_entry_is_caught_where_it_was(ctx, world):
    chain = community_chain(world.home)
    hashes = record(chain, 5)
    tamper(delete(LedgerEntry).where(LedgerEntry.chain == chain, LedgerEntry.position == 3))
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 3, MISSING)
    assert (result.length, result.head_hash) == (2, hashes[1])


def test_a_deleted_first_entry_is_caught(ctx, world):
    chain = community_chain(world.home)
    record(chain, 3)
    tamper(delete(LedgerEntry).where(LedgerEntry.chain == chain, LedgerEntry.position == 1))
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem, result.head_hash) == (
        False,
        1,
        MISSING,
        GENESIS,
    )


def test_a_deleted_entry_renumbered_to_close_the_gap_is_caught(ctx, world):
    chain = community_chain(world.home)
    record(chain, 4)
    tamper(delete(LedgerEntry).where(LedgerEntry.chain == chain, LedgerEntry.position == 2))
    for position in (3, 4):
        tamper(
            update(LedgerEntry)
            .where(LedgerEntry.chain == chain, LedgerEntry.position == position)
            .values(position=position - 1)
        )
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 2, DISCONNECTED)


def test_two_entries_swapped_are_caught_at_the_first_of_them(ctx, world):
    chain = community_chain(world.home)
    record(chain, 4)
    where = LedgerEntry.chain == chain
    tamper(update(LedgerEntry).where(where, LedgerEntry.position == 2).values(position=0))
    tamper(update(LedgerEntry).where(where, LedgerEntry.position == 3).values(position=2))
    tamper(update(LedgerEntry).where(where, LedgerEntry.position == 0).values(position=3))
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 2, DISCONNECTED)


def test_a_truncated_tip_is_caught_against_the_recorded_length(ctx, world):
    chain = community_chain(world.home)
    hashes = record(chain, 4)
    tamper(delete(LedgerEntry).where(LedgerEntry.chain == chain, LedgerEntry.position == 4))
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 4, TIP_AHEAD)
    assert (result.length, result.head_hash) == (3, hashes[2])


def test_a_rehashed_forgery_is_caught_at_the_entry_after_it(ctx, world):
    """Rewriting an entry and its own hash still breaks the link from the next one."""
    chain = community_chain(world.home)
    record(chain, 4)
    forged = entry_at(chain, 2)
    forged.payload = {"supports": 200}
    forged.hash = ledger._hash_of(forged)
    db.session.commit()
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (False, 3, DISCONNECTED)


def test_a_chain_rewritten_to_the_end_changes_its_head_hash(ctx, world):
    """Verification alone cannot catch a complete rewrite; the head hash given out before
    (on a notice, a receipt) no longer matches, which is what anyone holding it checks."""
    chain = community_chain(world.home)
    published_head = record(chain, 3)[-1]
    previous = GENESIS
    for position in (1, 2, 3):
        entry = entry_at(chain, position)
        if position == 2:
            entry.payload = {"supports": 200}
        entry.previous_hash = previous
        entry.hash = previous = ledger._hash_of(entry)
        db.session.flush()
    tip = db.session.get(LedgerChain, chain)
    tip.head_hash = previous
    db.session.commit()
    result = ledger.verify(chain)
    assert result.ok
    assert result.head_hash != published_head


def test_verify_entries_checks_a_sequence_without_the_database(ctx, world):
    chain = community_chain(world.home)
    record(chain, 3)
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.chain == chain).order_by(LedgerEntry.position)
    ).all()
    assert ledger.verify_entries(chain, entries).ok
    assert ledger.verify_entries(chain, [entries[0], entries[2]]).broken_at == 2
    assert ledger.verify_entries(chain, entries[1:]).problem == MISSING


# Subjects, chains and the offline check --------------------------------------------------------


def test_a_subjects_entries_come_in_the_order_they_were_recorded(ctx, world):
    chain = community_chain(world.home)
    for subject in ("issue:1", "issue:2", "issue:1", "issue:3", "issue:1"):
        ledger.append(chain, "issue.support", subject, None, {"subject": subject})
        db.session.commit()
    assert [e.position for e in ledger.entries_about("issue:1")] == [1, 3, 5]
    assert [e.position for e in ledger.entries_about("issue:2")] == [2]
    assert ledger.entries_about("issue:9") == []


def test_each_community_has_a_chain_of_its_own(ctx, world):
    home, neighbour = community_chain(world.home), community_chain(world.neighbour)
    home_hashes = record(home, 3)
    neighbour_hashes = record(neighbour, 2)
    assert entry_at(neighbour, 1).previous_hash == GENESIS
    assert ledger.verify(home) == ledger.Verification(home, True, 3, home_hashes[-1])
    assert ledger.verify(neighbour) == ledger.Verification(neighbour, True, 2, neighbour_hashes[-1])
    tamper(delete(LedgerEntry).where(LedgerEntry.chain == home, LedgerEntry.position == 2))
    assert not ledger.verify(home).ok
    assert ledger.verify(neighbour).ok


def export(chain: str) -> str:
    """The chain as anyone may download it: plain JSON of each entry's recorded fields."""
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.chain == chain).order_by(LedgerEntry.position)
    )
    return json.dumps(
        [
            {
                "chain": e.chain,
                "position": e.position,
                "kind": e.kind,
                "subject": e.subject,
                "actor": e.actor_account_id,
                "recorded_at": e.recorded_at.isoformat(timespec="microseconds"),
                "payload": e.payload,
                "previous": e.previous_hash,
                "hash": e.hash,
            }
            for e in entries
        ],
        ensure_ascii=False,
    )


def recompute_offline(exported: str) -> list[str]:
    """What a citizen's script does with the export: sha256 of canonical JSON (sorted keys, no
    spaces, UTF-8) of every field but the hash, each entry linked to the one before."""
    previous, hashes = "0" * 64, []
    for fields in json.loads(exported):
        claimed = fields.pop("hash")
        assert fields["previous"] == previous
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        computed = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        assert computed == claimed, f"entry {fields['position']} does not match its hash"
        hashes.append(computed)
        previous = computed
    return hashes


def test_the_hashes_can_be_recomputed_offline_from_an_export(ctx, world):
    chain = community_chain(world.home)
    ledger.append(chain, "issue.transition", "issue:1", world.chair_account, {"to": "审议"})
    ledger.append(chain, "comment.hidden", "issue:1", None, {"reason": "广告", "n": [1, {"z": 2}]})
    hashes = record(chain, 2, actor=world.resident_account)
    db.session.remove()  # read back from the database, as an export would
    offline = recompute_offline(export(chain))
    assert len(offline) == 4
    assert offline[-2:] == hashes
    assert offline[-1] == db.session.get(LedgerChain, chain).head_hash


def test_an_export_with_an_altered_entry_fails_the_offline_check(ctx, world):
    chain = community_chain(world.home)
    record(chain, 3)
    altered = json.loads(export(chain))
    altered[1]["payload"]["supports"] = 99
    with pytest.raises(AssertionError, match="entry 2 does not match"):
        recompute_offline(json.dumps(altered))


# Concurrency (PostgreSQL) ----------------------------------------------------------------------


def append_from_a_thread(app, chain: str, count: int, start: threading.Barrier, who: int):
    """Each append in its own transaction, on this thread's own connection."""
    with app.app_context():
        try:
            start.wait(timeout=10)
            for n in range(count):
                ledger.append(chain, "issue.support", f"thread:{who}", None, {"n": n})
                db.session.commit()
        finally:
            db.session.remove()


@ON_POSTGRESQL
@pytest.mark.parametrize("chain_exists", [True, False], ids=["existing-chain", "new-chain"])
def test_appends_from_many_transactions_at_once_make_one_unbroken_chain(
    app, ctx, world, backend, chain_exists
):
    chain = community_chain(world.home)
    if chain_exists:
        record(chain, 1)
    db.session.remove()
    threads, each = 8, 5
    start = threading.Barrier(threads)
    with ThreadPoolExecutor(threads) as pool:
        futures = [
            pool.submit(append_from_a_thread, app, chain, each, start, who)
            for who in range(threads)
        ]
        for future in futures:
            future.result(timeout=60)  # re-raises what a thread raised
    expected = threads * each + (1 if chain_exists else 0)
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.chain == chain).order_by(LedgerEntry.position)
    ).all()
    assert [e.position for e in entries] == list(range(1, expected + 1))  # no gaps
    assert len({e.previous_hash for e in entries}) == expected  # no fork: one child each
    for who in range(threads):
        assert [e.payload["n"] for e in entries if e.subject == f"thread:{who}"] == list(
            range(each)
        )
    assert ledger.verify(chain) == ledger.Verification(chain, True, expected, entries[-1].hash)


def append_and_commit(app, chain: str) -> int:
    with app.app_context():
        try:
            position = ledger.append(chain, "issue.support", "issue:1", None, {}).position
            db.session.commit()
            return position
        finally:
            db.session.remove()


@ON_POSTGRESQL
@pytest.mark.parametrize("chains_exist", [True, False], ids=["existing-chains", "new-chains"])
def test_an_open_append_holds_up_its_own_communitys_chain_and_no_other(
    app, ctx, world, backend, chains_exist
):
    home, neighbour = community_chain(world.home), community_chain(world.neighbour)
    if chains_exist:
        record(home, 1)
        record(neighbour, 1)
    before = 1 if chains_exist else 0
    pool = ThreadPoolExecutor(2)
    try:
        ledger.append(home, "issue.support", "issue:1", None, {})  # home's tip now locked
        started = time.monotonic()
        other = pool.submit(append_and_commit, app, neighbour)
        same = pool.submit(append_and_commit, app, home)
        assert other.result(timeout=1) == before + 1
        assert time.monotonic() - started < 1
        done, _ = wait([same], timeout=0.5)
        assert not done, "an append to a chain did not wait for the transaction holding it"
        db.session.commit()
        assert same.result(timeout=5) == before + 2
    finally:
        db.session.rollback()  # whatever happened, let a waiting thread go
        pool.shutdown(wait=True)
    assert ledger.verify(home).length == before + 2
    assert ledger.verify(neighbour).length == before + 1


def test_entries_added_past_the_recorded_tip_are_caught(ctx, world):
    """An entry slipped in after the tip, with a valid link, still disagrees with the tip."""
    chain = community_chain(world.home)
    record(chain, 3)
    tip = db.session.get(LedgerChain, chain)
    tip.length, tip.head_hash = 2, entry_at(chain, 2).hash
    db.session.commit()
    result = ledger.verify(chain)
    assert (result.ok, result.broken_at, result.problem) == (
        False,
        3,
        "entries follow the recorded tip: they were added around it",
    )
