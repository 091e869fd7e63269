"""Gunicorn servers for the scale tests, started on first use and kept for the session.

Starting a server costs about a second, so every test that needs "an eventlet server on
PostgreSQL" shares one; each backend has one migrated database with the world in it, shared
by all the servers of that backend (several processes on one database is what production
does too). Tests create buildings with unique names, so sharing does not couple them.
"""

from __future__ import annotations

from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest

from tests.databases import drop_database
from tests.processes import (
    PreparedDatabase,
    ServerProcess,
    gunicorn_server,
    prepare_database,
    redis_database_number,
    server_environment,
)
from tests.scale.clients import login
from tests.services import REDIS_URL, require_postgres, require_redis


class Servers:
    def __init__(self, tmp_path_factory):
        self._tmp = tmp_path_factory
        self._stack = ExitStack()
        self._databases: dict[str, PreparedDatabase] = {}
        self._servers: dict[tuple, ServerProcess] = {}
        self._tokens: dict[tuple[str, str], str] = {}
        # For a server with Redis, the (mode, backend) of the plain server to log in on.
        self._plain: dict[str, tuple[str, str] | None] = {}

    def database(self, backend: str) -> PreparedDatabase:
        if backend == "postgresql":
            require_postgres()
        if backend not in self._databases:
            prepared = prepare_database(backend, self._tmp.mktemp(f"db-{backend}"), "scale")
            self._stack.callback(prepared.drop)
            self._databases[backend] = prepared
        return self._databases[backend]

    def redis_url(self) -> str:
        require_redis()
        number = redis_database_number()
        return urlsplit(REDIS_URL)._replace(path=f"/{number}").geturl()

    def get(
        self, async_mode: str, backend: str, *, with_redis: bool = False, name: str = "", **env
    ) -> ServerProcess:
        key = (async_mode, backend, with_redis, name, tuple(sorted(env.items())))
        if key not in self._servers:
            database = self.database(backend)
            parts = (async_mode, backend, "redis" if with_redis else "", name)
            label = "-".join(filter(None, parts))
            tmp = self._tmp.mktemp(f"server-{label}")
            environment = server_environment(
                database.url,
                async_mode,
                tmp / "instance",
                redis_url=self.redis_url() if with_redis else None,
                **env,
            )
            server = self._stack.enter_context(gunicorn_server(environment, tmp, label))
            self._servers[key] = server
            self._plain[server.base_url] = None if not with_redis else (async_mode, backend)
        return self._servers[key]

    def token(self, server: ServerProcess, username: str) -> str:
        """A bearer token got by logging in over HTTP, once per server and account.

        Tokens live in the database, so any server on it accepts them. A server with REDIS_URL
        counts logins in Redis, shared by every process and every test run on this machine
        (10 a minute from 127.0.0.1): for those, log in on the plain server of the same mode
        and database instead, whose count is its own.
        """
        plain = self._plain.get(server.base_url)
        if plain is not None:
            server = self.get(*plain)
        key = (server.base_url, username)
        if key not in self._tokens:
            self._tokens[key] = login(server.base_url, username)
        return self._tokens[key]

    def close(self) -> None:
        for server in self._servers.values():  # all at once: each takes a second or so
            server.terminate()
        self._stack.close()
        for prepared in self._databases.values():
            drop_database(prepared.url)


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    pool = Servers(tmp_path_factory)
    yield pool
    pool.close()
