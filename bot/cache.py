"""Files already fetched and prepared, by Slack file id, so a follow-up downloads nothing.

Bounded in bytes, least recently used first out. In memory for one process; in a
directory (`MEDIA_CACHE_DIR`) for several processes on one host.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

from bot.media import Attachment


class MediaCache(Protocol):
    async def get(self, key: str) -> Attachment | None: ...

    async def put(self, key: str, attachment: Attachment) -> None: ...


class MemoryCache:
    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._items: OrderedDict[str, Attachment] = OrderedDict()
        self._bytes = 0

    async def get(self, key: str) -> Attachment | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    async def put(self, key: str, attachment: Attachment) -> None:
        if attachment.size > self._max_bytes:
            return
        old = self._items.pop(key, None)
        self._bytes -= old.size if old else 0
        self._items[key] = attachment
        self._bytes += attachment.size
        while self._bytes > self._max_bytes:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= evicted.size


class DiskCache:
    """One `<key>.bin` and `<key>.json` per file; written atomically, oldest pruned."""

    def __init__(self, directory: str, max_bytes: int) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._max_bytes = max_bytes

    async def get(self, key: str) -> Attachment | None:
        return await asyncio.to_thread(self._get, key)

    async def put(self, key: str, attachment: Attachment) -> None:
        if attachment.size <= self._max_bytes:
            await asyncio.to_thread(self._put, key, attachment)

    def _paths(self, key: str) -> tuple[Path, Path]:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
        return self._dir / f"{safe}.bin", self._dir / f"{safe}.json"

    def _get(self, key: str) -> Attachment | None:
        data_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text())
            content = data_path.read_bytes()
        except (OSError, ValueError):
            return None
        os.utime(data_path)  # recently used
        return Attachment(meta["name"], content, meta["mime"], meta.get("language"), meta.get("note"))

    def _put(self, key: str, attachment: Attachment) -> None:
        data_path, meta_path = self._paths(key)
        meta = {
            "name": attachment.name,
            "mime": attachment.mime,
            "language": attachment.language,
            "note": attachment.note,
        }
        _write_atomically(data_path, attachment.content)
        _write_atomically(meta_path, json.dumps(meta).encode())
        self._prune()

    def _prune(self) -> None:
        files = sorted(self._dir.glob("*.bin"), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files)
        for path in files:
            if total <= self._max_bytes:
                break
            total -= path.stat().st_size
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def _write_atomically(path: Path, content: bytes | bytearray) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    os.replace(tmp, path)


def make_cache(directory: str | None, max_bytes: int) -> MediaCache:
    return DiskCache(directory, max_bytes) if directory else MemoryCache(max_bytes)
