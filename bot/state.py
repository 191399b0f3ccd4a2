"""The bot's shared state, behind one small interface with two real backends:

- SQLite (the default): a file, nothing to install; shared by processes on one host.
- Redis (`REDIS_URL`): shared by any number of replicas.

It holds event de-duplication (atomic, with expiry) and per-thread locks (held while an
answer is written, renewed while held, expiring if their holder dies). No other module
talks to SQLite or Redis. If Redis can't be reached, the bot keeps answering from this
replica's view and logs loudly: it never crashes for it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

LOCK_SECONDS = 60.0  # a held lock is renewed every third of this; a dead holder's expires
_POLL_SECONDS = (0.05, 0.5)  # first and longest wait between tries for a busy lock


class Lease(Protocol):
    async def release(self) -> None: ...


class StateStore(Protocol):
    async def claim(self, key: str, ttl_seconds: float) -> bool:
        """True for the first caller to claim `key` within `ttl_seconds`, False for the rest."""
        ...

    async def acquire(self, key: str, on_wait: Callable[[], None] | None = None) -> Lease:
        """Hold the lock `key` (waiting for it; `on_wait` is called once if it must wait)."""
        ...

    async def count(self, key: str, window_seconds: float) -> int:
        """Add one to the counter `key` of the current window; return its new value."""
        ...

    async def close(self) -> None: ...


async def _poll(try_once: Callable[[], Awaitable[bool]], on_wait: Callable[[], None] | None) -> None:
    """Call `try_once` until it returns True, waiting longer each time."""
    delay, waited = _POLL_SECONDS[0], False
    while not await try_once():
        if not waited and on_wait is not None:
            on_wait()
        waited = True
        await asyncio.sleep(delay)
        delay = min(delay * 2, _POLL_SECONDS[1])


class _Renewed:
    """A lease whose lock is extended in the background until released."""

    def __init__(
        self, extend: Callable[[], Awaitable[object]], release: Callable[[], Awaitable[object]]
    ) -> None:
        self._extend = extend
        self._release = release
        self._task = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(LOCK_SECONDS / 3)
            try:
                await self._extend()
            except (RedisError, LockError, sqlite3.Error) as err:
                log.error("could not renew a thread lock: %s", err)

    async def release(self) -> None:
        self._task.cancel()
        try:
            await self._release()
        except (RedisError, LockError, sqlite3.Error) as err:
            log.error("could not release a thread lock (it will expire): %s", err)


class SqliteState:
    """Claims and locks in one SQLite file; calls run in a worker thread."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # Commits reach the OS at once but are not fsync'ed one by one: 20 times faster, and a
            # crash of the bot loses nothing (only the machine losing power could lose the last ones).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires_at REAL NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS locks "
                "(key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS counters "
                "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)"
            )
            self._db.execute("DELETE FROM claims WHERE expires_at <= ?", (time.time(),))

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        return await asyncio.to_thread(self._insert, "claims", (key, time.time() + ttl_seconds))

    async def acquire(self, key: str, on_wait: Callable[[], None] | None = None) -> Lease:
        owner = uuid.uuid4().hex

        async def try_once() -> bool:
            return await asyncio.to_thread(self._insert, "locks", (key, owner, time.time() + LOCK_SECONDS))

        async def extend() -> None:
            sql = "UPDATE locks SET expires_at = ? WHERE key = ? AND owner = ?"
            await asyncio.to_thread(self._write, sql, (time.time() + LOCK_SECONDS, key, owner))

        async def release() -> None:
            await asyncio.to_thread(
                self._write, "DELETE FROM locks WHERE key = ? AND owner = ?", (key, owner)
            )

        await _poll(try_once, on_wait)
        return _Renewed(extend, release)

    async def count(self, key: str, window_seconds: float) -> int:
        return await asyncio.to_thread(self._increment, key, window_seconds)

    def _increment(self, key: str, window_seconds: float) -> int:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
                self._db.execute(
                    "INSERT INTO counters VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE SET value = value + 1",
                    (key, now + window_seconds),
                )
                (value,) = self._db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return int(value)

    def _insert(self, table: str, row: tuple[object, ...]) -> bool:
        """Insert `row` (key first, expiry last) unless a live row has its key."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    f"DELETE FROM {table} WHERE key = ? AND expires_at <= ?", (row[0], time.time())
                )
                places = ", ".join("?" * len(row))
                cursor = self._db.execute(f"INSERT OR IGNORE INTO {table} VALUES ({places})", row)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return cursor.rowcount == 1

    def _write(self, sql: str, parameters: tuple[object, ...]) -> None:
        with self._lock:
            self._db.execute(sql, parameters)

    async def close(self) -> None:
        with self._lock:
            self._db.close()


class RedisState:
    """Claims with `SET NX EX`, locks with redis-py's `Lock`, for many replicas."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._down_since: float | None = None

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        try:
            taken = await self._redis.set(f"claim:{key}", "1", nx=True, px=int(ttl_seconds * 1000))
        except RedisError as err:
            self._report_down(err)
            return True  # answer from this replica's view rather than not at all
        self._report_up()
        return bool(taken)

    async def acquire(self, key: str, on_wait: Callable[[], None] | None = None) -> Lease:
        lock = self._redis.lock(f"lock:{key}", timeout=LOCK_SECONDS, thread_local=False)

        async def try_once() -> bool:
            try:
                return bool(await lock.acquire(blocking=False))
            except RedisError as err:
                self._report_down(err)
                return True  # go on without the lock rather than not at all

        await _poll(try_once, on_wait)
        if not await _owned(lock):
            return _NoLease()
        return _Renewed(lock.reacquire, lock.release)

    async def count(self, key: str, window_seconds: float) -> int:
        name = f"count:{key}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, int(window_seconds), nx=True)
                value, _ = await pipe.execute()
        except RedisError as err:
            self._report_down(err)
            return 0  # no limit is enforced while Redis is away
        self._report_up()
        return int(value)

    def _report_down(self, err: RedisError) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
        log.error("Redis is unreachable (%s): answering from this replica's view only", type(err).__name__)

    def _report_up(self) -> None:
        if self._down_since is not None:
            log.warning("Redis is back after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None

    async def close(self) -> None:
        await self._redis.aclose()


async def _owned(lock: Lock) -> bool:
    try:
        return bool(await lock.owned())
    except RedisError:
        return False


class _NoLease:
    async def release(self) -> None:
        return None


def open_state(sqlite_path: str, redis_url: str | None) -> StateStore:
    return RedisState(redis_url) if redis_url else SqliteState(sqlite_path)
