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


async def _read_events_placeholder() -> None: ...


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


# A reka profile always has a key (checked when the settings are read).
WIRE = http.Wire("/chat", lambda key: {"X-Api-Key": key or ""}, request_body, _read_events, _from_response)
