"""The baseline for bench/ballots.py: Flask and one SQLAlchemy Core insert, nothing else.

Served exactly like Hall, `gunicorn -c gunicorn.conf.py bench.bare_rows:app` from the project
root, so the worker class, worker count and connection limits are Hall's own. It patches for
HALL_ASYNC_MODE as wsgi.py does (psycogreen included, so psycopg2 yields to other requests
while PostgreSQL works), and its engine has Hall's pool: `hall.config.engine_options` with the same
HALL_DATABASE_POOL_SIZE, as Flask-SQLAlchemy builds Hall's from SQLALCHEMY_ENGINE_OPTIONS.

- POST /rows {"vote_id", "member_id", "choice"}: inserts one row into `bench_rows` (created by
  bench/ballots.py beforehand), commits, answers 201 {"id"}.
- GET /healthz: 200.

DATABASE_URL names the database, as for Hall.
"""

import os
import sys

ASYNC_MODE = os.environ.get("HALL_ASYNC_MODE", "eventlet")

if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
    import psycogreen.eventlet

    psycogreen.eventlet.patch_psycopg()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
    import psycogreen.gevent

    psycogreen.gevent.patch_psycopg()
elif ASYNC_MODE != "threading":
    sys.exit(f"HALL_ASYNC_MODE must be one of eventlet, gevent, threading, not {ASYNC_MODE!r}")

import sqlalchemy as sa  # noqa: E402  (after monkey-patching, on purpose)
from flask import Flask, request  # noqa: E402

from hall.config import Settings, engine_options, normalise_database_url  # noqa: E402  (Hall's URL rules, no more)

engine = sa.create_engine(
    normalise_database_url(os.environ["DATABASE_URL"]),
    **engine_options(Settings.from_env().database_pool_size),
)
rows = sa.Table(
    "bench_rows",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("vote_id", sa.Integer),
    sa.Column("member_id", sa.Integer),
    sa.Column("choice", sa.Text),
)

app = Flask(__name__)


@app.post("/rows")
def add_row():
    body = request.get_json()
    with engine.connect() as connection:
        row_id = connection.execute(
            sa.insert(rows)
            .values(vote_id=body["vote_id"], member_id=body["member_id"], choice=body["choice"])
            .returning(rows.c.id)
        ).scalar_one()
        connection.commit()
    return {"id": row_id}, 201


@app.get("/healthz")
def healthz():
    return {"ok": True}
