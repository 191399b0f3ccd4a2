"""Stories of people writing to the bot in its direct messages."""

from __future__ import annotations

import asyncio

from tests import samples
from tests.conftest import World, message_event
from tests.emulators.reka import Reply
from tests.emulators.slack import BOT_ID, BOT_USER


async def test_a_dm_with_a_file_is_answered_in_its_thread_without_a_mention(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("A sine tone at 440 Hz.")]
    voice = world.slack.add_file("memo.wav", samples.wav(), "audio/wav")

    question = await world.direct_message("what do you hear?", files=[voice])

    assert await world.answer_to(question, channel="D1") == "A sine tone at 440 Hz."
    assert world.slack.bot_replies("D1", question["ts"])[0]["thread_ts"] == question["ts"]
    [(_, parts)] = world.reka.received[-1].messages
    assert [(p.type, p.mime) for p in parts] == [("audio_url", "audio/wav"), ("text", None)]


async def test_a_reply_in_the_dm_thread_continues_the_conversation(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Paris."), Reply("About 2 million.")]
    first = await world.direct_message("Capital of France?")
    await world.answer_to(first, channel="D1")

    follow_up = await world.direct_message("Population?", thread_ts=first["ts"])

    assert await world.answer_to(follow_up, channel="D1", count=2) == "Paris.\n\nAbout 2 million."
    request = world.reka.received[-1]
    assert [(role, parts[0].text) for role, parts in request.messages] == [
        ("user", "Capital of France?"),
        ("assistant", "Paris."),
        ("user", "Population?"),
    ]


async def test_edits_deletions_and_the_bots_own_posts_are_not_answered(world: World) -> None:
    await world.start_bot()
    original = world.slack.post("D1", "hello", user="U1")
    events = [
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D1",
            "channel_type": "im",
            "ts": world.slack.next_ts(),
            "message": {**original, "text": "hello!"},
            "previous_message": original,
        },
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "D1",
            "channel_type": "im",
            "ts": world.slack.next_ts(),
            "deleted_ts": original["ts"],
            "previous_message": original,
        },
        message_event("D1", world.slack.post("D1", "an answer", user=BOT_USER, bot_id=BOT_ID)),
        message_event("D1", world.slack.post("D1", "ping", user=None, subtype="bot_message", bot_id="BX")),
    ]

    for event in events:
        status, _ = await world.bot.send_event(event)
        assert status == 200

    await asyncio.sleep(1.0)
    assert world.slack.called("chat.postMessage") == []
    assert world.reka.attempts == 0
