"""Group commit: requests that write to one place at once share one transaction.

Ballots for one vote all append to the vote's ledger chain, whose tip they must hold in turn.
One transaction per ballot would hold the tip through every round trip and commit of each;
instead, the first request to arrive writes everything queued for the key at that moment in
one transaction (the leader), and those arriving meanwhile wait, then find their outcome
set, or are woken to lead the next batch. Each request still answers only after the commit
that holds its own write.

Per worker process: workers' batches take their turns at the database's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(eq=False)
class Pending:
    """One request's write, waiting for its batch."""

    work: object  # what the batch writer needs to write it
    outcome: object = None  # set by the writer: a result, or an exception to raise
    _wake: threading.Event = field(default_factory=threading.Event, repr=False)

    def succeed(self, result: object) -> None:
        self.outcome = result

    def fail(self, error: Exception) -> None:
        self.outcome = error


_lock = threading.Lock()
_queues: dict[Hashable, list[Pending]] = {}


def submit(key: Hashable, work: object, write: Callable[[list[Pending]], None]) -> object:
    """Queue `work` under `key` and return its outcome once written (or raise its error).

    `write(batch)` runs in the leading request's own context and must set every pending's
    outcome, committing first."""
    pending = Pending(work)
    with _lock:
        queue = _queues.get(key)
        leading = queue is None
        if leading:
            _queues[key] = queue = []
        queue.append(pending)
    if not leading:
        pending._wake.wait()
    if pending.outcome is None:  # leading, or woken to lead the next batch
        _lead(key, write)
    if isinstance(pending.outcome, Exception):
        raise pending.outcome
    return pending.outcome


def _lead(key: Hashable, write: Callable[[list[Pending]], None]) -> None:
    with _lock:
        batch = _queues[key]
        _queues[key] = []
    try:
        write(batch)
    except Exception as error:
        for pending in batch:
            if pending.outcome is None:
                pending.fail(error)
    finally:
        with _lock:
            waiting = _queues[key]
            if waiting:
                waiting[0]._wake.set()  # no outcome yet: it leads the next batch
            else:
                del _queues[key]
        for pending in batch:
            pending._wake.set()
