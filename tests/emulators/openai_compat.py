"""A local emulator of an OpenAI-compatible chat-completions server (`POST
/v1/chat/completions`, `GET /v1/models`), as vLLM, Ollama or Reka's own compatible
endpoint serve it.

Each content part is checked against the `openai` SDK's request types (text, image_url,
input_audio, file), plus vLLM's `video_url`; every data URL or base64 payload must
decode. Answers stream as `chat.completion.chunk` events that the SDK's own
`ChatCompletionChunk` model accepts, ending with usage and `data: [DONE]`.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import web
from openai.types.chat import ChatCompletionChunk, ChatCompletionContentPartParam
from pydantic import TypeAdapter, ValidationError

from tests.emulators.reka import (
    Part,
    Received,
    Reply,
    Script,
    _cuts,
    decode_data_url,
    next_step,
)
from tests.emulators.server import LocalServer

API_KEY = "sk-local-test-0123456789abcdef"

_PART = TypeAdapter[Any](ChatCompletionContentPartParam)


class OpenAICompatibleEmulator(LocalServer):
    """`api_key=None` serves without a key, as a local Ollama or llama.cpp server does."""

    max_body = 512 * 1024 * 1024

    def __init__(
        self, api_key: str | None = API_KEY, models: tuple[str, ...] = ("llava", "qwen2.5-vl")
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = models
        self.script: list[Script] = []
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.attempts = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)

    async def start(self) -> None:
        await super().start()
        self.base += "/v1"

    def _authorized(self, request: web.Request) -> bool:
        return self.api_key is None or request.headers.get("Authorization") == f"Bearer {self.api_key}"

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        return web.json_response(
            {"error": {"message": message, "type": "invalid_request_error"}}, status=status
        )

    async def _models(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(401, "Incorrect API key provided")
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "local"} for m in self.models]
        return web.json_response({"object": "list", "data": data})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.attempts += 1
        if not self._authorized(request):
            return self._error(401, "Incorrect API key provided")
        try:
            body = json.loads(await request.read())
            received = _check(body)
        except ValueError as err:
            self.rejected.append(str(err))
            return self._error(400, str(err))
        step = await next_step(self.script, received, self.received)
        if isinstance(step, web.Response):
            return step
        usage = {"prompt_tokens": step.input_tokens, "completion_tokens": len(step.text.split())}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if not received.stream:
            message = {"role": "assistant", "content": step.text}
            choice = {"index": 0, "message": message, "finish_reason": step.finish_reason}
            return web.json_response(
                {"id": "cmpl-emulated", "object": "chat.completion", "choices": [choice], "usage": usage}
            )
        return await _stream(
            request, step, usage if (body.get("stream_options") or {}).get("include_usage") else None
        )


def _chunk(delta: dict[str, Any], finish_reason: str | None, usage: dict[str, int] | None = None) -> bytes:
    event = {
        "id": "chatcmpl-emulated",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "emulated",
        "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        "usage": usage,
    }
    ChatCompletionChunk.model_validate(event)  # the shape the SDK reads
    return f"data: {json.dumps(event)}\n\n".encode()


async def _stream(request: web.Request, step: Reply, usage: dict[str, int] | None) -> web.StreamResponse:
    """Deltas (new text only), then the finish reason, usage and `[DONE]`."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    if step.reasoning:
        await response.write(_chunk({"role": "assistant", "reasoning_content": step.reasoning}, None))
    shown = 0
    cuts = _cuts(step.text, step.pieces)
    for number, cut in enumerate(cuts, start=1):
        if step.break_after is not None and number > step.break_after:
            assert request.transport is not None
            request.transport.abort()
            return response
        last = number == len(cuts)
        await response.write(_chunk({"content": step.text[shown:cut]}, step.finish_reason if last else None))
        shown = cut
    if usage is not None:
        await response.write(_chunk({}, None, usage))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def _check(body: Any) -> Received:
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise ValueError("model is required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list")
    out: list[tuple[str, list[Part]]] = []
    system = None
    for index, message in enumerate(messages):
        role, content = message.get("role"), message.get("content")
        if role == "system" and index == 0 and isinstance(content, str):
            system = content
            continue
        if role not in ("user", "assistant"):
            raise ValueError(f"bad role {role!r} at {index}")
        if isinstance(content, str):
            out.append((role, [Part("text", text=content)]))
            continue
        if role == "assistant" or not isinstance(content, list):
            raise ValueError(f"message {index}: assistant content must be a string")
        out.append((role, [_check_part(part) for part in content]))
    roles = [role for role, _ in out]
    if roles[-1] != "user" or any(a == b for a, b in itertools.pairwise(roles)):
        raise ValueError(f"roles must alternate and end with user: {roles}")
    return Received(body["model"], bool(body.get("stream")), out, body, system)


def _check_part(part: Any) -> Part:
    kind = part.get("type") if isinstance(part, dict) else None
    if kind == "video_url":  # vLLM's extension, not in the SDK's types
        url = (part.get("video_url") or {}).get("url")
        return decode_data_url(kind, url, "video/")
    try:
        _PART.validate_python(part)
    except ValidationError as err:
        raise ValueError(f"not an OpenAI content part: {err}") from None
    if kind == "text":
        return Part("text", text=part["text"])
    if kind == "image_url":
        return decode_data_url(kind, part["image_url"]["url"], "image/")
    if kind == "input_audio":
        audio = part["input_audio"]
        return decode_data_url(kind, f"data:audio/{audio['format']};base64,{audio['data']}", "audio/")
    if kind == "file":
        return decode_data_url(kind, part["file"].get("file_data"), "application/pdf")
    raise ValueError(f"unknown part type {kind!r}")
