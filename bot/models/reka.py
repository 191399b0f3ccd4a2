"""Turns -> Reka's native chat request (`POST {base}/chat`) -> streamed answer text."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp

from bot.conversation import Turn
from bot.media import Kind
from bot.models import http
from bot.models.base import Chunk, Usage
from bot.models.body import Body, BodyWriter
from bot.models.profiles import Profile

_PART_TYPE = {
    Kind.IMAGE: "image_url",
    Kind.VIDEO: "video_url",
    Kind.AUDIO: "audio_url",
    Kind.PDF: "pdf_url",
}


def request_body(model: str, max_tokens: int, turns: Sequence[Turn], system: str | None = None) -> Body:
    """Each part names its kind and carries the data URL as a plain string; media first."""
    writer = BodyWriter()
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    for turn in turns:
        parts: list[dict[str, Any]] = []
        for attachment in turn.attachments:
            part_type = _PART_TYPE[attachment.kind]
            parts.append({"type": part_type, part_type: writer.media(attachment)})
        if turn.text or not parts:
            parts.append({"type": "text", "text": turn.text or "(no text)"})
        messages.append({"role": turn.role, "content": parts})
    return writer.finish({"model": model, "messages": messages, "max_tokens": max_tokens, "stream": True})


class RekaChat:
    """A streaming client for Reka's native chat endpoint."""

    def __init__(
        self, session: aiohttp.ClientSession, profile: Profile, silence_timeout: float, retry_seconds: float
    ) -> None:
        self._model = profile.model
        self._max_tokens = profile.max_tokens
        key = profile.api_key.get_secret_value() if profile.api_key else None
        self._endpoint = http.Endpoint(
            session=session,
            url=profile.base_url.rstrip("/") + "/chat",
            headers={"X-Api-Key": key or ""},  # a reka profile always has a key (checked in config)
            key_setting=profile.key_setting,
            silence_timeout=silence_timeout,
            retry_seconds=retry_seconds,
            read_events=_read_events,
            read_json=_from_response,
        )

    @property
    def model(self) -> str:
        return self._model

    async def stream(self, turns: Sequence[Turn], system: str | None = None) -> AsyncIterator[Chunk]:
        body = request_body(self._model, self._max_tokens, turns, system)
        async for chunk in http.stream(self._endpoint, body):
            yield chunk


async def _read_events(resp: aiohttp.ClientResponse) -> AsyncIterator[Chunk]:
    """Server-sent events whose `chunk.content` is the whole text so far."""
    shown = ""
    async for event in http.server_sent_data(resp):
        response = (event.get("responses") or [{}])[0]
        content = str((response.get("chunk") or {}).get("content") or "")
        new = content[len(shown) :] if content.startswith(shown) else content
        shown = content if content.startswith(shown) else shown + content
        yield Chunk(new, response.get("finish_reason"), _usage(event.get("usage")))


def _from_response(payload: dict[str, Any]) -> Chunk:
    response = (payload.get("responses") or [{}])[0]
    content = (response.get("message") or {}).get("content") or ""
    return Chunk(str(content), response.get("finish_reason") or "stop", _usage(payload.get("usage")))


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(int(raw.get("input_tokens") or 0), int(raw.get("output_tokens") or 0))
