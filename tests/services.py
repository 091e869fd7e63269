"""The real services the suite runs against: PostgreSQL, Redis, Chromium.

Where one is missing, a test that needs it is skipped on a developer's machine and fails in CI
(CI=true), so a green CI run always means the real part ran.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("HALL_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HALL_TEST_REDIS", "redis://127.0.0.1:6379/0")
CHROMIUM = Path(os.environ.get("HALL_TEST_CHROMIUM", "/usr/bin/chromium"))


def missing(what: str) -> None:
    """Skip here, fail in CI: a missing service never passes silently there."""
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true requires it")
    pytest.skip(message)  # only off CI: IN_CI failed above


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if not reachable("127.0.0.1", 5432):
        missing("PostgreSQL on 127.0.0.1:5432")


def require_redis() -> None:
    if not reachable("127.0.0.1", 6379):
        missing("Redis on 127.0.0.1:6379")


def require_chromium() -> Path:
    if not CHROMIUM.exists() and not shutil.which(str(CHROMIUM)):
        missing(f"Chromium at {CHROMIUM}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
