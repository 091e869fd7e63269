"""What bench/ballots.py and bench/tally.py share: fresh databases, gunicorn servers, figures.

A database is created empty and migrated with `hall db upgrade`, as an operator would, and
dropped afterwards. A server is `gunicorn -c gunicorn.conf.py <app>` from the project root, in
a process group of its own, ready once GET /healthz answers 200.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN = BIN / "gunicorn"
HALL = BIN / "hall"

# Hall's PostgreSQL driver is psycopg2; SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3.
POSTGRES_ADMIN_URL = os.environ.get(
    "HALL_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
).replace("postgresql://", "postgresql+psycopg2://", 1)

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


# Figures --------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of `values` (p in 0..100); NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float, width: int = 7) -> str:
    return f"{'-':>{width}}" if math.isnan(seconds) else f"{seconds * 1000:{width}.2f}"


# Databases ------------------------------------------------------------------------------------


def postgres(statement: str) -> None:
    """Run one statement on the PostgreSQL server as its administrator (autocommit)."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        admin.dispose()


def hall_environment(url: str, instance: Path) -> dict:
    """The environment of a `hall` command on `url`, free of the caller's Hall settings."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HALL_", "REDIS_URL"))},
        "DATABASE_URL": url,
        "HALL_INSTANCE_PATH": str(instance),
        "HALL_ENV": "development",
        "SECRET_KEY": "bench-migrate",
    }


@contextlib.contextmanager
def fresh_database(backend: str, name: str, tmp: Path) -> Iterator[str]:
    """An empty database migrated with `hall db upgrade`; its URL. Dropped afterwards (a
    SQLite file goes with `tmp`)."""
    tmp.mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres(f'CREATE DATABASE "{name}"')
        url = sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    else:
        url = f"sqlite:///{tmp / (name + '.sqlite3')}"
    try:
        finished = subprocess.run(
            [str(HALL), "db", "upgrade"],
            cwd=PROJECT_ROOT,
            env=hall_environment(url, tmp / "migrate-instance"),
            capture_output=True,
            text=True,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"hall db upgrade failed:\n{finished.stdout}{finished.stderr}")
        yield url
    finally:
        if backend == "postgresql":
            postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(async_mode: str, workers: int, instance: Path, **extra: str) -> dict:
    """What an operator would set for one server (Hall or bare alike): gunicorn.conf.py reads
    HALL_ASYNC_MODE, HALL_BIND and HALL_WORKERS."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HALL_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    env.update(
        HALL_ASYNC_MODE=async_mode,
        HALL_BIND=f"127.0.0.1:{free_port()}",
        HALL_WORKERS=str(workers),
        HALL_INSTANCE_PATH=str(instance),
        HALL_GRACEFUL_TIMEOUT="3",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen
    log_dir: Path

    def stderr_tail(self, lines: int = 40) -> str:
        path = self.log_dir / f"{self.name}.stderr"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} server exited with {self.process.returncode}; its stderr:\n"
                f"{self.stderr_tail()}"
            )

    def stop(self) -> None:
        """SIGTERM to the gunicorn master, then SIGKILL to its process group if it lingers."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)


@contextlib.contextmanager
def gunicorn(name: str, app: str, env: dict, log_dir: Path) -> Iterator[Server]:
    """`gunicorn -c gunicorn.conf.py <app>` until the block ends, once /healthz answers 200."""
    log_dir.mkdir(parents=True, exist_ok=True)
    Path(env["HALL_INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    with (
        open(log_dir / f"{name}.stdout", "wb") as out,
        open(log_dir / f"{name}.stderr", "wb") as err,
    ):
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", app],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group, so a SIGKILL reaches the workers
        )
        server = Server(name, f"http://{env['HALL_BIND']}", process, log_dir)
        try:
            wait_until_healthy(server)
            yield server
        finally:
            server.stop()


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        server.check_running()
        try:
            with urllib.request.urlopen(server.base_url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as error:
            last_error = repr(error)
        time.sleep(0.1)
    raise RuntimeError(
        f"{server.name} did not answer /healthz within {STARTUP_TIMEOUT:.0f} s ({last_error}); "
        f"its stderr:\n{server.stderr_tail()}"
    )


def _processes() -> Iterator[tuple[str, list[str]]]:
    """(command name, the fields of /proc/<pid>/stat after the name) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, _, rest = (entry / "stat").read_text().partition(" (")
            comm, _, fields = rest.rpartition(")")
        except OSError:
            continue
        yield comm, fields.split()


def _cpu(fields: list[str]) -> float:
    """utime + stime + cutime + cstime (fields 14 to 17 of the stat line; the list starts at
    field 3): a process's CPU and that of its children it has reaped, in seconds."""
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(leader: int) -> float:
    """CPU of the process group `leader` leads: a gunicorn master and its workers."""
    return sum(_cpu(fields) for _, fields in _processes() if int(fields[2]) == leader)


def postgres_cpu_seconds() -> float:
    """CPU of the PostgreSQL server on this machine: every `postgres` process, the postmaster
    counting the backends that have exited. Includes whatever else uses the server."""
    return sum(_cpu(fields) for comm, fields in _processes() if comm.startswith("postgres"))
