"""A local emulator of Reka's native chat API (`POST /v1/chat`).

It checks every request against the official SDK's types (`reka-api`) and stricter rules
of its own (data URLs that decode, media of the kind the part names), records what it
received, and answers as the test scripts it: a streamed answer, an error, or silence.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import filetype
from aiohttp import web
from reka.core.pydantic_utilities import pydantic_v1
from reka.types import ChatMessage

from tests.emulators.server import LocalServer

API_KEY = "reka-test-key-abcdef0123456789"

_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>[A-Za-z0-9+/]*={0,2})$")
_MEDIA_FIELDS = ("image_url", "video_url", "audio_url", "pdf_url")
_KIND_OF_FIELD = {
    "image_url": "image/",
    "video_url": "video/",
    "audio_url": "audio/",
    "pdf_url": "application/pdf",
}


@dataclass
class Part:
    type: str
    text: str | None = None
    mime: str | None = None  # as the data URL declares it
    sniffed: str | None = None  # as its bytes show
    size: int = 0
    data: bytes = field(default=b"", repr=False)


@dataclass
class Received:
    """One valid request, reduced to what tests look at."""

    model: str
    stream: bool
    messages: list[tuple[str, list[Part]]]  # the conversation, without the system prompt
    body: dict[str, Any] = field(repr=False)
    system: str | None = None

    def media(self) -> list[Part]:
        return [p for _, parts in self.messages for p in parts if p.type != "text"]

    def text(self) -> str:
        return "\n".join(p.text or "" for _, parts in self.messages for p in parts if p.type == "text")


@dataclass
class Reply:
    """Stream `text` back in `pieces` cumulative events, `gap` seconds apart."""

    text: str
    pieces: int = 3
    gap: float = 0.0
    finish_reason: str = "stop"
    stall_after: int | None = None  # stop sending (without closing) after this many events
    break_after: int | None = None  # drop the connection after this many events
    input_tokens: int = 10  # the usage reported (output: one token per word)
    reasoning: str = ""  # OpenAI-compatible servers only: sent before the text as reasoning_content


@dataclass
class Fail:
    status: int
    body: dict[str, Any] | str = field(default_factory=lambda: {"detail": "error"})
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Silence:
    """Accept the request and say nothing for `seconds`."""

    seconds: float


Script = Reply | Fail | Silence


async def next_step(script: list[Script], received: Received, log: list[Received]) -> Reply | web.Response:
    """What the script says to a valid request: a failure's response, or the reply to send
    (after the silence it asks for). Requests answered are added to `log`."""
    step = script.pop(0) if script else Reply(_describe(received))
    if isinstance(step, Fail):
        if isinstance(step.body, str):
            return web.Response(status=step.status, text=step.body, headers=step.headers)
        return web.json_response(step.body, status=step.status, headers=step.headers)
    log.append(received)
    if isinstance(step, Silence):
        await asyncio.sleep(step.seconds)
        return Reply("Too late.")
    return step


class RekaEmulator(LocalServer):
    """`check=False` only drains and counts request bodies (for benchmarks of large ones).
    `base` is the API base URL, ending in `/v1`."""

    max_body = 512 * 1024 * 1024

    def __init__(self, check: bool = True) -> None:
        super().__init__()
        self.check = check
        self.framing: list[str] = []  # each request's Content-Length, or "chunked"
        self.body_bytes: list[int] = []
        self.script: list[Script] = []
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.attempts = 0

    models = ("reka-core", "reka-flash", "reka-flash-3", "reka-edge")

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat", self._chat)
        app.router.add_get("/v1/models", self._models)

    async def _models(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Api-Key") != API_KEY:
            return web.json_response({"detail": "Invalid API key"}, status=401)
        return web.json_response([{"id": name} for name in self.models])

    async def start(self) -> None:
        await super().start()
        self.base += "/v1"

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.attempts += 1
        self.framing.append(
            "chunked"
            if request.headers.get("Transfer-Encoding") == "chunked"
            else request.headers["Content-Length"]
        )
        if request.headers.get("X-Api-Key") != API_KEY:
            return web.json_response({"detail": "Invalid API key"}, status=401)
        if not self.check:
            size = 0
            async for chunk in request.content.iter_any():
                size += len(chunk)
            self.body_bytes.append(size)
            reply = self.script.pop(0) if self.script else Reply("Seen.")
            assert isinstance(reply, Reply), "check=False answers with replies only"
            return await _stream(request, reply)
        try:
            raw = await request.read()
            self.body_bytes.append(len(raw))
            body = json.loads(raw)
            received = _check(body)
        except ValueError as err:
            self.rejected.append(str(err))
            return web.json_response(
                {"detail": [{"loc": ["body"], "msg": str(err), "type": "value_error"}]}, status=422
            )
        step = await next_step(self.script, received, self.received)
        if isinstance(step, web.Response):
            return step
        if not received.stream:
            return web.json_response(_response(step, step.text, step.finish_reason, done=True))
        return await _stream(request, step)


async def _stream(request: web.Request, step: Reply) -> web.StreamResponse:
    """Send `step` as server-sent events with cumulative content, as Reka streams."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    cuts = _cuts(step.text, step.pieces)
    for number, cut in enumerate(cuts, start=1):
        if step.stall_after is not None and number > step.stall_after:
            await asyncio.sleep(3600)
        if step.break_after is not None and number > step.break_after:
            assert request.transport is not None
            request.transport.abort()  # the connection drops mid-answer
            return response
        last = number == len(cuts)
        event = _response(step, step.text[:cut], step.finish_reason if last else None, done=False)
        await response.write(f"event: message\ndata: {json.dumps(event)}\n\n".encode())
        if step.gap:
            await asyncio.sleep(step.gap)
    await response.write_eof()
    return response


def _cuts(text: str, pieces: int) -> list[int]:
    pieces = max(1, min(pieces, len(text)))
    return [round(len(text) * (i + 1) / pieces) for i in range(pieces)]


def _response(step: Reply, text: str, finish_reason: str | None, done: bool) -> dict[str, Any]:
    key = "message" if done else "chunk"
    return {
        "id": "chat-emulated",
        "model": "reka-flash-20240904",
        "responses": [{key: {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {"input_tokens": step.input_tokens, "output_tokens": len(text.split())},
    }


def _check(body: Any) -> Received:
    """Validate with the SDK's types, then with the API's rules the types leave loose."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise ValueError("model is required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list")
    out: list[tuple[str, list[Part]]] = []
    for message in messages:
        try:
            ChatMessage.parse_obj(message)
        except pydantic_v1.ValidationError as err:
            raise ValueError(f"not a reka ChatMessage: {err}") from None
        role = message["role"]
        if role not in ("user", "assistant", "system"):
            raise ValueError(f"bad role {role!r}")
        content = message["content"]
        if isinstance(content, str):
            out.append((role, [Part("text", text=content)]))
            continue
        out.append((role, [_check_part(part) for part in content]))
    system = None
    if out and out[0][0] == "system":
        system = "\n".join(p.text or "" for p in out.pop(0)[1])
    roles = [role for role, _ in out]
    if "system" in roles:
        raise ValueError("a system message may only come first")
    if roles[-1] != "user" or any(a == b for a, b in itertools.pairwise(roles)):
        raise ValueError(f"roles must alternate and end with user: {roles}")
    return Received(body["model"], bool(body.get("stream")), out, body, system)


def _check_part(part: Any) -> Part:
    kind = part.get("type")
    if kind == "text":
        if not isinstance(part.get("text"), str):
            raise ValueError("text part without text")
        return Part("text", text=part["text"])
    if kind not in _MEDIA_FIELDS:
        raise ValueError(f"unknown part type {kind!r}")
    present = [name for name in _MEDIA_FIELDS if part.get(name) is not None]
    if present != [kind] or not isinstance(part[kind], str):
        raise ValueError(f"a {kind} part must set exactly the string field {kind}, not {present}")
    return decode_data_url(kind, part[kind], _KIND_OF_FIELD[kind])


def decode_data_url(kind: str, url: Any, expected: str) -> Part:
    """A `data:<mime>;base64,...` URL that must decode and declare a MIME type starting
    with `expected`, as the part `kind` received it."""
    match = _DATA_URL.match(url) if isinstance(url, str) else None
    if match is None:
        raise ValueError(f"{kind} is not a base64 data URL")
    try:
        data = base64.b64decode(match["data"], validate=True)
    except binascii.Error:
        raise ValueError(f"{kind} has broken base64") from None
    if not match["mime"].startswith(expected):
        raise ValueError(f"{kind} carries {match['mime']}")
    guess = filetype.guess(data[:8192])
    return Part(kind, mime=match["mime"], sniffed=guess.mime if guess else None, size=len(data), data=data)


def _describe(received: Received) -> str:
    """The default answer: what the model was given, so tests can see it arrived."""
    last = received.messages[-1][1]
    kinds = ", ".join(f"{p.type}:{p.mime}" for p in last if p.type != "text") or "no media"
    return f"I received {len(received.messages)} turn(s); the last has {kinds}."
