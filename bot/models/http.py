"""One streamed POST to a model API, retried while nothing has been written.

Retries 408, 409, 429, 5xx and lost connections with backoff that honours `retry-after`,
within a bounded time; a stream that has produced text is never retried. HTTP errors
become `bot.failures`, with a short, secret-free reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from bot.conversation import Turn
from bot.failures import ModelAuthFailed, ModelBrokeOff, ModelRejected, ModelTimedOut, ModelUnavailable
from bot.models.base import Chunk
from bot.models.body import Body
from bot.models.profiles import Profile

log = logging.getLogger(__name__)

_RETRYABLE = {408, 409, 429}


@dataclass(frozen=True)
class Wire:
    """One API shape: the path to post to, how the key goes, how the request is written
    and how the answer is read."""

    path: str
    auth: Callable[[str | None], dict[str, str]]
    request_body: Callable[[str, int, Sequence[Turn], str | None], Body]
    read_events: Callable[[aiohttp.ClientResponse], AsyncIterator[Chunk]]
    read_json: Callable[[dict[str, Any]], Chunk]


@dataclass(frozen=True)
class Endpoint:
    """Where and how to call: the URL, its headers, the wire shape, and how long to wait."""

    session: aiohttp.ClientSession
    url: str
    headers: dict[str, str]
    wire: Wire
    key_setting: str  # the setting to check when the key is refused, for the user's message
    silence_timeout: float
    retry_seconds: float


class HttpChat:
    """A streaming client for one profile's model, in its backend's wire shape."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        profile: Profile,
        wire: Wire,
        silence_timeout: float,
        retry_seconds: float,
    ) -> None:
        self._model = profile.model
        self._max_tokens = profile.max_tokens
        self._endpoint = Endpoint(
            session=session,
            url=profile.base_url.rstrip("/") + wire.path,
            headers=wire.auth(profile.api_key.get_secret_value() if profile.api_key else None),
            wire=wire,
            key_setting=profile.key_setting,
            silence_timeout=silence_timeout,
            retry_seconds=retry_seconds,
        )

    @property
    def model(self) -> str:
        return self._model

    async def stream(self, turns: Sequence[Turn], system: str | None = None) -> AsyncIterator[Chunk]:
        body = self._endpoint.wire.request_body(self._model, self._max_tokens, turns, system)
        async for chunk in stream(self._endpoint, body):
            yield chunk


class _Retry(Exception):
    def __init__(self, what: str, retry_after: float | None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


async def stream(endpoint: Endpoint, body: Body) -> AsyncIterator[Chunk]:
    """Yield the answer as it is written."""
    deadline = time.monotonic() + endpoint.retry_seconds
    attempt = 0
    while True:
        produced = False
        try:
            async for chunk in _attempt(endpoint, body):
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
                raise ModelUnavailable(retry.what, endpoint.retry_seconds) from None
            log.warning("model call failed (%s); retrying in %.1f s", retry.what, delay)
            attempt += 1
            await asyncio.sleep(delay)


async def _attempt(endpoint: Endpoint, body: Body) -> AsyncIterator[Chunk]:
    headers = {**endpoint.headers, "Content-Type": "application/json", "Content-Length": str(body.length)}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=endpoint.silence_timeout)
    try:
        async with endpoint.session.post(
            endpoint.url, data=body.stream(), headers=headers, timeout=timeout
        ) as resp:
            if resp.status != 200:
                await _raise_for(resp, endpoint.key_setting)
            if resp.content_type == "text/event-stream":
                async for chunk in endpoint.wire.read_events(resp):
                    yield chunk
            else:
                yield endpoint.wire.read_json(await resp.json())
    except TimeoutError:
        raise ModelTimedOut(endpoint.silence_timeout) from None
    except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
        raise _Retry(f"the connection was lost: {type(err).__name__}", None) from None


async def server_sent_data(resp: aiohttp.ClientResponse) -> AsyncIterator[dict[str, Any]]:
    """The JSON `data:` of each server-sent event, up to `[DONE]` or the end of the body."""
    async for raw in resp.content:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        if data:
            event = json.loads(data)
            if isinstance(event, dict):
                yield event


async def _raise_for(resp: aiohttp.ClientResponse, key_setting: str) -> None:
    text = await resp.text(errors="replace")
    if resp.status in _RETRYABLE or resp.status >= 500:
        raise _Retry(f"HTTP {resp.status}", _retry_after(resp.headers.get("retry-after")))
    if resp.status in (401, 403):
        raise ModelAuthFailed(key_setting)
    raise ModelRejected(resp.status, error_detail(text))


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


def error_detail(text: str) -> str:
    """A short, secret-free reason from an error body of any known shape (Reka's `detail`,
    `{"error": {"message"}}` of Reka's newer docs and of OpenAI-compatible servers)."""
    detail: Any = text
    try:
        payload = json.loads(text)
        if isinstance(payload, dict):
            error = payload.get("error")
            if isinstance(error, dict):
                detail = error.get("message", text)
            elif isinstance(error, str):
                detail = error
            else:
                detail = payload.get("detail", text)
    except ValueError:
        pass
    if isinstance(detail, list):
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    detail = re.sub(r"data:[^\s,;]+;base64,[A-Za-z0-9+/=]+", "data:…", str(detail))
    detail = " ".join(detail.split())
    return (detail[:200] + "…") if len(detail) > 200 else (detail or "no reason given")
