"""Gunicorn settings for Hall: `gunicorn -c gunicorn.conf.py wsgi:app`.

The async mode is ONE setting, HALL_ASYNC_MODE (eventlet, gevent or threading). The worker
class is derived from it here, wsgi.py monkey-patches for it, and create_app() gives the same
value to Flask-SocketIO, so moving from eventlet to gevent means changing that variable only.
See docs/deployment.md.
"""

import gc
import os
import sys

WORKER_CLASSES = {"eventlet": "eventlet", "gevent": "gevent", "threading": "gthread"}

async_mode = os.environ.get("HALL_ASYNC_MODE", "eventlet")
if async_mode not in WORKER_CLASSES:
    sys.exit(
        f"HALL_ASYNC_MODE must be one of {', '.join(WORKER_CLASSES)}, not {async_mode!r}"
    )
worker_class = WORKER_CLASSES[async_mode]

bind = [address.strip() for address in os.environ.get("HALL_BIND", "127.0.0.1:5000").split(",")]

# One worker by default. A Socket.IO client keeps talking to the worker that accepted it, and
# an event published in one worker must reach clients held by the others, so several workers
# (or several hosts) need BOTH:
#   - REDIS_URL, which makes Socket.IO fan events out through Redis to every worker; and
#   - either websocket-only transports (HALL_SOCKET_TRANSPORTS=websocket), or sticky sessions
#     in front (nginx `ip_hash`), because a long-polling session is a series of separate HTTP
#     requests that must all land on the worker that holds the session.
# Gunicorn's own balancing between its workers is not sticky, so with long-polling enabled the
# usual shape is several single-worker gunicorn processes behind nginx with `ip_hash`.
workers = int(os.environ.get("HALL_WORKERS", "1"))

# Concurrent clients per eventlet/gevent worker: every open websocket holds one.
worker_connections = int(os.environ.get("HALL_WORKER_CONNECTIONS", "1000"))
# Threading mode (gthread): one thread per open websocket or in-flight request.
threads = int(os.environ.get("HALL_THREADS", "100")) if async_mode == "threading" else 1

# Websockets live for hours. With the async and gthread workers `timeout` only bounds how
# long a worker may go silent towards the arbiter (a stuck event loop), not a connection's
# life, so it can stay moderate. Socket.IO pings every 25 s, which keeps idle websockets alive
# through proxies whose read timeout is longer than that.
timeout = int(os.environ.get("HALL_TIMEOUT", "120"))
# On stop or restart, open websockets are given this long before the worker is killed; their
# clients then reconnect.
graceful_timeout = int(os.environ.get("HALL_GRACEFUL_TIMEOUT", "30"))
# Longer than nginx's upstream keepalive_timeout, so that gunicorn never closes first.
keepalive = int(os.environ.get("HALL_KEEPALIVE", "75"))

accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("HALL_LOG_LEVEL", "info")
proc_name = "hall"

# Gunicorn 25's control socket (for `gunicornc`) defaults to one path per user, which several
# Hall processes on one host would fight over: it is off unless HALL_CONTROL_SOCKET names a
# path of its own for this process (e.g. /run/hall/5001.ctl).
control_socket = os.environ.get("HALL_CONTROL_SOCKET", "")
control_socket_disable = not control_socket


def post_worker_init(worker):
    # Everything loaded so far (the app, its libraries) lives as long as the worker: keep it
    # out of the collector's sight. And collect the young generation less often: sending one
    # event to a thousand websockets makes thousands of short-lived objects, and with the
    # default threshold (700) they outlive two young collections, count as old, and every
    # dozen or so broadcasts set off a full collection over every open connection's objects,
    # a 100 ms stall for every client (bench/fanout.py showed it, round after round).
    gc.freeze()
    gc.set_threshold(20_000, 20, 10)


def on_starting(server):
    if workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "HALL_WORKERS=%s without REDIS_URL: an event published in one worker will not "
            "reach Socket.IO clients connected to another. Set REDIS_URL.",
            workers,
        )
