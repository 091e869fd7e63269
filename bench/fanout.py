"""Fan-out benchmark: how fast one new comment reaches everybody watching an issue.

What it measures
    N Socket.IO clients (default 1,000) join one issue's room (`issue:<id>`) on a real Hall
    server (`gunicorn -c gunicorn.conf.py wsgi:app` on a freshly migrated database seeded with
    `hall seed-demo`). One comment is posted over the REST API; the latency of a client is the
    time from just before the POST is sent until that client receives the matching
    `comment.created` event. Both instants are taken with time.perf_counter() in this one
    process, so the clocks agree. Each round posts a new comment and records every client's
    latency. Reported: p50, p99 and max over every client of every round, the median over
    rounds of each round's p99 ("round p99"), and deliveries per second (N / the time until
    the last client has the event; the median over rounds).

    The same run measures a bare python-socketio server the same way (bench/bare_server.py:
    `socketio.WSGIApp` with a POST /emit route that emits one event, of the size Hall's event
    had, to a room every client joined), served through the same gunicorn.conf.py, hence with
    the same worker class, worker count and connection limits, and the same Redis message queue
    when --redis is given: the floor Hall is compared with. Both servers run at once, each with
    its own N watchers, and the rounds alternate between them (Hall, bare, Hall, bare...), so
    that both get the same share of whatever else the machine is doing.

Targets
    - Hall's p99 / the bare server's p99 <= 1.3, taken of the round p99s (the p99 over all
      rounds is printed too; one round stalled by the machine moves it a lot).
    - Every client receives every event: 0 lost (counted after --timeout seconds).
    The script exits 1 if a target is missed, 2 if a server or request failed.

How to run (from the project root; the PostgreSQL and Redis of scripts/test are used)
    .venv/bin/python bench/fanout.py                                   # 1,000 clients, 1 worker
    .venv/bin/python bench/fanout.py --clients 2000 --workers 2 --redis
    .venv/bin/python bench/fanout.py --database postgresql --async-mode gevent --rounds 20
    .venv/bin/python bench/fanout.py --only bare --clients 200         # the harness alone

Clients are asyncio websocket clients on aiohttp, websocket only (required with several
workers: gunicorn does not keep a client on one worker, so the servers then also run with
HALL_SOCKET_TRANSPORTS=websocket). By default they speak Socket.IO themselves (`--client lean`),
at about half the CPU per event of python-socketio's AsyncClient (`--client socketio`), so
that the clients' process does not set the pace. They connect in batches, waiting after each
batch until Hall's viewer-count events (N²/2 of them for N joins) have stopped. Each gunicorn
worker gets HALL_WORKER_CONNECTIONS = N + 200: gunicorn's async workers serve at most that many
connections each, and an open websocket holds one for its whole life.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402  (the project root on the path first)
    HALL,
    POSTGRES_ADMIN_URL,
    PROJECT_ROOT,
    Server,
    free_port,
    gunicorn,
    percentile,
    postgres,
)

DEFAULT_REDIS_URL = os.environ.get("HALL_TEST_REDIS", "redis://127.0.0.1:6379/0")

DEMO_PASSWORD = "hall-demo-2026"
DEMO_COMMUNITY = "金世界花园"
AUTHOR = "owner"
# The accounts whose tokens the watchers use, in turn: residents and the council of the demo.
WATCHERS = ("coowner", "tenant", "committee", "chair", "owner")

TARGET_RATIO = 1.3
CONNECT_TIMEOUT = 30.0
BATCH_QUIET = 0.5  # seconds without other events before the next batch of watchers connects
DEFAULT_PAYLOAD_BYTES = 1000  # the bare server's event size until Hall's is known
EVENT = "comment.created"
# A comment of the length residents write: about 300 bytes of UTF-8.
COMMENT_TEXT = (
    "3栋2单元的电梯这周又停了两次，周二晚上还有人被困了二十分钟。"
    "物业说配件要等厂家，能不能先公布维修进度和费用来源？"
)


# Results --------------------------------------------------------------------------------------


@dataclass
class RoundResult:
    """One comment, N watchers: each watcher's latency in seconds, and who never got it."""

    server: str
    number: int
    clients: int
    latencies: list[float]
    post_seconds: float  # until the POST's response arrived
    payload_bytes: int
    client_cpu_seconds: float  # this process's CPU time from the POST to the last arrival

    @property
    def lost(self) -> int:
        return self.clients - len(self.latencies)

    @property
    def last(self) -> float:
        return max(self.latencies, default=math.nan)

    @property
    def deliveries_per_second(self) -> float:
        return len(self.latencies) / self.last if self.latencies else 0.0

    @property
    def client_busy(self) -> float:
        """How much of the delivery time the clients' own process spent on the CPU (0..1).

        Near 1, the clients rather than the server set the pace.
        """
        return self.client_cpu_seconds / self.last if self.latencies else math.nan


@dataclass
class ServerResult:
    """All measured rounds of one server."""

    server: str
    clients: int
    rounds: list[RoundResult] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        return [latency for r in self.rounds for latency in r.latencies]

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    @property
    def round_p99(self) -> float:
        """The median over rounds of each round's p99: robust to one stalled round."""
        p99s = [percentile(r.latencies, 99) for r in self.rounds if r.latencies]
        return statistics.median(p99s) if p99s else math.nan

    @property
    def max(self) -> float:
        return max(self.latencies, default=math.nan)

    @property
    def deliveries_per_second(self) -> float:
        return statistics.median(r.deliveries_per_second for r in self.rounds)

    @property
    def post_seconds(self) -> float:
        return statistics.median(r.post_seconds for r in self.rounds)

    @property
    def lost(self) -> int:
        return sum(r.lost for r in self.rounds)

    @property
    def payload_bytes(self) -> int:
        return max((r.payload_bytes for r in self.rounds), default=0)


# Processes ------------------------------------------------------------------------------------


def raise_open_file_limit() -> int:
    """Every client holds a socket: lift the soft limit to the hard one. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def server_environment(options: argparse.Namespace, instance: Path, **extra: str) -> dict:
    """What an operator would set for one server of this benchmark (Hall or bare alike)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HALL_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    env.update(
        HALL_ASYNC_MODE=options.async_mode,
        HALL_BIND=f"127.0.0.1:{free_port()}",
        HALL_WORKERS=str(options.workers),
        HALL_WORKER_CONNECTIONS=str(options.clients + 200),
        HALL_INSTANCE_PATH=str(instance),
        HALL_GRACEFUL_TIMEOUT="3",
        # Redis pub/sub ignores database numbers: a channel of this run's own keeps other
        # runs' (and the test suite's) events apart.
        HALL_SOCKETIO_CHANNEL=f"bench-fanout-{uuid.uuid4().hex}",
        PYTHONUNBUFFERED="1",
    )
    if options.workers > 1:
        env["HALL_SOCKET_TRANSPORTS"] = "websocket"
    if options.redis:
        env["REDIS_URL"] = options.redis_url
    env.update(extra)
    return env


# The database ---------------------------------------------------------------------------------


def run_hall_command(args: list[str], env: dict) -> None:
    finished = subprocess.run(
        [str(HALL), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if finished.returncode != 0:
        raise RuntimeError(f"hall {' '.join(args)} failed:\n{finished.stdout}{finished.stderr}")


@contextlib.contextmanager
def demo_database(backend: str, tmp: Path) -> Iterator[str]:
    """A fresh database, migrated (`hall db upgrade`) and seeded (`hall seed-demo`); its URL.

    A PostgreSQL database is dropped afterwards; a SQLite file goes with `tmp`.
    """
    name = f"hall_bench_fanout_{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        from sqlalchemy import make_url

        postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres(f'CREATE DATABASE "{name}"')
        url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    else:
        url = f"sqlite:///{tmp / 'hall.sqlite3'}"
    try:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HALL_", "REDIS_URL"))},
            "DATABASE_URL": url,
            "HALL_INSTANCE_PATH": str(tmp / "seed-instance"),
            "HALL_ENV": "development",  # seed-demo refuses production
            "SECRET_KEY": "bench-seed",
        }
        run_hall_command(["db", "upgrade"], env)
        run_hall_command(["seed-demo"], env)
        yield url
    finally:
        if backend == "postgresql":
            postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Watchers -------------------------------------------------------------------------------------


def comment_id_of(data) -> int | None:
    """The comment id in an event envelope {"data": {"comment": {"id": ...}}}, if any."""
    try:
        return int(data["data"]["comment"]["id"])
    except (KeyError, TypeError, ValueError):
        return None


class Arrivals:
    """How many watchers have each comment; wakes the round up when all N have its comment."""

    def __init__(self, clients: int):
        self.clients = clients
        self.counts: Counter[int] = Counter()
        self.sizes: dict[int, int] = {}
        self._target: int | None = None
        self._complete = asyncio.Event()
        # Events other than comments (Hall's "viewers" counts, sent to the room on every join).
        self.other_events = 0
        self.last_other_event = time.perf_counter()

    def expect(self, comment_id: int) -> None:
        self._target = comment_id
        if self.counts[comment_id] >= self.clients:
            self._complete.set()

    def record(self, comment_id: int, data) -> None:
        self.counts[comment_id] += 1
        if comment_id not in self.sizes:
            self.sizes[comment_id] = len(json.dumps(data, ensure_ascii=False).encode())
        if comment_id == self._target and self.counts[comment_id] >= self.clients:
            self._complete.set()

    def record_other(self) -> None:
        self.other_events += 1
        self.last_other_event = time.perf_counter()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._complete.wait(), timeout)

    async def settle(self, quiet: float, limit: float) -> float:
        """Wait until no other event has come for `quiet` seconds; returns the seconds waited."""
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            if time.perf_counter() - self.last_other_event >= quiet:
                break
            await asyncio.sleep(0.1)
        return time.perf_counter() - started

    def reset(self) -> None:
        self._target = None
        self._complete.clear()


class Watcher:
    """One client in the issue's room, noting when each comment reaches it."""

    def __init__(self, arrivals: Arrivals):
        self.arrivals = arrivals
        self.received: dict[int, float] = {}  # comment id -> perf_counter() on arrival
        self.duplicates = 0
        self.dropped = False

    def on_event(self, name: str, data, now: float) -> None:
        if name != EVENT:
            self.arrivals.record_other()
            return
        comment_id = comment_id_of(data)
        if comment_id is None:
            return
        if comment_id in self.received:
            self.duplicates += 1
            return
        self.received[comment_id] = now
        self.arrivals.record(comment_id, data)

    async def connect(self, base_url: str, token: str | None, room: str) -> None:
        raise NotImplementedError

    async def disconnect(self) -> None:
        raise NotImplementedError


class SocketIOWatcher(Watcher):
    """A watcher on python-socketio's asyncio client."""

    def __init__(self, arrivals: Arrivals, session: aiohttp.ClientSession):
        super().__init__(arrivals)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on(EVENT, self._on_comment)
        self.sio.on("*", self._on_other)
        self.sio.on("disconnect", self._on_disconnect)

    def _on_comment(self, data):
        self.on_event(EVENT, data, time.perf_counter())

    def _on_other(self, event, data=None):
        self.on_event(event, data, time.perf_counter())

    def _on_disconnect(self, reason=None):
        self.dropped = True

    async def connect(self, base_url: str, token: str | None, room: str) -> None:
        await self.sio.connect(
            base_url,
            auth={"token": token} if token else None,
            transports=["websocket"],
            wait_timeout=CONNECT_TIMEOUT,
        )
        reply = await self.sio.call("join", {"room": room}, timeout=CONNECT_TIMEOUT)
        if not (isinstance(reply, dict) and reply.get("ok")):
            raise RuntimeError(f"joining {room} was refused: {reply!r}")

    async def disconnect(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


class LeanWatcher(Watcher):
    """A watcher speaking Socket.IO 5 over Engine.IO 4 on one aiohttp websocket by itself.

    It does what the bench needs and no more (connect with auth, one acknowledged `join`,
    answer pings, read events), at a fraction of python-socketio's client's CPU per event, so
    that on a small machine the clients' process does not set the pace of the fan-out.
    """

    def __init__(self, arrivals: Arrivals, session: aiohttp.ClientSession):
        super().__init__(arrivals)
        self.session = session
        self.websocket: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None
        self.connected: asyncio.Future = asyncio.get_running_loop().create_future()
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 0

    async def connect(self, base_url: str, token: str | None, room: str) -> None:
        url = "ws" + base_url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
        self.websocket = await asyncio.wait_for(self.session.ws_connect(url), CONNECT_TIMEOUT)
        self.reader = asyncio.create_task(self._read())
        await self.websocket.send_str("40" + json.dumps({"token": token} if token else {}))
        await asyncio.wait_for(asyncio.shield(self.connected), CONNECT_TIMEOUT)
        reply = await self.call("join", {"room": room})
        if not (isinstance(reply, dict) and reply.get("ok")):
            raise RuntimeError(f"joining {room} was refused: {reply!r}")

    async def call(self, event: str, data) -> object:
        self.next_ack += 1
        answer = self.acks[self.next_ack] = asyncio.get_running_loop().create_future()
        await self.websocket.send_str(f"42{self.next_ack}" + json.dumps([event, data]))
        (reply,) = await asyncio.wait_for(answer, CONNECT_TIMEOUT)
        return reply

    async def _read(self) -> None:
        try:
            async for message in self.websocket:
                if message.type == aiohttp.WSMsgType.TEXT:
                    await self._handle(message.data)
        finally:
            self.dropped = True
            if not self.connected.done():
                self.connected.set_exception(ConnectionError("closed before connecting"))

    async def _handle(self, text: str) -> None:
        if text.startswith('42["'):  # an event: 42["name",data]
            now = time.perf_counter()
            name = text[4 : text.index('"', 4)]
            if name != EVENT:  # counted, not parsed: viewer counts come N² at a time
                self.on_event(name, None, now)
                return
            _, *data = json.loads(text[2:])
            self.on_event(name, data[0] if data else None, now)
        elif text == "2":  # Engine.IO ping
            await self.websocket.send_str("3")
        elif text.startswith("43"):  # an ack: 43<id>[data...]
            body = text[2:]
            digits = len(body) - len(body.lstrip("0123456789"))
            future = self.acks.pop(int(body[:digits]), None)
            if future and not future.done():
                future.set_result(json.loads(body[digits:]))
        elif text.startswith("40") and not self.connected.done():
            self.connected.set_result(True)
        elif text.startswith("44") and not self.connected.done():  # connection refused
            self.connected.set_exception(ConnectionError(f"refused: {text[2:]}"))
        elif text.startswith("41"):  # the server disconnected us
            await self.websocket.close()

    async def disconnect(self) -> None:
        if self.websocket is not None and not self.websocket.closed:
            with contextlib.suppress(Exception):
                await self.websocket.send_str("41")
                await self.websocket.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader


CLIENTS = {"socketio": SocketIOWatcher, "lean": LeanWatcher}


async def connect_watchers(
    base_url: str,
    tokens: list[str | None],
    room: str,
    options: argparse.Namespace,
    session: aiohttp.ClientSession,
) -> tuple[list[Watcher], Arrivals]:
    """N watchers in `room`, connected `options.connect_batch` at a time.

    After each batch it waits for quiet: Hall tells everybody in an issue's room the new viewer
    count on every join, so N joins send N²/2 events, and a client buried under them answers
    the server's pings too late and is disconnected.
    """
    arrivals = Arrivals(options.clients)
    watchers: list[Watcher] = []
    started = time.perf_counter()
    try:
        for first in range(0, options.clients, options.connect_batch):
            batch = []
            for index in range(first, min(first + options.connect_batch, options.clients)):
                token = tokens[index % len(tokens)]
                batch.append(
                    connect_with_retries(
                        lambda: CLIENTS[options.client](arrivals, session), base_url, token, room
                    )
                )
            watchers.extend(await asyncio.gather(*batch))
            await arrivals.settle(BATCH_QUIET, options.settle_limit)
        await arrivals.settle(options.pause, options.settle_limit)
    except BaseException:
        await disconnect_watchers(watchers)
        raise
    elapsed = time.perf_counter() - started
    print(f"  {len(watchers)} watchers connected and joined {room} in {elapsed:.1f} s")
    if arrivals.other_events:
        print(f"  they received {arrivals.other_events:,} other events meanwhile (viewer counts)")
    dropped = sum(w.dropped for w in watchers)
    if dropped:
        print(f"  WARNING: {dropped} watchers were disconnected while the others joined")
    return watchers, arrivals


async def connect_with_retries(
    new_watcher, base_url: str, token: str | None, room: str, attempts: int = 3
) -> Watcher:
    for attempt in range(1, attempts + 1):
        watcher = new_watcher()
        try:
            await watcher.connect(base_url, token, room)
            return watcher
        except (
            socketio.exceptions.SocketIOError,
            aiohttp.ClientError,
            OSError,
            TimeoutError,
        ) as error:
            await watcher.disconnect()
            if attempt == attempts:
                raise RuntimeError(f"a watcher could not connect: {error!r}") from error
            await asyncio.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


async def disconnect_watchers(watchers: list[Watcher]) -> None:
    for first in range(0, len(watchers), 200):
        await asyncio.gather(*(w.disconnect() for w in watchers[first : first + 200]))


# The two servers ------------------------------------------------------------------------------


class HttpError(RuntimeError):
    pass


async def request_json(
    session: aiohttp.ClientSession, method: str, url: str, expect: int, **kwargs
):
    async with session.request(method, url, **kwargs) as response:
        text = await response.text()
        if response.status != expect:
            raise HttpError(f"{method} {url}: HTTP {response.status} (expected {expect}): {text}")
        return json.loads(text) if text else None


class HallTarget:
    """Hall: log in, open an issue in the demo community, post its comments."""

    name = "hall"
    app = "wsgi:app"

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.author_token = ""
        self.issue_id = 0

    def bearer(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    async def login(self, session: aiohttp.ClientSession, username: str) -> str:
        """A bearer token; waits out the login rate limit (shared through Redis) if it bites."""
        for _ in range(3):
            async with session.post(
                f"{self.base_url}/api/tokens",
                json={"username": username, "password": DEMO_PASSWORD, "name": "fan-out bench"},
            ) as response:
                if response.status == 201:
                    return (await response.json())["token"]
                if response.status != 429:
                    text = await response.text()
                    raise HttpError(f"login as {username}: HTTP {response.status}: {text}")
                wait = float(response.headers.get("Retry-After", "30")) + 1
            print(f"  login rate limit reached; waiting {wait:.0f} s")
            await asyncio.sleep(wait)
        raise HttpError(f"login as {username}: still rate limited")

    async def prepare(self, session: aiohttp.ClientSession) -> tuple[str, list[str | None]]:
        """The room to watch and the watchers' tokens."""
        self.author_token = await self.login(session, AUTHOR)
        tokens = {AUTHOR: self.author_token}
        for username in WATCHERS:
            if username not in tokens:
                tokens[username] = await self.login(session, username)
        community_id = await self.community_id(session)
        issue = await request_json(
            session,
            "POST",
            f"{self.base_url}/api/communities/{community_id}/issues",
            201,
            headers=self.bearer(self.author_token),
            json={
                "title": "3栋电梯频繁停运，请公布维修进度",
                "body": COMMENT_TEXT,
                "category": "elevator",
                "scope": {"kind": "community"},
            },
        )
        self.issue_id = issue["id"]
        await request_json(
            session,
            "POST",
            f"{self.base_url}/api/issues/{self.issue_id}/transitions",
            200,
            headers=self.bearer(self.author_token),
            json={"transition": "submit"},
        )
        return f"issue:{self.issue_id}", [tokens[username] for username in WATCHERS]

    async def community_id(self, session: aiohttp.ClientSession) -> int:
        communities = await request_json(
            session,
            "GET",
            f"{self.base_url}/api/communities",
            200,
            headers=self.bearer(self.author_token),
        )
        for community in communities:
            if community["name"] == DEMO_COMMUNITY:
                return community["id"]
        raise RuntimeError(f"{DEMO_COMMUNITY} is not among {communities!r}")

    async def post(self, session: aiohttp.ClientSession, number: int) -> int:
        comment = await request_json(
            session,
            "POST",
            f"{self.base_url}/api/issues/{self.issue_id}/comments",
            201,
            headers=self.bearer(self.author_token),
            json={"body": f"{COMMENT_TEXT}（第{number}轮 {uuid.uuid4().hex[:8]}）"},
        )
        return int(comment["id"])


class BareTarget:
    """python-socketio alone (bench/bare_server.py): POST /emit sends one padded event."""

    name = "bare"
    app = "bench.bare_server:app"
    room = "issue:1"

    def __init__(self, base_url: str, payload_bytes: int):
        self.base_url = base_url
        self.payload_bytes = payload_bytes

    async def prepare(self, session: aiohttp.ClientSession) -> tuple[str, list[str | None]]:
        return self.room, [None]

    async def post(self, session: aiohttp.ClientSession, number: int) -> int:
        await request_json(
            session,
            "POST",
            f"{self.base_url}/emit",
            201,
            json={
                "room": self.room,
                "id": number,
                "body": f"{COMMENT_TEXT}（第{number}轮）",
                "size": self.payload_bytes,
            },
        )
        return number


# Measuring ------------------------------------------------------------------------------------


async def one_round(
    target,
    session: aiohttp.ClientSession,
    watchers: list[Watcher],
    arrivals: Arrivals,
    number: int,
    timeout: float,
) -> RoundResult:
    arrivals.reset()
    cpu = time.process_time()
    sent = time.perf_counter()
    comment_id = await target.post(session, number)
    answered = time.perf_counter()
    arrivals.expect(comment_id)
    await arrivals.wait(timeout)
    cpu = time.process_time() - cpu
    latencies = [w.received[comment_id] - sent for w in watchers if comment_id in w.received]
    return RoundResult(
        server=target.name,
        number=number,
        clients=len(watchers),
        latencies=latencies,
        post_seconds=answered - sent,
        payload_bytes=arrivals.sizes.get(comment_id, 0),
        client_cpu_seconds=cpu,
    )


def print_round(result: RoundResult, label: str) -> None:
    print(
        f"  {result.server} {label:>8}: p50 {ms(percentile(result.latencies, 50))}  "
        f"p99 {ms(percentile(result.latencies, 99))}  last {ms(result.last)}  "
        f"POST {ms(result.post_seconds)}  {result.deliveries_per_second:,.0f}/s  "
        f"lost {result.lost}  event {result.payload_bytes} B  "
        f"clients' CPU {result.client_busy:.0%}"
    )


@dataclass
class Contender:
    """A server under measurement, its watchers once connected, and its rounds."""

    target: HallTarget | BareTarget
    server: Server
    result: ServerResult
    watchers: list[Watcher] = field(default_factory=list)
    arrivals: Arrivals | None = None


async def measure(contenders: list[Contender], options: argparse.Namespace) -> None:
    """Connect every server's watchers, then post rounds to the servers in turn.

    Taking turns round by round, rather than one server after the other, gives both the same
    share of whatever else the machine is doing meanwhile. The watchers of the server not
    posting sit idle.
    """
    if options.client == "socketio":
        # python-engineio's client logs an error for every connection the bench itself closes.
        logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    # One session for the REST calls, another for the lean watchers' websockets (no limit).
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4)) as session,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as websockets,
    ):
        try:
            for contender in contenders:
                print(
                    f"{contender.target.name}: preparing and connecting {options.clients} watchers"
                )
                room, tokens = await contender.target.prepare(session)
                contender.watchers, contender.arrivals = await connect_watchers(
                    contender.server.base_url, tokens, room, options, websockets
                )
            for number in range(1, options.warmup + options.rounds + 1):
                for contender in contenders:
                    await measure_round(contender, contenders, session, number, options)
            for contender in contenders:
                report_trouble(contender)
        finally:
            for contender in contenders:
                await disconnect_watchers(contender.watchers)


async def measure_round(
    contender: Contender,
    contenders: list[Contender],
    session: aiohttp.ClientSession,
    number: int,
    options: argparse.Namespace,
) -> None:
    contender.server.check_running()
    outcome = await one_round(
        contender.target, session, contender.watchers, contender.arrivals, number, options.timeout
    )
    warmup = number <= options.warmup
    print_round(outcome, "warm-up" if warmup else f"round {number - options.warmup}")
    if not warmup:
        contender.result.rounds.append(outcome)
    if isinstance(contender.target, HallTarget) and outcome.payload_bytes:
        # The bare server sends events of the size Hall's had, unless told a size.
        for other in contenders:
            if isinstance(other.target, BareTarget) and not options.payload_bytes:
                other.target.payload_bytes = outcome.payload_bytes
    await asyncio.sleep(options.pause)


def report_trouble(contender: Contender) -> None:
    dropped = sum(w.dropped for w in contender.watchers)
    duplicates = sum(w.duplicates for w in contender.watchers)
    if dropped or duplicates:
        print(
            f"  {contender.target.name}: {dropped} watchers were disconnected, "
            f"{duplicates} duplicate events"
        )


def start_servers(
    options: argparse.Namespace, tmp: Path, stack: contextlib.ExitStack
) -> list[Contender]:
    """Hall on a fresh demo database, and the bare server, as `options.only` says."""
    contenders = []
    if options.only != "bare":
        url = stack.enter_context(demo_database(options.database, tmp / "hall"))
        env = server_environment(
            options,
            tmp / "hall" / "instance",
            DATABASE_URL=url,
            SECRET_KEY=secrets.token_hex(32),
            HALL_ENV="production",
            HALL_COMMENT_RATE_LIMIT="100000 per minute",
        )
        server = stack.enter_context(gunicorn("hall", HallTarget.app, env, tmp / "logs"))
        contenders.append(
            Contender(HallTarget(server.base_url), server, ServerResult("hall", options.clients))
        )
    if options.only != "hall":
        env = server_environment(options, tmp / "bare" / "instance")
        server = stack.enter_context(gunicorn("bare", BareTarget.app, env, tmp / "logs"))
        target = BareTarget(server.base_url, options.payload_bytes or DEFAULT_PAYLOAD_BYTES)
        contenders.append(Contender(target, server, ServerResult("bare", options.clients)))
    print(
        f"servers: {', '.join(f'{c.target.name} {c.server.base_url}' for c in contenders)} "
        f"({options.async_mode}, {options.workers} worker(s) each"
        f"{', Socket.IO over Redis' if options.redis else ''}, {options.database}); "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    return contenders


# Report ---------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return "     -" if math.isnan(seconds) else f"{seconds * 1000:6.1f}"


def print_table(results: list[ServerResult]) -> None:
    print()
    print(
        f"{'server':<6} {'clients':>7} {'rounds':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'round p99':>9} {'max ms':>7} {'deliv/s':>9} {'POST ms':>7} {'event B':>7} {'lost':>5}"
    )
    for r in results:
        print(
            f"{r.server:<6} {r.clients:>7} {len(r.rounds):>6} {ms(r.p50):>7} {ms(r.p99):>7} "
            f"{ms(r.round_p99):>9} {ms(r.max):>7} {r.deliveries_per_second:>9,.0f} "
            f"{ms(r.post_seconds):>7} {r.payload_bytes:>7} {r.lost:>5}"
        )
    print(
        "p50, p99, max: over every client of every round; round p99: the median of the rounds' "
        "p99s;\ndeliv/s and POST: medians over rounds"
    )


def verdict(results: list[ServerResult]) -> bool:
    """Print whether the targets are met; True if they are.

    The ratio is taken of the median round's p99: one round stalled by something else on the
    machine moves the p99 over all rounds (with 5 rounds, the worst round holds a fifth of the
    samples), not the median round. Both ratios are printed.
    """
    by_name = {r.server: r for r in results}
    ok = True
    if "hall" in by_name and "bare" in by_name:
        hall, bare = by_name["hall"], by_name["bare"]
        ratio = hall.round_p99 / bare.round_p99
        met = ratio <= TARGET_RATIO
        ok &= met
        print(
            f"\nHall p99 / bare p99 = {ratio:.2f} (median round; target <= {TARGET_RATIO}): "
            f"{'met' if met else 'MISSED'}; over all rounds {hall.p99 / bare.p99:.2f}"
        )
    lost = {r.server: r.lost for r in results}
    ok &= not any(lost.values())
    print(
        "lost events: "
        + ", ".join(f"{name} {count}" for name, count in lost.items())
        + f" (must be 0): {'met' if not any(lost.values()) else 'MISSED'}"
    )
    return ok


# Main -----------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="watchers (default 1000)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument("--redis", action="store_true", help="Socket.IO over Redis")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds a round waits for the last watcher before counting it lost",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=1.0,
        help="seconds between rounds, and of quiet awaited after joining (default 1)",
    )
    parser.add_argument(
        "--settle-limit",
        type=float,
        default=600.0,
        help="at most this long to wait for quiet after each batch joins (default 600)",
    )
    parser.add_argument(
        "--connect-batch", type=int, default=100, help="watchers connecting at once (default 100)"
    )
    parser.add_argument(
        "--client",
        choices=tuple(CLIENTS),
        default="lean",
        help="lean (default): the bench's own minimal Socket.IO client, several times cheaper "
        "per event; socketio: python-socketio's AsyncClient",
    )
    parser.add_argument("--only", choices=("hall", "bare"), help="measure one server only")
    parser.add_argument(
        "--payload-bytes",
        type=int,
        default=0,
        help="the bare server's event size (default: that of Hall's event, else 1000)",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the servers' logs (their folder is printed)"
    )
    options = parser.parse_args(argv)
    if options.workers > 1 and not options.redis:
        parser.error("--workers above 1 needs --redis (events must reach every worker)")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    limit = raise_open_file_limit()
    needed = 4 * options.clients + 200  # both servers' watchers, and the servers' ends
    if limit < needed:
        print(f"warning: the open-file limit is {limit}; {options.clients} clients need ~{needed}")
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-fanout-"))
    try:
        with contextlib.ExitStack() as stack:  # stops the servers, then drops the database
            contenders = start_servers(options, tmp, stack)
            asyncio.run(measure(contenders, options))
    except RuntimeError as error:  # a server or a request failed: say what, without a traceback
        print(f"fanout: {error}", file=sys.stderr)
        return 2
    finally:
        if options.keep_logs:
            print(f"server logs: {tmp / 'logs'}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    results = [contender.result for contender in contenders]
    print_table(results)
    return 0 if verdict(results) else 1


if __name__ == "__main__":
    sys.exit(main())
