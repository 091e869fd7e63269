"""Real server processes for tests: `gunicorn -c gunicorn.conf.py wsgi:app` as a subprocess.

A test gets a database (migrated, with the world in it) from `prepare_database`, then starts
one or more servers on it with `gunicorn_server(...)`, a context manager that waits for
/healthz and stops the server cleanly (SIGTERM, then SIGKILL) however the test ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import sqlalchemy as sa

from tests.databases import fresh_database_url
from tests.services import POSTGRES_URL, free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass
class PreparedDatabase:
    backend: str
    url: str
    world: object  # tests.factories.World

    def drop(self) -> None:
        """Remove a PostgreSQL database made for this run (SQLite files go with tmp_path)."""
        if self.backend != "postgresql":
            return
        name = sa.make_url(self.url).database
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare_database(backend: str, tmp_dir: Path, name: str) -> PreparedDatabase:
    """A fresh database of the backend, migrated, with `build_world()` in it.

    Its name is unique to this test process (`tests.databases.worker_name()`).
    """
    from flask_migrate import upgrade

    from hall import create_app
    from hall.config import Settings
    from hall.extensions import db
    from tests.factories import build_world

    url = fresh_database_url(backend, tmp_dir, name)
    settings = Settings(
        database_url=url,
        secret_key="test-secret-key",
        async_mode="threading",
        instance_path=tmp_dir / "migrate-instance",
        testing=True,
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
        world = build_world()
        db.session.remove()
        db.engine.dispose()
    return PreparedDatabase(backend, url, world)


def redis_database_number() -> int:
    """A Redis database (1..15) for this xdist worker, kept apart from the default db 0.

    Only Hall's own keys (the login rate limit's counters) go there: Socket.IO's pub/sub
    ignores database numbers (see the channel in tests/scale/test_redis_fanout.py).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    return 1 + index % 15


@dataclass
class ServerProcess:
    name: str
    base_url: str
    process: subprocess.Popen
    log_dir: Path

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / f"{self.name}.stderr"

    @property
    def stdout_path(self) -> Path:
        return self.log_dir / f"{self.name}.stdout"

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stderr_tail(self, lines: int = 60) -> str:
        return "\n".join(self.stderr().splitlines()[-lines:])

    def url(self, path: str) -> str:
        return self.base_url + path

    def running(self) -> bool:
        return self.process.poll() is None

    def terminate(self) -> None:
        """SIGTERM to the gunicorn master: it stops its workers, gracefully (about a second)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; returns once the server is gone."""
        if self.process.poll() is not None:
            return
        self.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # The whole process group: the master and any worker it left behind.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)


def server_environment(
    database_url: str,
    async_mode: str,
    instance_path: Path,
    *,
    redis_url: str | None = None,
    workers: int = 1,
    **extra: str,
) -> dict[str, str]:
    """The environment of a Hall server process: what an operator would set, and nothing else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HALL_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    env.update(
        DATABASE_URL=database_url,
        HALL_ASYNC_MODE=async_mode,
        HALL_BIND=f"127.0.0.1:{free_port()}",
        HALL_WORKERS=str(workers),
        HALL_INSTANCE_PATH=str(instance_path),
        SECRET_KEY="test-secret-key-for-server-processes",
        # Tests close their sockets before stopping a server; do not wait 30 s for stragglers.
        HALL_GRACEFUL_TIMEOUT="3",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


@contextmanager
def gunicorn_server(
    env: dict[str, str], log_dir: Path, name: str = "hall", timeout: float = STARTUP_TIMEOUT
) -> Iterator[ServerProcess]:
    """Run `gunicorn -c gunicorn.conf.py wsgi:app` until the block ends.

    Waits until GET /healthz answers 200; on failure the message carries the server's stderr.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    Path(env["HALL_INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    base_url = f"http://{env['HALL_BIND']}"
    stdout = open(log_dir / f"{name}.stdout", "wb")  # noqa: SIM115  (closed below)
    stderr = open(log_dir / f"{name}.stderr", "wb")  # noqa: SIM115
    try:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, so a SIGKILL reaches the workers
        )
        server = ServerProcess(name, base_url, process, log_dir)
        try:
            _wait_until_healthy(server, timeout)
            yield server
        finally:
            server.stop()
    finally:
        stdout.close()
        stderr.close()


def _wait_until_healthy(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if not server.running():
            raise RuntimeError(
                f"gunicorn ({server.name}) exited with {server.process.returncode} before "
                f"answering /healthz; its stderr:\n{server.stderr_tail()}"
            )
        try:
            # Connection: close, so that no idle keep-alive connection of ours makes a graceful
            # stop wait for it later.
            with requests.get(
                server.url("/healthz"), headers={"Connection": "close"}, timeout=5
            ) as response:
                if response.status_code == 200:
                    return
                last_error = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            last_error = repr(error)
        time.sleep(0.1)
    raise RuntimeError(
        f"gunicorn ({server.name}) did not answer /healthz within {timeout:.0f} s "
        f"({last_error}); its stderr:\n{server.stderr_tail()}"
    )
