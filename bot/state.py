"""The bot's shared state, behind one small interface with two real backends:

- SQLite (the default): a file, nothing to install; shared by processes on one host.
- Redis (`REDIS_URL`): shared by any number of replicas.

It holds event de-duplication (atomic, with expiry), per-thread locks (held while an
answer is written, renewed while held, expiring if their holder dies), rate-limit
counters, saved values (workspace and channel settings) and token usage by day. No other
module talks to SQLite or Redis. If Redis can't be reached, the bot keeps answering from this
replica's view and logs loudly: it never crashes for it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_SECONDS = 60.0  # a held lock is renewed every third of this; a dead holder's expires
_POLL_SECONDS = (0.05, 0.5)  # first and longest wait between tries for a busy lock


class Lease(Protocol):
    async def release(self) -> None: ...


@dataclass(frozen=True)
class UsageRow:
    """Tokens and answers of one user, in one channel, with one model, on one day."""

    day: str
    channel: str
    user: str
    model: str
    answers: int
    input_tokens: int
    output_tokens: int


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

    async def get(self, key: str) -> str | None:
        """The value saved under `key`, or None."""
        ...

    async def put(self, key: str, value: str) -> None:
        """Save `value` under `key`, for good."""
        ...

    async def add_usage(self, team: str, row: UsageRow) -> None:
        """Add one answer's tokens to its day's totals."""
        ...

    async def usage(self, team: str, days: Sequence[str]) -> list[UsageRow]:
        """The totals of `days` (YYYY-MM-DD), one row per day, channel, user and model."""
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
    """Claims, locks, settings and usage in one SQLite file. Calls run one at a time on a
    thread of their own: they don't contend for the connection's lock across threads, and a
    claim on the acknowledgement's path never queues behind the default pool's image work."""

    def __init__(self, path: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-state")
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
            self._db.execute("CREATE TABLE IF NOT EXISTS saved (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS usage (team TEXT, day TEXT, channel TEXT, user TEXT, model TEXT, "
                "answers INTEGER, input_tokens INTEGER, output_tokens INTEGER, "
                "PRIMARY KEY (team, day, channel, user, model))"
            )
            self._db.execute("DELETE FROM claims WHERE expires_at <= ?", (time.time(),))

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        return await self._run(self._insert, "claims", (key, time.time() + ttl_seconds))

    async def acquire(self, key: str, on_wait: Callable[[], None] | None = None) -> Lease:
        owner = uuid.uuid4().hex

        async def try_once() -> bool:
            return await self._run(self._insert, "locks", (key, owner, time.time() + LOCK_SECONDS))

        async def extend() -> None:
            sql = "UPDATE locks SET expires_at = ? WHERE key = ? AND owner = ?"
            await self._run(self._write, sql, (time.time() + LOCK_SECONDS, key, owner))

        async def release() -> None:
            await self._run(self._write, "DELETE FROM locks WHERE key = ? AND owner = ?", (key, owner))

        await _poll(try_once, on_wait)
        return _Renewed(extend, release)

    async def count(self, key: str, window_seconds: float) -> int:
        return await self._run(self._increment, key, window_seconds)

    async def get(self, key: str) -> str | None:
        return await self._run(self._get, key)

    def _get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM saved WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    async def put(self, key: str, value: str) -> None:
        sql = "INSERT INTO saved VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        await self._run(self._write, sql, (key, value))

    async def add_usage(self, team: str, row: UsageRow) -> None:
        sql = (
            "INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(team, day, channel, user, model) "
            "DO UPDATE SET answers = answers + excluded.answers, "
            "input_tokens = input_tokens + excluded.input_tokens, "
            "output_tokens = output_tokens + excluded.output_tokens"
        )
        values = (
            team,
            row.day,
            row.channel,
            row.user,
            row.model,
            row.answers,
            row.input_tokens,
            row.output_tokens,
        )
        await self._run(self._write, sql, values)

    async def usage(self, team: str, days: Sequence[str]) -> list[UsageRow]:
        return await self._run(self._usage, team, list(days))

    def _usage(self, team: str, days: list[str]) -> list[UsageRow]:
        places = ", ".join("?" * len(days))
        sql = (
            "SELECT day, channel, user, model, answers, input_tokens, output_tokens FROM usage "
            f"WHERE team = ? AND day IN ({places})"
        )
        with self._lock:
            return [UsageRow(*row) for row in self._db.execute(sql, (team, *days)).fetchall()]

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

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
        self._executor.shutdown(wait=True)
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

    async def get(self, key: str) -> str | None:
        try:
            value = await self._redis.get(f"saved:{key}")
        except RedisError as err:
            self._report_down(err)
            return None  # the defaults, until Redis is back
        self._report_up()
        return None if value is None else _text(value)

    async def put(self, key: str, value: str) -> None:
        await self._redis.set(f"saved:{key}", value)  # a failure reaches whoever saves: they are told

    async def add_usage(self, team: str, row: UsageRow) -> None:
        name = f"usage:{team}:{row.day}"
        field = "\t".join((row.channel, row.user, row.model))
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(name, f"{field}\tanswers", row.answers)
                pipe.hincrby(name, f"{field}\tinput", row.input_tokens)
                pipe.hincrby(name, f"{field}\toutput", row.output_tokens)
                await pipe.execute()
        except RedisError as err:
            self._report_down(err)  # this answer's usage is lost; the answer is not

    async def usage(self, team: str, days: Sequence[str]) -> list[UsageRow]:
        rows = []
        for day in days:
            totals: dict[tuple[str, ...], dict[str, int]] = {}
            for raw_field, raw_value in (await self._redis.hgetall(f"usage:{team}:{day}")).items():
                *key, what = _text(raw_field).split("\t")
                totals.setdefault(tuple(key), {})[what] = int(raw_value)
            for (channel, user, model), values in totals.items():
                counts = (values.get("answers", 0), values.get("input", 0), values.get("output", 0))
                rows.append(UsageRow(day, channel, user, model, *counts))
        return rows

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


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


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
