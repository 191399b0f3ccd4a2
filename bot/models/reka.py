"""Turns -> Reka's native chat request (`POST {base}/chat`) -> streamed answer text.

Retries 408, 409, 429 and 5xx with backoff that honours `retry-after`, within a bounded
time; a stream that has produced text is never retried. Errors become `bot.failures`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from bot.conversation import Turn
from bot.failures import (
    ModelAuthFailed,
    ModelBrokeOff,
    ModelRejected,
    ModelTimedOut,
    ModelUnavailable,
)
from bot.media import Attachment, Kind

log = logging.getLogger(__name__)

_RETRYABLE = {408, 409, 429}
_PART_TYPE = {
    Kind.IMAGE: "image_url",
    Kind.VIDEO: "video_url",
    Kind.AUDIO: "audio_url",
    Kind.PDF: "pdf_url",
}


@dataclass(frozen=True)
class Chunk:
    """New answer text, and once the model is done, why it stopped."""

    text: str
    finish_reason: str | None = None
    usage: dict[str, int] | None = None  # input_tokens, output_tokens, when the model says


class _Retry(Exception):
    def __init__(self, what: str, retry_after: float | None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


@dataclass(frozen=True)
class Body:
    """A request body written as a stream, whose length is known in advance."""

    stream: Callable[[], AsyncIterator[bytes]]
    length: int


def request_body(model: str, max_tokens: int, turns: Sequence[Turn]) -> Body:
    """The JSON request, as a factory of byte streams (one per attempt) and its exact length
    (so it goes with Content-Length, not chunked). Each file's base64 is written piece by
    piece straight into the stream: no copy of it is ever held whole."""
    marker = f"@@media-{uuid.uuid4().hex}@@"
    media: list[Attachment] = []
    messages = []
    for turn in turns:
        parts: list[dict[str, Any]] = []
        for attachment in turn.attachments:
            part_type = _PART_TYPE[attachment.kind]
            parts.append({"type": part_type, part_type: f"{marker}{len(media)}{marker}"})
            media.append(attachment)
        if turn.text or not parts:
            parts.append({"type": "text", "text": turn.text or "(no text)"})
        messages.append({"role": turn.role, "content": parts})
    skeleton = json.dumps({"model": model, "messages": messages, "max_tokens": max_tokens, "stream": True})
    pieces = skeleton.split(marker)  # text, index, text, index, ..., text
    length = sum(len(piece.encode()) for piece in pieces[::2]) + sum(
        len(_data_url_prefix(a)) + 4 * ((a.size + 2) // 3) for a in media
    )

    async def stream() -> AsyncIterator[bytes]:
        for position, piece in enumerate(pieces):
            if position % 2 == 0:
                yield piece.encode()
                continue
            attachment = media[int(piece)]
            yield _data_url_prefix(attachment)
            for chunk in attachment.base64_chunks():
                yield chunk
                await asyncio.sleep(0)  # let Slack's acknowledgements through between pieces

    return Body(stream, length)


def _data_url_prefix(attachment: Attachment) -> bytes:
    return f"data:{attachment.mime};base64,".encode()


class RekaChat:
    """A streaming client for Reka's native chat endpoint."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str,
        model: str,
        max_tokens: int,
        silence_timeout: float,
        retry_seconds: float,
    ) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + "/chat"
        self._api_key = api_key
        self._model = model
        self._max_tokens = max_tokens
        self._silence_timeout = silence_timeout
        self._retry_seconds = retry_seconds

    async def stream(self, turns: Sequence[Turn]) -> AsyncIterator[Chunk]:
        """Yield the answer as it is written."""
        body = request_body(self._model, self._max_tokens, turns)
        deadline = time.monotonic() + self._retry_seconds
        attempt = 0
        while True:
            produced = False
            try:
                async for chunk in self._attempt(body):
                    produced = produced or bool(chunk.text)
                    yield chunk
                return
            except _Retry as retry:
                if produced:  # text is on screen: going again would write it twice
                    raise ModelBrokeOff(retry.what) from None
                delay = retry.retry_after
                if delay is None:
                    delay = min(8.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)
                if time.monotonic() + delay > deadline:
                    raise ModelUnavailable(retry.what, self._retry_seconds) from None
                log.warning("model call failed (%s); retrying in %.1f s", retry.what, delay)
                attempt += 1
                await asyncio.sleep(delay)

    async def _attempt(self, body: Body) -> AsyncIterator[Chunk]:
        headers = {
            "X-Api-Key": self._api_key,
            "Content-Type": "application/json",
            "Content-Length": str(body.length),
        }
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=self._silence_timeout)
        try:
            async with self._session.post(
                self._url, data=body.stream(), headers=headers, timeout=timeout
            ) as resp:
                if resp.status != 200:
                    await self._raise_for(resp)
                if resp.content_type == "text/event-stream":
                    async for chunk in _read_events(resp):
                        yield chunk
                else:
                    yield _from_response(await resp.json())
        except TimeoutError:
            raise ModelTimedOut(self._silence_timeout) from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
            raise _Retry(f"the connection was lost: {type(err).__name__}", None) from None

    async def _raise_for(self, resp: aiohttp.ClientResponse) -> None:
        text = await resp.text(errors="replace")
        if resp.status in _RETRYABLE or resp.status >= 500:
            raise _Retry(f"HTTP {resp.status}", _retry_after(resp.headers.get("retry-after")))
        if resp.status in (401, 403):
            raise ModelAuthFailed()
        raise ModelRejected(resp.status, _error_detail(text))


async def _read_events(resp: aiohttp.ClientResponse) -> AsyncIterator[Chunk]:
    """Server-sent events whose `chunk.content` is the whole text so far."""
    shown = ""
    async for raw in resp.content:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if not data or data == "[DONE]":
            continue
        event = json.loads(data)
        response = (event.get("responses") or [{}])[0]
        content = str((response.get("chunk") or {}).get("content") or "")
        new = content[len(shown) :] if content.startswith(shown) else content
        shown = content if content.startswith(shown) else shown + content
        yield Chunk(new, response.get("finish_reason"), event.get("usage"))


def _from_response(payload: dict[str, Any]) -> Chunk:
    response = (payload.get("responses") or [{}])[0]
    content = (response.get("message") or {}).get("content") or ""
    return Chunk(str(content), response.get("finish_reason") or "stop", payload.get("usage"))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _error_detail(text: str) -> str:
    """A short, secret-free reason from an error body of any of Reka's known shapes."""
    detail: Any = text
    try:
        payload = json.loads(text)
        if isinstance(payload, dict):
            error = payload.get("error")
            detail = error.get("message") if isinstance(error, dict) else payload.get("detail", text)
    except ValueError:
        pass
    if isinstance(detail, list):
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    detail = re.sub(r"data:[^\s,;]+;base64,[A-Za-z0-9+/=]+", "data:…", str(detail))
    detail = " ".join(detail.split())
    return (detail[:200] + "…") if len(detail) > 200 else (detail or "no reason given")
