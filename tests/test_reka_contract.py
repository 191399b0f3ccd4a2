"""The Reka emulator and the bot agree with Reka's official SDK (`reka-api`)."""

from __future__ import annotations

import itertools
from typing import Any

from reka.client import AsyncReka
from reka.types import ChatMessage

from tests import samples
from tests.conftest import World
from tests.emulators.reka import API_KEY, Reply


async def test_the_sdk_sends_the_bots_own_request_and_reads_the_answers(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("first"), Reply("Hello there, friend.", pieces=4), Reply("plain")]
    files = [
        world.slack.add_file("a.jpg", samples.image(), "image/jpeg"),
        world.slack.add_file("b.pdf", samples.pdf(), "application/pdf"),
    ]
    question = await world.mention("describe", files=files)
    await world.answer_to(question)
    sent: list[dict[str, Any]] = world.reka.received[-1].body["messages"]

    sdk = AsyncReka(base_url=world.reka.base, api_key=API_KEY)
    messages = [ChatMessage.parse_obj(m) for m in sent]  # the SDK's types accept what the bot sends
    chunks = [c async for c in sdk.chat.create_stream(messages=messages, model="reka-flash")]
    response = await sdk.chat.create(messages=messages, model="reka-flash")

    texts = [str(c.responses[0].chunk.content) for c in chunks]
    assert len(texts) == 4 and texts[-1] == "Hello there, friend."
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))  # cumulative
    assert chunks[-1].responses[0].finish_reason == "stop"
    assert response.responses[0].message.content == "plain"
    system, question = sent
    assert system["role"] == "system" and isinstance(system["content"], str)
    assert [part["type"] for part in question["content"]] == ["image_url", "pdf_url", "text"]
