"""The production entry: `gunicorn -c gunicorn.conf.py wsgi:app`.

Monkey-patching must happen before anything else is imported (Flask, SQLAlchemy, redis,
the standard library's socket and threading modules as seen by them), so this module reads
HALL_ASYNC_MODE straight from the environment and patches first, then builds the app.

psycogreen's wait callback is what makes psycopg2 cooperative: without it, a slow query
holds the whole worker (every websocket and HTTP client on it) until the database answers
(tests/scale/test_slow_query.py shows it). Under gevent nothing else installs one. Under
eventlet, monkey_patch() installs eventlet's own equivalent; psycogreen's is installed
explicitly anyway, so that both modes rest on the same, visible line.
Gunicorn's eventlet and gevent workers patch as well; patching twice is harmless.
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
    sys.exit(
        f"HALL_ASYNC_MODE must be one of eventlet, gevent, threading, not {ASYNC_MODE!r}"
    )

from hall import create_app  # noqa: E402  (after monkey-patching, on purpose)

app = create_app()
