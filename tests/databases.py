"""Fresh databases for tests, built by running the migrations: SQLite files and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from tests.services import POSTGRES_URL, require_postgres

BACKENDS = ("sqlite", "postgresql")


def worker_name() -> str:
    # The process id keeps two test runs on one machine out of each other's databases.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def fresh_database_url(backend: str, tmp_dir: Path, name: str) -> str:
    """An empty database of the backend, unique to this test worker and name."""
    if backend == "sqlite":
        path = tmp_dir / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    require_postgres()
    database = f"hall_{name}_{worker_name()}".lower()
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return sa.make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a PostgreSQL test database once its run is over (SQLite files go with tmp)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def empty_all_tables(db) -> None:
    """Remove every row, keeping the migrated schema: each test starts from nothing."""
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(sa.text(f'DELETE FROM "{table}"'))
            if connection.execute(
                sa.text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first():
                connection.execute(sa.text("DELETE FROM sqlite_sequence"))
