"""Who is viewing a room: a count of distinct people, the same on every worker.

With Redis (several workers or hosts) the viewers of a room are a Redis hash of connection id
to account id; without it, a dict in this process, which is then the only process. A worker
that dies without its connections disconnecting leaves them counted until the hash expires a
day after the room's last join.

The store also remembers the count last announced to each room, so that a count is announced
only when it changed, whichever worker announced it before.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import redis

_EXPIRE_SECONDS = 24 * 3600


class _LocalViewers:
    def __init__(self):
        self._rooms: dict[str, dict[str, int]] = defaultdict(dict)
        self._announced: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, room: str, sid: str, account_id: int) -> int:
        with self._lock:
            self._rooms[room][sid] = account_id
            return len(set(self._rooms[room].values()))

    def remove(self, room: str, sid: str) -> int:
        with self._lock:
            viewers = self._rooms[room]
            viewers.pop(sid, None)
            count = len(set(viewers.values()))
            if not viewers:
                del self._rooms[room]
            return count

    def count(self, room: str) -> int:
        with self._lock:
            return len(set(self._rooms.get(room, {}).values()))

    def swap_announced(self, room: str, count: int) -> int | None:
        with self._lock:
            previous = self._announced.get(room)
            self._announced[room] = count
            return previous


class _RedisViewers:
    def __init__(self, url: str, prefix: str):
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def _key(self, room: str) -> str:
        return f"{self._prefix}:viewers:{room}"

    def add(self, room: str, sid: str, account_id: int) -> int:
        key = self._key(room)
        pipe = self._redis.pipeline()
        pipe.hset(key, sid, account_id)
        pipe.expire(key, _EXPIRE_SECONDS)
        pipe.hvals(key)
        return len(set(pipe.execute()[-1]))

    def remove(self, room: str, sid: str) -> int:
        key = self._key(room)
        pipe = self._redis.pipeline()
        pipe.hdel(key, sid)
        pipe.hvals(key)
        return len(set(pipe.execute()[-1]))

    def count(self, room: str) -> int:
        return len(set(self._redis.hvals(self._key(room))))

    def swap_announced(self, room: str, count: int) -> int | None:
        key = f"{self._key(room)}:announced"
        pipe = self._redis.pipeline()
        pipe.getset(key, count)
        pipe.expire(key, _EXPIRE_SECONDS)
        previous = pipe.execute()[0]
        return int(previous) if previous is not None else None


_viewers: _LocalViewers | _RedisViewers = _LocalViewers()


def configure(redis_url: str | None, channel: str) -> None:
    global _viewers
    _viewers = _RedisViewers(redis_url, channel) if redis_url else _LocalViewers()


def arrive(room: str, sid: str, account_id: int) -> int:
    """Count `sid` as viewing `room`; returns how many people now view it."""
    return _viewers.add(room, sid, account_id)


def depart(room: str, sid: str) -> int:
    return _viewers.remove(room, sid)


def count(room: str) -> int:
    return _viewers.count(room)


def changed_since_announced(room: str, count: int) -> bool:
    """Record `count` as announced to the room; False if that is what it was told last."""
    return _viewers.swap_announced(room, count) != count
