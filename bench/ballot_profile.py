"""Where one ballot's time goes: Hall's POST /api/votes/<id>/ballots taken apart in-process.

The companion of bench/ballots.py, for finding what to change rather than for a figure to
quote. It seeds the same database (bench.ballots.seed: one community, N owners with tokens,
an open vote) and casts the ballots one after another through Flask's test client in this
process: no gunicorn, no eventlet, no concurrency, so every number is the cost of one ballot.

It prints
- wall and CPU per ballot, beside GET /healthz through the same client (the test client's
  and Flask's own floor);
- every SQL statement a ballot runs, how many times per ballot and its mean time (a
  SQLAlchemy before/after_cursor_execute listener), and the commits;
- the time in each step of the cast (wall, CPU of this thread, and SQL inside it), by wrapping
  Hall's functions where they exist (a step whose function is gone is skipped, with a note);
- with --cprofile, the functions that take the most time under cProfile.

    .venv/bin/python bench/ballot_profile.py                 # fresh tables, as Hall leaves them
    .venv/bin/python bench/ballot_profile.py --analyze       # with the planner's statistics
    .venv/bin/python bench/ballot_profile.py --cprofile 40
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import gc
import importlib
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.ballots import hall_app, prepare_database, seed  # noqa: E402

# (module, function, label): the steps of a cast, as Hall's code names them today.
STEPS = (
    ("hall.community.accounts", "account_for_token", "auth: bearer token -> account"),
    ("hall.community.accounts", "actor_for", "auth: actor_for (role grants)"),
    ("hall.voting.casting", "_read", "cast: the one read"),
    ("hall.voting.casting", "_write", "cast: the batch's write and commit"),
    ("hall.ledger.chain", "entry_hash", "  ledger: entry_hash"),
    ("hall.voting.live", "tally_changed", "cast: live.tally_changed"),
    ("hall.voting.casting", "cast", "casting.cast, all of it"),
    ("sqlalchemy.orm.session", "Session.flush", "Session.flush (every call)"),
    ("sqlalchemy.orm.session", "Session.commit", "Session.commit"),
)


class Meter:
    """Time spent in wrapped functions and in SQL."""

    def __init__(self):
        self.steps: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        self.statements: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])
        self.sql = 0.0
        self.commits = 0
        self._started = 0.0

    def reset(self) -> None:
        self.steps.clear()
        self.statements.clear()
        self.sql = 0.0
        self.commits = 0

    def listen(self, engine) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def before(*_):
            self._started = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, *_):
            elapsed = time.perf_counter() - self._started
            self.sql += elapsed
            entry = self.statements[" ".join(statement.split())[:150]]
            entry[0] += 1
            entry[1] += elapsed

        @event.listens_for(engine, "commit")
        def commit(_):
            self.commits += 1

    def wrap(self, module_name: str, attribute: str, label: str) -> bool:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None:
            return False

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            wall, cpu, sql = time.perf_counter(), time.thread_time(), self.sql
            try:
                return original(*args, **kwargs)
            finally:
                step = self.steps[label]
                step[0] += 1
                step[1] += time.perf_counter() - wall
                step[2] += time.thread_time() - cpu
                step[3] += self.sql - sql

        setattr(owner, name, wrapper)
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owners", type=int, default=1000, help="ballots cast (default 1000)")
    parser.add_argument("--warmup", type=int, default=100, help="ballots before measuring")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after seeding")
    parser.add_argument(
        "--cprofile", type=int, default=0, metavar="N", help="also print cProfile's top N"
    )
    options = parser.parse_args(argv)
    if options.owners <= options.warmup:
        parser.error("--owners must be more than --warmup")
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-ballot-profile-"))
    meter = Meter()
    try:
        name = f"hall_bench_ballot_profile_{os.getpid()}"
        with harness.fresh_database("postgresql", name, tmp) as url:
            app = hall_app(url, tmp / "instance")
            seeded = seed(app, options.owners)
            prepare_database(url, options.analyze)
            with app.app_context():
                from hall.extensions import db

                meter.listen(db.engine)
            missing = [label for m, a, label in STEPS if not meter.wrap(m, a, label)]
            client = app.test_client()

            def cast(index: int) -> None:
                _, token = seeded.owners[index]
                answer = client.post(
                    f"/api/votes/{seeded.vote_id}/ballots",
                    json={"choice": "for"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                if answer.status_code != 201:
                    raise RuntimeError(f"HTTP {answer.status_code}: {answer.get_data(True)}")

            for index in range(options.warmup):
                cast(index)
                client.get("/healthz")
            measured = range(options.warmup, options.owners)
            profiler = cProfile.Profile() if options.cprofile else None
            gc.collect()
            meter.reset()
            wall, cpu = time.perf_counter(), time.thread_time()
            if profiler:
                profiler.enable()
            for index in measured:
                cast(index)
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            steps, statements = dict(meter.steps), dict(meter.statements)
            sql, commits = meter.sql, meter.commits
            health_wall, health_cpu = time.perf_counter(), time.thread_time()
            for _ in measured:
                client.get("/healthz")
            health_wall = time.perf_counter() - health_wall
            health_cpu = time.thread_time() - health_cpu
            time.sleep(1.0)  # the live tally's last announcement (0.5 s after the last ballot)
            with app.app_context():
                db.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(measured)
    print(
        f"{n} ballots, one at a time, {'after ANALYZE' if options.analyze else 'no ANALYZE'}"
        f"{', under cProfile (times inflated)' if profiler else ''}:\n"
        f"  {wall / n * 1000:.2f} ms wall, {cpu / n * 1000:.2f} ms CPU (this thread) per ballot; "
        f"{sum(c for c, _ in statements.values()) / n:.1f} SQL statements and "
        f"{commits / n:.1f} commits per ballot, {sql / n * 1000:.2f} ms in them\n"
        f"  GET /healthz through the same client: {health_wall / n * 1000:.3f} ms wall, "
        f"{health_cpu / n * 1000:.3f} ms CPU"
    )
    print(f"\n{'per ballot':>10} {'mean ms':>8}  statement")
    for statement, (count, seconds) in sorted(statements.items(), key=lambda kv: -kv[1][1]):
        print(f"{count / n:>10.2f} {seconds / count * 1000:>8.3f}  {statement}")
    print(f"\n{'step':<38} {'calls':>6} {'wall ms':>8} {'CPU ms':>8} {'SQL ms':>8}  (per ballot)")
    for label, (count, step_wall, step_cpu, step_sql) in steps.items():
        print(
            f"{label:<38} {count / n:>6.2f} {step_wall / n * 1000:>8.3f} "
            f"{step_cpu / n * 1000:>8.3f} {step_sql / n * 1000:>8.3f}"
        )
    if missing:
        print(f"(not found in Hall's code, so not timed: {', '.join(missing)})")
    if profiler:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(options.cprofile)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
