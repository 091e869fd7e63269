"""The outbox: events numbered per room in the transaction that causes them, emitted after it
commits, replayed to a client that missed them. On SQLite and PostgreSQL; the concurrent test
on PostgreSQL alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from hall.extensions import db
from hall.realtime import outbox
from hall.realtime.models import OutboxEvent, RoomSequence

ROOM, OTHER = "issue:1", "issue:2"


def stored(room: str) -> list[int]:
    return list(
        db.session.scalars(
            select(OutboxEvent.seq).where(OutboxEvent.room == room).order_by(OutboxEvent.seq)
        )
    )


def queue_committed(room: str, count: int, name: str = "comment.created") -> list[int]:
    """Queue `count` events in one transaction and commit; the numbers they were given."""
    for n in range(count):
        outbox.queue(room, name, {"n": n})
    db.session.commit()
    return stored(room)[-count:]


# Numbering -------------------------------------------------------------------------------------


def test_each_rooms_numbers_start_at_one_and_have_no_gaps(ctx, emitted):
    numbers = {ROOM: [], OTHER: []}
    for room in (ROOM, OTHER, ROOM, ROOM, OTHER, ROOM):
        numbers[room] += queue_committed(room, 1)
    assert numbers == {ROOM: [1, 2, 3, 4], OTHER: [1, 2]}
    assert stored(ROOM) == [1, 2, 3, 4]
    assert stored(OTHER) == [1, 2]
    assert outbox.current_seq(ROOM) == 4
    assert outbox.current_seq("issue:99") == 0


def test_several_events_in_one_transaction_take_consecutive_numbers(ctx, emitted):
    assert queue_committed(ROOM, 3) == [1, 2, 3]
    assert queue_committed(ROOM, 2) == [4, 5]


def test_a_rolled_back_event_is_neither_stored_nor_emitted_nor_numbered(ctx, emitted):
    queue_committed(ROOM, 1)
    emitted.clear()
    outbox.queue(ROOM, "comment.created", {"rolled": "back"})
    db.session.flush()
    db.session.rollback()
    assert emitted == []
    assert stored(ROOM) == [1]
    assert outbox.current_seq(ROOM) == 1
    # The next event takes the number the rolled-back one would have had: no gap.
    outbox.queue(ROOM, "comment.created", {"kept": True})
    db.session.commit()
    assert [data for _, data, _ in emitted] == [
        outbox.envelope(ROOM, 2, "comment.created", {"kept": True})
    ]


def test_a_rolled_back_first_event_leaves_the_room_without_a_counter(ctx, emitted):
    outbox.queue(ROOM, "comment.created", {})
    db.session.rollback()
    assert db.session.get(RoomSequence, ROOM) is None
    assert emitted == []


# Emitting --------------------------------------------------------------------------------------


def test_events_leave_only_after_commit_in_the_order_queued(ctx, emitted):
    outbox.queue(ROOM, "comment.created", {"n": 1})
    outbox.queue(OTHER, "issue.updated", {"n": 2})
    outbox.queue(ROOM, "comment.updated", {"n": 3})
    db.session.flush()
    assert emitted == []  # queued and flushed is not committed
    db.session.commit()
    assert emitted == [
        ("comment.created", outbox.envelope(ROOM, 1, "comment.created", {"n": 1}), ROOM),
        ("issue.updated", outbox.envelope(OTHER, 1, "issue.updated", {"n": 2}), OTHER),
        ("comment.updated", outbox.envelope(ROOM, 2, "comment.updated", {"n": 3}), ROOM),
    ]


def test_a_commit_emits_its_events_once(ctx, emitted):
    queue_committed(ROOM, 2)
    db.session.commit()  # a later commit with nothing queued sends nothing again
    queue_committed(OTHER, 1)
    assert [(data["room"], data["seq"]) for _, data, _ in emitted] == [
        (ROOM, 1),
        (ROOM, 2),
        (OTHER, 1),
    ]


def test_the_envelope_is_the_same_live_and_replayed(ctx, emitted):
    queue_committed(ROOM, 3)
    live = [data for _, data, _ in emitted]
    assert live == outbox.events_after(ROOM, 0).events
    assert live[0] == {"room": ROOM, "seq": 1, "event": "comment.created", "data": {"n": 0}}


# One update per room and subject ---------------------------------------------------------------


def test_an_update_queued_twice_for_a_room_and_subject_goes_out_once_as_committed(ctx, emitted):
    state = {"count": 1}
    outbox.queue(ROOM, "comment.created", {"n": 1})
    for room in (ROOM, OTHER):
        outbox.queue_latest(room, "issue.updated", "issue:1", lambda: dict(state))
    outbox.queue(ROOM, "comment.created", {"n": 2})
    state["count"] = 2
    outbox.queue_latest(ROOM, "issue.updated", "issue:1", lambda: dict(state))
    state["count"] = 3  # what the transaction ends with is what is sent
    db.session.commit()
    assert [(data["room"], data["seq"], data["event"], data["data"]) for _, data, _ in emitted] == [
        (ROOM, 1, "comment.created", {"n": 1}),
        (OTHER, 1, "issue.updated", {"count": 3}),
        (ROOM, 2, "comment.created", {"n": 2}),
        (ROOM, 3, "issue.updated", {"count": 3}),
    ]
    assert stored(ROOM) == [1, 2, 3]


def test_updates_of_other_subjects_or_events_are_each_sent(ctx, emitted):
    outbox.queue_latest(ROOM, "issue.updated", "issue:1", lambda: {"id": 1})
    outbox.queue_latest(ROOM, "issue.updated", "issue:2", lambda: {"id": 2})
    outbox.queue_latest(ROOM, "issue.edited", "issue:1", lambda: {"id": 1})
    db.session.commit()
    assert [(data["event"], data["data"]) for _, data, _ in emitted] == [
        ("issue.updated", {"id": 1}),
        ("issue.updated", {"id": 2}),
        ("issue.edited", {"id": 1}),
    ]


def test_an_update_is_made_after_the_transactions_last_flush(ctx, emitted, world):
    from hall.community.models import Community

    community = db.session.get(Community, world.home)
    outbox.queue_latest(ROOM, "issue.updated", "x", lambda: {"name": community.name})
    community.name = "新名字"  # not yet flushed when the commit begins
    db.session.commit()
    assert emitted[0][1]["data"] == {"name": "新名字"}


def test_a_rolled_back_update_is_never_made(ctx, emitted):
    made = []
    outbox.queue_latest(ROOM, "issue.updated", "issue:1", lambda: made.append(1) or {})
    db.session.rollback()
    db.session.commit()
    assert (made, emitted, stored(ROOM)) == ([], [], [])


# Replay ----------------------------------------------------------------------------------------


def test_events_after_returns_exactly_the_ones_missed(ctx, emitted):
    queue_committed(ROOM, 5)
    queue_committed(OTHER, 2)
    replay = outbox.events_after(ROOM, 2)
    assert replay.seq == 5
    assert [event["seq"] for event in replay.events] == [3, 4, 5]
    assert {event["room"] for event in replay.events} == {ROOM}
    assert [event["seq"] for event in outbox.events_after(ROOM, 0).events] == [1, 2, 3, 4, 5]


def test_a_client_that_missed_nothing_gets_nothing(ctx, emitted):
    queue_committed(ROOM, 3)
    assert outbox.events_after(ROOM, 3) == outbox.Replay(3, [])


def test_a_room_with_no_events_has_nothing_to_replay(ctx, emitted):
    assert outbox.events_after("issue:42", 0) == outbox.Replay(0, [])


@pytest.mark.parametrize("after", [4, 100])
def test_a_client_ahead_of_the_room_is_told_to_reload(ctx, emitted, after):
    """It counted in another database (restored, or reset): its numbers mean nothing here."""
    queue_committed(ROOM, 3)
    assert outbox.events_after(ROOM, after) == outbox.Replay(3, None)


def test_a_client_ahead_of_an_empty_room_is_told_to_reload(ctx, emitted):
    assert outbox.events_after("issue:42", 1) == outbox.Replay(0, None)


@pytest.fixture
def small_window(monkeypatch):
    """Keep five events per room, pruning every five."""
    monkeypatch.setattr(outbox, "KEEP_PER_ROOM", 5)
    monkeypatch.setattr(outbox, "_PRUNE_EVERY", 5)


def test_a_room_keeps_only_its_recent_events(ctx, emitted, small_window):
    for _ in range(12):
        queue_committed(ROOM, 1)
    queue_committed(OTHER, 4)
    assert stored(ROOM) == [6, 7, 8, 9, 10, 11, 12]  # pruned at 5 and at 10
    assert stored(OTHER) == [1, 2, 3, 4]  # another room's events are its own
    assert outbox.current_seq(ROOM) == 12  # pruning never resets the count


def test_a_client_just_inside_the_window_still_gets_every_missed_event(ctx, emitted, small_window):
    queue_committed(ROOM, 12)
    replay = outbox.events_after(ROOM, 5)
    assert [event["seq"] for event in replay.events] == [6, 7, 8, 9, 10, 11, 12]


@pytest.mark.parametrize("after", [0, 1, 4])
def test_a_client_behind_the_window_is_told_to_reload(ctx, emitted, small_window, after):
    queue_committed(ROOM, 12)
    assert outbox.events_after(ROOM, after) == outbox.Replay(12, None)


def test_a_pruning_rolled_back_keeps_the_events(ctx, emitted, small_window):
    queue_committed(ROOM, 9)
    outbox.queue(ROOM, "comment.created", {})  # the tenth prunes 1..5 when it is stored
    outbox._store(db.session())  # what a commit does first, in the transaction
    assert stored(ROOM) == list(range(6, 11))
    db.session.rollback()
    assert stored(ROOM) == list(range(1, 10))
    assert all(data["seq"] < 10 for _, data, _ in emitted)


# Concurrency (PostgreSQL) ----------------------------------------------------------------------


def queue_from_a_thread(app, thread: int, count: int, start: threading.Barrier) -> None:
    """Each event in its own transaction, on this thread's own connection."""
    with app.app_context():
        try:
            start.wait(timeout=10)
            for n in range(count):
                outbox.queue(ROOM, "comment.created", {"thread": thread, "n": n})
                db.session.commit()
        finally:
            db.session.remove()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("room_exists", [True, False], ids=["existing-room", "new-room"])
def test_transactions_queueing_to_one_room_at_once_get_distinct_consecutive_numbers(
    app, ctx, emitted, backend, room_exists
):
    if room_exists:
        queue_committed(ROOM, 1)
    db.session.remove()
    threads, each = 8, 10
    start = threading.Barrier(threads)
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(queue_from_a_thread, app, t, each, start) for t in range(threads)]
        for future in futures:
            future.result(timeout=60)
    first = 2 if room_exists else 1
    expected = list(range(first, first + threads * each))
    sent = [data for _, data, _ in emitted if data["seq"] >= first]
    assert sorted(data["seq"] for data in sent) == expected  # distinct, and no gaps
    for thread in range(threads):
        own = [data for data in sent if data["data"]["thread"] == thread]
        assert [d["data"]["n"] for d in sorted(own, key=lambda d: d["seq"])] == list(range(each))
    assert stored(ROOM) == list(range(1, first + threads * each))
    assert outbox.current_seq(ROOM) == expected[-1]
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == expected[-1]
