"""A JSON request body with files in it, written as a stream of known length.

A backend builds its request as plain JSON, putting `BodyWriter.media(...)` wherever a
file's base64 goes; `finish()` then gives a factory of byte streams (one per attempt)
and the exact length, so the request goes with Content-Length and no copy of any file's
base64 is ever held whole.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from bot.media import Attachment


@dataclass(frozen=True)
class Body:
    stream: Callable[[], AsyncIterator[bytes]]
    length: int


class BodyWriter:
    def __init__(self) -> None:
        self._marker = f"@@media-{uuid.uuid4().hex}@@"
        self._media: list[tuple[Attachment, bool]] = []

    def media(self, attachment: Attachment, *, data_url: bool = True) -> str:
        """A stand-in for the file's `data:<mime>;base64,...` URL (or bare base64)."""
        self._media.append((attachment, data_url))
        return f"{self._marker}{len(self._media) - 1}{self._marker}"

    def finish(self, payload: dict[str, Any]) -> Body:
        pieces = json.dumps(payload).split(self._marker)  # text, index, text, index, ..., text
        media = self._media
        length = sum(len(piece.encode()) for piece in pieces[::2]) + sum(
            len(_prefix(a, url)) + 4 * ((a.size + 2) // 3) for a, url in media
        )

        async def stream() -> AsyncIterator[bytes]:
            for position, piece in enumerate(pieces):
                if position % 2 == 0:
                    yield piece.encode()
                    continue
                attachment, url = media[int(piece)]
                yield _prefix(attachment, url)
                for chunk in attachment.base64_chunks():
                    yield chunk
                    await asyncio.sleep(0)  # let Slack's acknowledgements through between pieces

        return Body(stream, length)


def _prefix(attachment: Attachment, data_url: bool) -> bytes:
    return f"data:{attachment.mime};base64,".encode() if data_url else b""
