"""Turns -> the OpenAI-compatible chat-completions request (`POST {base}/chat/completions`)
-> streamed answer text. Reka offers this shape too, and so do vLLM, Ollama, llama.cpp's
server and most hosted APIs.

Media parts: images as `image_url: {url}`, audio as `input_audio: {data, format}` (bare
base64), video as `video_url: {url}` (vLLM's extension), PDFs as `file: {filename,
file_data}`. Streamed deltas are read from `choices[0].delta` (`content`, and the
`reasoning_content` / `reasoning` some servers send apart), up to `data: [DONE]`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp

from bot.conversation import Turn
from bot.media import Attachment, Kind
from bot.models import http
from bot.models.base import Chunk, Usage
from bot.models.body import Body, BodyWriter

# input_audio's `format`, by the MIME type the audio's bytes show.
_AUDIO_FORMAT = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "audio/webm": "webm",
    "audio/aac": "aac",
}


def _part(writer: BodyWriter, attachment: Attachment) -> dict[str, Any]:
    if attachment.kind is Kind.IMAGE:
        return {"type": "image_url", "image_url": {"url": writer.media(attachment)}}
    if attachment.kind is Kind.AUDIO:
        audio_format = _AUDIO_FORMAT.get(attachment.mime or "", (attachment.mime or "wav").split("/")[-1])
        data = writer.media(attachment, data_url=False)
        return {"type": "input_audio", "input_audio": {"data": data, "format": audio_format}}
    if attachment.kind is Kind.VIDEO:
        return {"type": "video_url", "video_url": {"url": writer.media(attachment)}}
    if attachment.kind is Kind.PDF:
        return {"type": "file", "file": {"filename": attachment.name, "file_data": writer.media(attachment)}}
    raise ValueError(f"{attachment.kind} is not sent as media")


def request_body(model: str, max_tokens: int, turns: Sequence[Turn], system: str | None = None) -> Body:
    writer = BodyWriter()
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    for turn in turns:
        if turn.role == "assistant":  # assistant messages carry text only in this shape
            messages.append({"role": "assistant", "content": turn.text or "(no text)"})
            continue
        parts = [_part(writer, a) for a in turn.attachments]
        if turn.text or not parts:
            parts.append({"type": "text", "text": turn.text or "(no text)"})
        messages.append({"role": "user", "content": parts})
    return writer.finish(
        {
            "model": model,
            "messages": messages,
            "max_tokens": max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    )


async def _read_events_placeholder() -> None: ...


async def _read_events(resp: aiohttp.ClientResponse) -> AsyncIterator[Chunk]:
    """Each event's `choices[0].delta` is new text (a delta, unlike Reka's native stream);
    usage comes on the last event (with `stream_options.include_usage`)."""
    async for event in http.server_sent_data(resp):
        choice = (event.get("choices") or [{}])[0]
        delta = choice.get("delta") or {}
        reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
        yield Chunk(
            str(delta.get("content") or ""),
            choice.get("finish_reason"),
            _usage(event.get("usage")),
            reasoning,
        )


def _from_response(payload: dict[str, Any]) -> Chunk:
    choice = (payload.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    return Chunk(
        str(message.get("content") or ""),
        choice.get("finish_reason") or "stop",
        _usage(payload.get("usage")),
        str(message.get("reasoning_content") or ""),
    )


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0))


# Local servers often take no key: then no Authorization header is sent.
WIRE = http.Wire(
    "/chat/completions",
    lambda key: {"Authorization": f"Bearer {key}"} if key else {},
    request_body,
    _read_events,
    _from_response,
)
