"""The bot's state: which events were already taken, in SQLite (a file, nothing to install).

No other module talks to the database. Calls run in a worker thread so the event loop
keeps acknowledging Slack.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path


class StateStore:
    """Event de-duplication with expiry, atomic across processes sharing the file."""

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

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        """True for the first caller to claim `key` within `ttl_seconds`, False for the rest."""
        return await asyncio.to_thread(self._claim, key, ttl_seconds)

    def _claim(self, key: str, ttl_seconds: float) -> bool:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM claims WHERE key = ? AND expires_at <= ?", (key, now))
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO claims (key, expires_at) VALUES (?, ?)", (key, now + ttl_seconds)
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return cursor.rowcount == 1

    async def purge_expired(self) -> None:
        await asyncio.to_thread(self._purge)

    def _purge(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM claims WHERE expires_at <= ?", (time.time(),))

    def close(self) -> None:
        with self._lock:
            self._db.close()
