"""Ballot throughput: how many first ballots per second Hall takes through its REST API.

What it measures
    N owners (default 2,000), each with an account and a bearer token, cast their household's
    first ballot in one open vote, POST /api/votes/<id>/ballots, through a real Hall server
    (`gunicorn -c gunicorn.conf.py wsgi:app`, HALL_ENV=production) on a fresh PostgreSQL
    database migrated with `hall db upgrade`. The load generator keeps C requests in flight
    (C keep-alive connections, default 32), each request a different owner, and runs as a
    process of its own (bench/loadgen.py). Reported: ballots per second (successes / the time
    from the first request sent to the last answer read), p50 and p99 latency, errors.

    The same run measures a bare Flask app (bench/bare_rows.py) whose one endpoint inserts
    one row into `bench_rows` with SQLAlchemy Core and commits: served through the same
    gunicorn.conf.py (same worker class and worker count), with the same pool settings as
    Hall's engine, on the same database server, driven by the same load generator at the same
    concurrency with the same number of requests. It is the floor: a web request that writes
    one row. The rounds alternate between the two servers (Hall, bare, Hall, bare...), so that
    both get the same share of whatever else the machine is doing.

Seeding (not timed): one community, one building whose stairwells hold the N owners' flats,
bulk-inserted with SQLAlchemy Core (units, people, ownerships, accounts, resident grants and
API tokens, stored as their SHA-256 as Hall stores them); then through Hall's own services,
as the council would: an issue on the building, supported into deliberation, a for/against
vote set up on it (the issue moves to judgment) and opened (the electorate is copied).

Afterwards it checks that the database holds one ballot per success and that the vote's chain
in the ledger verifies (`hall.ledger.chain.verify`), with one entry per ballot after the
opening.

Target: Hall's ballots/s / the bare app's rows/s >= 0.5. Exit status 1 when the target is
missed, a request failed or the checks fail; 2 when a server or the setup failed.

How to run (from the project root; PostgreSQL of scripts/test, HALL_TEST_POSTGRES overrides)
    .venv/bin/python bench/ballots.py
    .venv/bin/python bench/ballots.py --workers 2 --async-mode gevent
    .venv/bin/python bench/ballots.py --owners 5000 --concurrency 64 --rounds 5
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.harness import ms, percentile  # noqa: E402

TARGET_RATIO = 0.5
LOADGEN = harness.PROJECT_ROOT / "bench" / "loadgen.py"
CHOICES = ("for", "for", "for", "against", "abstain")  # about 60 / 20 / 20
AREAS = ("89.50", "112.30", "76.80", "133.25")
FLOORS, FLATS_PER_FLOOR = 18, 4  # a stairwell: 72 flats
# The bare app's table (bench/bare_rows.py), created before it starts.
CREATE_BARE_TABLE = (
    "CREATE TABLE bench_rows (id serial PRIMARY KEY, vote_id int, member_id int, choice text)"
)


# Seeding --------------------------------------------------------------------------------------


@dataclass
class Seeded:
    vote_id: int
    owners: list[tuple[int, str]]  # (account id, bearer token)
    community_id: int
    building_id: int
    seconds: float


def hall_app(url: str, instance: Path):
    """Hall's app in this process, for seeding and checking (threading mode: no patching)."""
    from hall import create_app
    from hall.config import Settings

    settings = Settings(
        database_url=url,
        secret_key="bench-seed",
        async_mode="threading",
        instance_path=instance,
    )
    return create_app(settings)


def seed(app, owners: int) -> Seeded:
    """One community and building of `owners` owners with tokens, an open vote on an issue."""
    from sqlalchemy import insert

    from hall.community import accounts
    from hall.community.models import (
        Account,
        ApiToken,
        Building,
        Community,
        Ownership,
        Person,
        RoleGrant,
        Stairwell,
        Subdistrict,
        Unit,
    )
    from hall.community.roles import GrantScope, Role
    from hall.extensions import db
    from hall.issues import service as issues
    from hall.issues.models import ScopeKind as IssueScope
    from hall.sorting import natural_sort_key
    from hall.types import utcnow
    from hall.voting import service
    from hall.voting.models import VoteKind

    started = time.perf_counter()

    def add(model, rows: list[dict]) -> list[int]:
        """Bulk Core insert; the new ids in the order of `rows`."""
        table = model.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(db.session.scalars(statement, rows))

    now = utcnow()
    with app.app_context():
        (subdistrict_id,) = add(Subdistrict, [{"name": "江北街道"}])
        (community_id,) = add(
            Community,
            [{"subdistrict_id": subdistrict_id, "name": "金世界花园", "created_at": now}],
        )
        (building_id,) = add(
            Building,
            [{"community_id": community_id, "name": "9栋", "sort_key": natural_sort_key("9栋")}],
        )
        per_stairwell = FLOORS * FLATS_PER_FLOOR
        stairwells = math.ceil(owners / per_stairwell)
        stairwell_ids = add(
            Stairwell,
            [
                {
                    "building_id": building_id,
                    "name": f"{n}单元",
                    "sort_key": natural_sort_key(f"{n}单元"),
                }
                for n in range(1, stairwells + 1)
            ],
        )
        unit_rows = []
        for i in range(owners):
            stairwell, flat = divmod(i, per_stairwell)
            floor, position = divmod(flat, FLATS_PER_FLOOR)
            room = f"{floor + 1}{position + 1:02d}"
            unit_rows.append(
                {
                    "community_id": community_id,
                    "building_id": building_id,
                    "stairwell_id": stairwell_ids[stairwell],
                    "room": room,
                    "floor": floor + 1,
                    "area": Decimal(AREAS[i % len(AREAS)]),
                    "sort_key": natural_sort_key(room),
                }
            )
        unit_ids = add(Unit, unit_rows)
        person_ids = add(
            Person,
            [
                {"community_id": community_id, "name": f"业主{i:05d}", "phone": f"139{i:08d}"}
                for i in range(owners)
            ],
        )
        add(
            Ownership,
            [
                {"unit_id": u, "person_id": p, "is_designated_voter": True, "position": 0}
                for u, p in zip(unit_ids, person_ids, strict=True)
            ],
        )
        password_hash = accounts.hash_password(secrets.token_hex(16))  # nobody logs in
        account_ids = add(
            Account,
            [
                {
                    "username": f"owner_{i:05d}",
                    "display_name": f"业主{i:05d}",
                    "password_hash": password_hash,
                    "person_id": p,
                    "active": True,
                    "created_at": now,
                }
                for i, p in enumerate(person_ids)
            ]
            + [
                {
                    "username": "chair",
                    "display_name": "chair",
                    "password_hash": password_hash,
                    "person_id": None,
                    "active": True,
                    "created_at": now,
                }
            ],
        )
        *owner_accounts, chair_id = account_ids
        grant = {
            "scope_kind": GrantScope.COMMUNITY,
            "scope_id": community_id,
            "community_id": community_id,
            "subdistrict_id": subdistrict_id,
            "created_at": now,
        }
        add(
            RoleGrant,
            [{"account_id": a, "role": Role.RESIDENT, **grant} for a in owner_accounts]
            + [{"account_id": chair_id, "role": Role.COUNCIL_CHAIR, **grant}],
        )
        tokens = [secrets.token_urlsafe(32) for _ in account_ids]
        add(
            ApiToken,
            [
                {
                    "account_id": a,
                    "token_hash": hashlib.sha256(t.encode()).hexdigest(),  # as Hall stores it
                    "name": "ballots bench",
                    "created_at": now,
                    "expires_at": now + accounts.TOKEN_LIFETIME,
                }
                for a, t in zip(account_ids, tokens, strict=True)
            ],
        )
        db.session.commit()

        # Through the services, as the council and the owners would.
        def actor(account_id: int):
            return accounts.actor_for(db.session.get(Account, account_id))

        chair = actor(chair_id)
        issues.configure(chair, community_id, {"support_threshold": 1})
        issue = issues.create_issue(
            chair,
            community_id,
            title="9栋加装电梯",
            body="9栋各单元加装电梯，费用按面积分摊。",
            category="elevator",
            scope_kind=IssueScope.BUILDINGS,
            scope_ids=[building_id],
            submit=True,
        )
        issues.support(actor(owner_accounts[0]), issue.id)  # the threshold: into deliberation
        vote = service.create_vote(
            chair,
            issue.id,
            service.VoteSpec(
                title="9栋是否加装电梯",
                kind=VoteKind.APPROVAL,
                rule={"preset": "major_matter"},
                closes_at=utcnow() + timedelta(days=7),
            ),
        )
        service.open_vote(chair, vote.id)
        if vote.eligible_headcount != owners:
            raise RuntimeError(f"the electorate has {vote.eligible_headcount}, not {owners}")
        vote_id = vote.id
        db.session.remove()
    return Seeded(
        vote_id=vote_id,
        owners=list(zip(owner_accounts, tokens[:-1], strict=True)),
        community_id=community_id,
        building_id=building_id,
        seconds=time.perf_counter() - started,
    )


def prepare_database(url: str, analyze: bool) -> str:
    """The bare app's table; ANALYZE if asked. Returns PostgreSQL's autovacuum setting."""
    import sqlalchemy as sa

    from hall.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(CREATE_BARE_TABLE))
            if analyze:
                connection.execute(sa.text("ANALYZE"))
            return connection.execute(sa.text("SHOW autovacuum")).scalar_one()
    finally:
        engine.dispose()


# Requests and rounds --------------------------------------------------------------------------


def hall_request(vote_id: int, token: str, choice: str) -> dict:
    return {
        "method": "POST",
        "path": f"/api/votes/{vote_id}/ballots",
        "headers": {"Authorization": f"Bearer {token}"},
        "body": json.dumps({"choice": choice}),
    }


def bare_request(vote_id: int, member: int, choice: str) -> dict:
    return {
        "method": "POST",
        "path": "/rows",
        "body": json.dumps({"vote_id": vote_id, "member_id": member, "choice": choice}),
    }


@dataclass
class Round:
    server: str
    label: str
    requests: int
    wall: float
    latencies: list[float]  # of the successes
    errors: list[tuple[int, str]]  # (status, body) of the failures
    client_cpu: float
    server_cpu: float
    database_cpu: float

    @property
    def successes(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.successes / self.wall if self.wall > 0 else 0.0


@dataclass
class Result:
    server: str
    rounds: list[Round] = field(default_factory=list)
    warmup: list[Round] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        return [x for r in self.rounds for x in r.latencies]

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.rounds)

    @property
    def successes(self) -> int:
        return sum(r.successes for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(len(r.errors) for r in self.rounds)

    @property
    def all_successes(self) -> int:
        return self.successes + sum(r.successes for r in self.warmup)

    @property
    def all_errors(self) -> list[tuple[int, str]]:
        return [e for r in self.warmup + self.rounds for e in r.errors]

    @property
    def per_second(self) -> float:
        """Every measured success over the time of every measured round."""
        wall = sum(r.wall for r in self.rounds)
        return self.successes / wall if wall > 0 else 0.0

    @property
    def median_round_per_second(self) -> float:
        return statistics.median(r.per_second for r in self.rounds)

    def cpu_per_request(self, attribute: str) -> float:
        return sum(getattr(r, attribute) for r in self.rounds) / max(self.requests, 1)


def drive(
    server: harness.Server,
    requests: list[dict],
    options: argparse.Namespace,
    label: str,
) -> Round:
    """One round: the requests through the load generator, in a process of its own."""
    server.check_running()
    job = {
        "base_url": server.base_url,
        "concurrency": options.concurrency,
        "client": options.client,
        "requests": requests,
    }
    server_cpu = harness.group_cpu_seconds(server.process.pid)
    database_cpu = harness.postgres_cpu_seconds()
    finished = subprocess.run(
        [sys.executable, str(LOADGEN)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=harness.PROJECT_ROOT,
    )
    server_cpu = harness.group_cpu_seconds(server.process.pid) - server_cpu
    database_cpu = harness.postgres_cpu_seconds() - database_cpu
    if finished.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{finished.stderr}")
    answer = json.loads(finished.stdout)
    expected = 201
    latencies = [seconds for status, seconds, _ in answer["results"] if status == expected]
    errors = [(status, text) for status, _, text in answer["results"] if status != expected]
    return Round(
        server=server.name,
        label=label,
        requests=len(requests),
        wall=answer["wall"],
        latencies=latencies,
        errors=errors,
        client_cpu=answer["cpu"],
        server_cpu=server_cpu,
        database_cpu=database_cpu,
    )


def print_round(r: Round) -> None:
    print(
        f"  {r.server:<4} {r.label:>8}: {r.requests:>5} requests in {r.wall:6.2f} s  "
        f"{r.per_second:8.1f}/s  p50 {ms(percentile(r.latencies, 50))} ms  "
        f"p99 {ms(percentile(r.latencies, 99))} ms  errors {len(r.errors)}  "
        f"CPU/request: server {r.server_cpu / r.requests * 1000:5.2f} ms, "
        f"PostgreSQL {r.database_cpu / r.requests * 1000:5.2f} ms, "
        f"client {r.client_cpu / r.requests * 1000:5.2f} ms"
    )


def slices(items: list, parts: int) -> list[list]:
    size = math.ceil(len(items) / parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


def measure(
    hall: harness.Server, bare: harness.Server, seeded: Seeded, options: argparse.Namespace
) -> tuple[Result, Result]:
    rng = random.Random(2026)
    choices = [rng.choice(CHOICES) for _ in seeded.owners]
    hall_requests = [
        hall_request(seeded.vote_id, token, choice)
        for (_, token), choice in zip(seeded.owners, choices, strict=True)
    ]
    bare_requests = [
        bare_request(seeded.vote_id, member, choice)
        for member, choice in enumerate(choices, start=1)
    ]
    warmup = min(options.warmup, len(hall_requests) // 5)
    results = {"hall": Result("hall"), "bare": Result("bare")}
    targets = (("hall", hall, hall_requests), ("bare", bare, bare_requests))
    if warmup:
        for name, server, requests in targets:
            outcome = drive(server, requests[:warmup], options, "warm-up")
            print_round(outcome)
            results[name].warmup.append(outcome)
    measured = {name: slices(requests[warmup:], options.rounds) for name, _, requests in targets}
    for number in range(len(measured["hall"])):
        # Who goes first alternates too: neither always follows the other's writes.
        order = targets if number % 2 == 0 else targets[::-1]
        for name, server, _ in order:
            outcome = drive(server, measured[name][number], options, f"round {number + 1}")
            print_round(outcome)
            results[name].rounds.append(outcome)
            time.sleep(options.pause)
    return results["hall"], results["bare"]


# Checks ---------------------------------------------------------------------------------------


def check(app, seeded: Seeded, url: str, hall: Result, bare: Result) -> bool:
    """The database holds what the servers said they took, and the vote's chain verifies."""
    import sqlalchemy as sa

    from hall.extensions import db
    from hall.ledger import chain as ledger
    from hall.voting.models import Ballot
    from hall.voting.service import vote_chain

    with app.app_context():
        ballots = db.session.scalar(
            sa.select(sa.func.count()).where(Ballot.vote_id == seeded.vote_id)
        )
        verification = ledger.verify(vote_chain(seeded.vote_id))
        rows = db.session.scalar(sa.text("SELECT count(*) FROM bench_rows"))
        db.session.remove()
    ok = True
    expected_entries = 1 + hall.all_successes  # the opening, then one per ballot
    lines = [
        (
            f"Hall ballots in the database: {ballots} (successes: {hall.all_successes})",
            ballots == hall.all_successes,
        ),
        (
            f"the vote's ledger chain verifies: ok={verification.ok}, "
            f"{verification.length} entries (expected {expected_entries})",
            verification.ok and verification.length == expected_entries,
        ),
        (
            f"bare rows in the database: {rows} (successes: {bare.all_successes})",
            rows == bare.all_successes,
        ),
    ]
    print()
    for text, met in lines:
        ok &= met
        print(f"check: {text}: {'ok' if met else 'FAILED'}")
    return ok


# Report ---------------------------------------------------------------------------------------


def print_table(results: list[Result], options: argparse.Namespace) -> None:
    print()
    print(
        f"{'server':<6} {'requests':>8} {'errors':>6} {'per s':>8} {'median':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'srv CPU':>8} {'PG CPU':>8} {'cli CPU':>8}"
    )
    for r in results:
        latencies = r.latencies
        print(
            f"{r.server:<6} {r.requests:>8} {r.errors:>6} {r.per_second:>8.1f} "
            f"{r.median_round_per_second:>8.1f} {ms(percentile(latencies, 50), 8)} "
            f"{ms(percentile(latencies, 99), 8)} {ms(max(latencies, default=math.nan), 8)} "
            f"{ms(r.cpu_per_request('server_cpu'), 8)} {ms(r.cpu_per_request('database_cpu'), 8)} "
            f"{ms(r.cpu_per_request('client_cpu'), 8)}"
        )
    print(
        f"per s: successes over the measured rounds' time (hall: ballots/s, bare: rows/s); "
        f"median: of the rounds' rates;\nCPU: ms per request of the gunicorn processes, of "
        f"PostgreSQL's, of the load generator's ({options.client}, concurrency "
        f"{options.concurrency})"
    )


def verdict(hall: Result, bare: Result) -> bool:
    ratio = hall.per_second / bare.per_second if bare.per_second else math.nan
    met = ratio >= TARGET_RATIO
    print(
        f"\nHall ballots/s / bare rows/s = {hall.per_second:.1f} / {bare.per_second:.1f} = "
        f"{ratio:.3f} (target >= {TARGET_RATIO}): {'met' if met else 'MISSED'}; "
        f"median rounds {hall.median_round_per_second / bare.median_round_per_second:.3f}"
    )
    errors = len(hall.all_errors) + len(bare.all_errors)  # warm-up included
    print(f"errors: hall {len(hall.all_errors)}, bare {len(bare.all_errors)} (must be 0)")
    for name, result in (("hall", hall), ("bare", bare)):
        for status, text in result.all_errors[:5]:
            print(f"  {name} HTTP {status}: {text}")
    return met and not errors


# Main -----------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Target: Hall's ballots/s at least half the bare app's rows/s.",
    )
    parser.add_argument(
        "--owners", type=int, default=2000, help="owners, one ballot each (default 2000)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=32, help="requests in flight (default 32)"
    )
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument(
        "--rounds", type=int, default=4, help="measured rounds per server (default 4)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=100,
        help="requests per server before the rounds, not measured (default 100)",
    )
    parser.add_argument(
        "--client",
        choices=("lean", "aiohttp"),
        default="lean",
        help="load generator: lean (default, asyncio streams) or aiohttp",
    )
    parser.add_argument(
        "--pause", type=float, default=0.5, help="seconds between rounds (default 0.5)"
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE after seeding, as autovacuum would soon after a vote opens "
        "(default: the planner sees the fresh tables as Hall left them)",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the servers' logs (their folder is printed)"
    )
    options = parser.parse_args(argv)
    if options.owners < 10 or options.rounds < 1 or options.concurrency < 1:
        parser.error("--owners at least 10, --rounds and --concurrency at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-ballots-"))
    print(
        f"ballots: {options.owners} owners, concurrency {options.concurrency}, "
        f"{options.workers} {options.async_mode} worker(s), PostgreSQL; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    try:
        with contextlib.ExitStack() as stack:  # stops the servers, then drops the database
            name = f"hall_bench_ballots_{os.getpid()}"
            url = stack.enter_context(harness.fresh_database("postgresql", name, tmp))
            app = hall_app(url, tmp / "seed-instance")
            seeded = seed(app, options.owners)
            autovacuum = prepare_database(url, options.analyze)
            print(
                f"seeded {options.owners} owners with tokens and opened vote {seeded.vote_id} "
                f"in {seeded.seconds:.1f} s; "
                + ("ANALYZE run" if options.analyze else "no ANALYZE")
                + f" (PostgreSQL's autovacuum is {autovacuum})"
            )
            hall_env = harness.server_environment(
                options.async_mode,
                options.workers,
                tmp / "hall-instance",
                DATABASE_URL=url,
                SECRET_KEY=secrets.token_hex(32),
                HALL_ENV="production",
            )
            bare_env = harness.server_environment(
                options.async_mode, options.workers, tmp / "bare-instance", DATABASE_URL=url
            )
            hall = stack.enter_context(harness.gunicorn("hall", "wsgi:app", hall_env, tmp / "logs"))
            bare = stack.enter_context(
                harness.gunicorn("bare", "bench.bare_rows:app", bare_env, tmp / "logs")
            )
            print(f"servers: hall {hall.base_url}, bare {bare.base_url}")
            hall_result, bare_result = measure(hall, bare, seeded, options)
            checked = check(app, seeded, url, hall_result, bare_result)
            with app.app_context():
                from hall.extensions import db

                db.engine.dispose()  # before the database is dropped
    except RuntimeError as error:
        print(f"ballots: {error}", file=sys.stderr)
        return 2
    finally:
        if options.keep_logs:
            print(f"server logs: {tmp / 'logs'}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print_table([hall_result, bare_result], options)
    met = verdict(hall_result, bare_result)
    return 0 if met and checked else 1


if __name__ == "__main__":
    sys.exit(main())
