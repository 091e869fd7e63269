"""Verdict time: Hall deciding 40 votes of 2,500 ballots each, against one SQL sum.

What it measures
    40 communities (--communities) of 2,500 owners (--owners), each with one open vote in which
    every owner has cast a ballot: 100,000 ballots in one `ballots` table, on a fresh database
    migrated with `hall db upgrade` (PostgreSQL by default, or SQLite). Hall's verdict for each
    vote is what close_vote computes: `hall.voting.service.count(vote)` (one grouped SQL sum
    over the vote's ballots) then `tally.decide(rule_of(vote), count, approvable(vote))`. The
    time is that of the 40 verdicts in a row, the votes having been loaded before the clock
    starts, in a fresh session each round (so a plans vote's options load when
    `approvable` asks for them, as at closing).

    The baseline, timed in the same run on the same connection, is one statement that sums
    every vote at once, the least any tally of this table can cost:
        SELECT vote_id, choice, count(*), sum(area) FROM ballots GROUP BY vote_id, choice
    with every row fetched. The rounds alternate which goes first. Reported: the median over
    rounds of each total, their ratio, and Hall's time per vote (count and decide apart).

Seeding (not timed): bulk SQLAlchemy Core inserts straight into the tables (communities,
buildings, stairwells, units, issues, votes, vote_options, households, ballots; each
ballot carries its household's area and weight, counted, with a unique 64-hex receipt), then
ANALYZE (VACUUM ANALYZE on PostgreSQL), as a database that has been running a while has its
statistics. Every fourth vote is a choice between two plans, the others for/against; the
rules are the three presets in turn. Hall's counts are checked against the baseline's.

Target: Hall's time / the baseline's <= 3. Exit status 1 when the target is missed or the
counts disagree, 2 when the setup failed.

How to run (from the project root; PostgreSQL of scripts/test, HALL_TEST_POSTGRES overrides)
    .venv/bin/python bench/tally.py
    .venv/bin/python bench/tally.py --database sqlite
    .venv/bin/python bench/tally.py --communities 10 --owners 10000 --rounds 15
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402

TARGET_RATIO = 3.0
BASELINE_SQL = "SELECT vote_id, choice, count(*), sum(area) FROM ballots GROUP BY vote_id, choice"
BUILDINGS, STAIRWELLS, FLATS_PER_FLOOR = 10, 2, 5
PRESETS = ("major_matter", "ordinary_matter", "simple_majority")
PLANS = (
    {"label": "按面积分摊", "plan": {"total": 138_000_000, "subsidy": 40_000_000, "base": "area"}},
    {
        "label": "按户均摊",
        "plan": {"total": 138_000_000, "subsidy": 40_000_000, "base": "household"},
    },
)
BATCH = 10_000  # rows per executemany


def hall_app(url: str, instance: Path):
    """Hall's app in this process (threading mode: nothing is patched)."""
    from hall import create_app
    from hall.config import Settings

    return create_app(
        Settings(
            database_url=url,
            secret_key="bench-seed",
            async_mode="threading",
            instance_path=instance,
        )
    )


# Seeding --------------------------------------------------------------------------------------


def seed(app, communities: int, owners: int, seed_value: int = 2026) -> list[int]:
    """The communities, their votes and every owner's ballot; returns the votes' ids."""
    from sqlalchemy import insert

    from hall.community.models import Account, Building, Community, Stairwell, Subdistrict, Unit
    from hall.extensions import db
    from hall.issues.models import Issue
    from hall.sorting import natural_sort_key
    from hall.types import utcnow
    from hall.voting import costshare, rules
    from hall.voting.models import Ballot, Household, Vote, VoteOption

    rng = random.Random(seed_value)
    now = utcnow()

    def add(model, rows: list[dict], returning: bool = True) -> list[int]:
        table = model.__table__
        ids: list[int] = []
        for first in range(0, len(rows), BATCH):
            batch = rows[first : first + BATCH]
            if returning:
                statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                ids += db.session.scalars(statement, batch)
            else:
                db.session.execute(insert(table), batch)
        return ids

    vote_ids = []
    with app.app_context():
        (subdistrict_id,) = add(Subdistrict, [{"name": "江北街道"}])
        (chair_id,) = add(
            Account,
            [
                {
                    "username": "chair",
                    "display_name": "chair",
                    "password_hash": "-",  # nobody logs in
                    "active": True,
                    "created_at": now,
                }
            ],
        )
        per_stairwell = math.ceil(owners / (BUILDINGS * STAIRWELLS))
        for c in range(communities):
            (community_id,) = add(
                Community,
                [{"subdistrict_id": subdistrict_id, "name": f"小区{c + 1:03d}", "created_at": now}],
            )
            building_ids = add(
                Building,
                [
                    {
                        "community_id": community_id,
                        "name": f"{b}栋",
                        "sort_key": natural_sort_key(f"{b}栋"),
                    }
                    for b in range(1, BUILDINGS + 1)
                ],
            )
            stairwell_rows = [
                {"building_id": b, "name": f"{s}单元", "sort_key": natural_sort_key(f"{s}单元")}
                for b in building_ids
                for s in range(1, STAIRWELLS + 1)
            ]
            stairwell_ids = add(Stairwell, stairwell_rows)
            units = []
            for i in range(owners):
                stairwell, flat = divmod(i, per_stairwell)
                floor, position = divmod(flat, FLATS_PER_FLOOR)
                room = f"{floor + 1}{position + 1:02d}"
                units.append(
                    {
                        "community_id": community_id,
                        "building_id": stairwell_rows[stairwell]["building_id"],
                        "stairwell_id": stairwell_ids[stairwell],
                        "room": room,
                        "floor": floor + 1,
                        "area": Decimal(rng.randrange(4500, 16000)).scaleb(-2),
                        "sort_key": natural_sort_key(room),
                    }
                )
            add(Unit, units, returning=False)
            (issue_id,) = add(
                Issue,
                [
                    {
                        "community_id": community_id,
                        "number": 1,
                        "title": "加装电梯",
                        "body": "加装电梯",
                        "body_html": "<p>加装电梯</p>",
                        "category": "elevator",
                        "state": "judgment",
                        "scope_kind": "community",
                        "proposer_id": chair_id,
                        "support_count": 0,
                        "comment_count": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            plans = c % 4 == 3
            preset = PRESETS[c % len(PRESETS)]
            areas = [u["area"] for u in units]
            (vote_id,) = add(
                Vote,
                [
                    {
                        "issue_id": issue_id,
                        "community_id": community_id,
                        "title": "是否加装电梯",
                        "kind": "plans" if plans else "approval",
                        "rule": rules.rule_to_data(rules.PRESETS[preset]),
                        "secret": False,
                        "live_results": True,
                        "state": "open",
                        "opens_at": now - timedelta(days=6),
                        "closes_at": now + timedelta(days=1),
                        "scope": {"kind": "community", "ids": []},
                        "unit_weights": None,
                        "eligible_headcount": owners,
                        "eligible_area": sum(areas, Decimal(0)),
                        "eligible_weight": Decimal(0),
                        "created_by_id": chair_id,
                        "created_at": now - timedelta(days=7),
                        "opened_at": now - timedelta(days=6),
                    }
                ],
            )
            vote_ids.append(vote_id)
            if plans:
                keys = ["plan_1", "plan_2", "abstain"]
                options = [
                    {
                        "key": f"plan_{n}",
                        "label": entry["label"],
                        "plan": costshare.plan_to_data(
                            costshare.plan_from_data({"name": entry["label"], **entry["plan"]})
                        ),
                    }
                    for n, entry in enumerate(PLANS, start=1)
                ] + [{"key": "abstain", "label": "Abstain", "plan": None}]
                weights = [rng.uniform(0.3, 0.6), rng.uniform(0.2, 0.5), 0.1]
            else:
                keys = ["for", "against", "abstain"]
                options = [
                    {"key": "for", "label": "For", "plan": None},
                    {"key": "against", "label": "Against", "plan": None},
                    {"key": "abstain", "label": "Abstain", "plan": None},
                ]
                yes = rng.uniform(0.55, 0.9)
                weights = [yes, (1 - yes) * 0.7, (1 - yes) * 0.3]
            add(
                VoteOption,
                [{"vote_id": vote_id, "position": p, **o} for p, o in enumerate(options)],
                returning=False,
            )
            household_ids = add(
                Household,
                [
                    {
                        "vote_id": vote_id,
                        "number": n,
                        "label": f"{units[n - 1]['room']}",
                        "area": area,
                        "weight": Decimal(0),
                    }
                    for n, area in enumerate(areas, start=1)
                ],
            )
            choices = rng.choices(keys, weights, k=owners)
            add(
                Ballot,
                [
                    {
                        "vote_id": vote_id,
                        "household_id": household,
                        "choice": choice,
                        "channel": "online",
                        "area": area,
                        "weight": Decimal(0),
                        "counted": True,
                        "cast_by_id": chair_id,
                        "cast_at": now - timedelta(days=1),
                        "changes": 0,
                        "receipt": hashlib.sha256(f"{vote_id}:{household}".encode()).hexdigest(),
                    }
                    for household, area, choice in zip(household_ids, areas, choices, strict=True)
                ],
                returning=False,
            )
            db.session.commit()
        db.session.remove()
    return vote_ids


def analyze(app) -> str:
    """Statistics, as on a database that has been running a while; what was run."""
    import sqlalchemy as sa

    from hall.extensions import db

    with (
        app.app_context(),
        db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
    ):
        statement = "VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"
        connection.execute(sa.text(statement))
        return statement


# Measuring ------------------------------------------------------------------------------------


@dataclass
class Round:
    hall: float  # seconds for every vote's count + decide
    count: float  # of which in service.count
    decide: float  # of which in rule_of + approvable + decide
    baseline: float
    hall_first: bool


@dataclass
class Outcome:
    rounds: list[Round] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # vote id -> {choice: (headcount, area)}
    baseline_counts: dict = field(default_factory=dict)
    verdicts: dict = field(default_factory=dict)  # vote id -> (passed, winner)


def hall_round(vote_ids: list[int]) -> tuple[float, float, float, dict, dict]:
    """Every vote's verdict as close_vote computes it; (total, count, decide) seconds."""
    from sqlalchemy import select

    from hall.extensions import db
    from hall.voting import service
    from hall.voting.models import Vote
    from hall.voting.tally import decide

    votes = list(db.session.scalars(select(Vote).where(Vote.id.in_(vote_ids)).order_by(Vote.id)))
    counted = decided = 0.0
    counts, verdicts = {}, {}
    started = time.perf_counter()
    for vote in votes:
        t0 = time.perf_counter()
        tally = service.count(vote)
        t1 = time.perf_counter()
        verdict = decide(service.rule_of(vote), tally, service.approvable(vote))
        t2 = time.perf_counter()
        counted += t1 - t0
        decided += t2 - t1
        counts[vote.id] = {c: (w.headcount, w.area) for c, w in tally.by_choice.items()}
        verdicts[vote.id] = (verdict.passed, verdict.winner)
    total = time.perf_counter() - started
    return total, counted, decided, counts, verdicts


def baseline_round() -> tuple[float, dict]:
    import sqlalchemy as sa

    from hall.extensions import db
    from hall.types import Area

    started = time.perf_counter()
    rows = db.session.execute(sa.text(BASELINE_SQL)).all()
    elapsed = time.perf_counter() - started
    area = Area()
    counts: dict = {}
    for vote_id, choice, headcount, total in rows:  # after the clock: for the check only
        counts.setdefault(vote_id, {})[choice] = (
            headcount,
            area.process_result_value(total, None),
        )
    return elapsed, counts


def measure(app, vote_ids: list[int], options: argparse.Namespace) -> Outcome:
    from hall.extensions import db

    outcome = Outcome()
    for number in range(options.warmup + options.rounds):
        hall_first = number % 2 == 0
        with app.app_context():
            db.session.execute(db.text("SELECT 1"))  # the connection, checked out beforehand
            results = {}
            for which in ("hall", "baseline") if hall_first else ("baseline", "hall"):
                if which == "hall":
                    results["hall"] = hall_round(vote_ids)
                else:
                    results["baseline"] = baseline_round()
                db.session.rollback()
                db.session.expire_all()
            db.session.remove()
        total, counted, decided, counts, verdicts = results["hall"]
        baseline, baseline_counts = results["baseline"]
        warmup = number < options.warmup
        label = "warm-up" if warmup else f"round {number - options.warmup + 1}"
        print(
            f"  {label:>8}: Hall {total * 1000:8.2f} ms (count {counted * 1000:7.2f}, "
            f"decide {decided * 1000:6.2f})  baseline {baseline * 1000:7.2f} ms  "
            f"ratio {total / baseline:5.2f}  ({'Hall' if hall_first else 'baseline'} first)"
        )
        if not warmup:
            outcome.rounds.append(Round(total, counted, decided, baseline, hall_first))
        outcome.counts, outcome.verdicts = counts, verdicts
        outcome.baseline_counts = baseline_counts
    return outcome


def check(outcome: Outcome, vote_ids: list[int], owners: int) -> bool:
    agree = outcome.counts == {v: outcome.baseline_counts.get(v) for v in vote_ids}
    complete = all(sum(h for h, _ in outcome.counts[v].values()) == owners for v in vote_ids)
    passed = sum(1 for passed, _ in outcome.verdicts.values() if passed)
    print(
        f"\ncheck: Hall's counts equal the baseline's for all {len(vote_ids)} votes: "
        f"{'ok' if agree else 'FAILED'}; {owners} ballots in each: "
        f"{'ok' if complete else 'FAILED'} ({passed} votes pass, {len(vote_ids) - passed} fail)"
    )
    return agree and complete


def report(outcome: Outcome, votes: int, options: argparse.Namespace) -> bool:
    def median(attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in outcome.rounds)

    hall, baseline = median("hall"), median("baseline")
    counted, decided = median("count"), median("decide")
    ratio = hall / baseline
    met = ratio <= TARGET_RATIO
    ballots = votes * options.owners
    print(
        f"\n{votes} votes, {ballots:,} ballots, {options.database}; medians over "
        f"{len(outcome.rounds)} rounds (min..max):"
    )
    for name, attribute in (
        ("Hall (count + decide)", "hall"),
        ("baseline (one SQL sum)", "baseline"),
    ):
        values = [getattr(r, attribute) for r in outcome.rounds]
        print(
            f"  {name:<24} {median(attribute) * 1000:8.2f} ms  "
            f"({min(values) * 1000:.2f}..{max(values) * 1000:.2f})"
        )
    print(
        f"  Hall per vote: {hall / votes * 1000:.3f} ms (count {counted / votes * 1000:.3f} ms, "
        f"decide {decided / votes * 1000:.3f} ms); baseline per vote "
        f"{baseline / votes * 1000:.3f} ms; Hall per ballot {hall / ballots * 1e6:.2f} µs"
    )
    paired = statistics.median(r.hall / r.baseline for r in outcome.rounds)
    print(
        f"\nHall / baseline = {hall * 1000:.2f} / {baseline * 1000:.2f} ms = {ratio:.2f} "
        f"(target <= {TARGET_RATIO}): {'met' if met else 'MISSED'}; "
        f"median of the rounds' ratios {paired:.2f}"
    )
    return met


# Main -----------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Target: Hall's verdicts within 3x of one grouped SQL sum over the table.",
    )
    parser.add_argument(
        "--communities", type=int, default=40, help="communities, one vote each (default 40)"
    )
    parser.add_argument(
        "--owners", type=int, default=2500, help="owners per community, all voting (default 2500)"
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--rounds", type=int, default=9, help="measured rounds (default 9)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured rounds first")
    options = parser.parse_args(argv)
    if options.communities < 1 or options.owners < 1 or options.rounds < 1:
        parser.error("--communities, --owners and --rounds must be at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-tally-"))
    print(
        f"tally: {options.communities} votes x {options.owners} ballots on {options.database}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    try:
        name = f"hall_bench_tally_{os.getpid()}"
        with harness.fresh_database(options.database, name, tmp) as url:
            app = hall_app(url, tmp / "instance")
            started = time.perf_counter()
            vote_ids = seed(app, options.communities, options.owners)
            seeded = time.perf_counter() - started
            ran = analyze(app)
            print(f"seeded in {seeded:.1f} s, then {ran}")
            outcome = measure(app, vote_ids, options)
            with app.app_context():
                from hall.extensions import db

                db.engine.dispose()  # before the database is dropped
    except RuntimeError as error:
        print(f"tally: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    checked = check(outcome, vote_ids, options.owners)
    met = report(outcome, len(vote_ids), options)
    return 0 if met and checked else 1


if __name__ == "__main__":
    sys.exit(main())
