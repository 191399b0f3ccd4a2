"""Stories of people using the slash command."""

from __future__ import annotations

import asyncio
import json
import time

from tests.conftest import World
from tests.emulators.reka import Reply


async def test_the_command_posts_the_question_and_answers_in_its_thread(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Use a spreadsheet."), Reply("Columns for date and amount.")]

    started = time.monotonic()
    status, body = await world.bot.slash_command("How do I track expenses?", world.slack.response_url)
    assert status == 200 and time.monotonic() - started < 3  # Slack's 3 seconds
    assert body == ""  # the question is posted visibly instead of an ephemeral echo

    posted = await world.slack.wait_for_bot_post("C1")
    assert posted["text"] == "<@U1> asked: How do I track expenses?"
    replies = await world.slack.wait_for_replies("C1", posted["ts"])
    assert replies[0]["markdown_text"] == "Use a spreadsheet."
    [(role, parts)] = world.reka.received[-1].messages
    assert (role, parts[0].text) == ("user", "How do I track expenses?")

    # People follow up by mentioning the bot in that thread.
    follow_up = await world.mention("which columns?", thread_ts=posted["ts"], user="U2")
    await world.answer_to(follow_up, count=2)
    request = world.reka.received[-1]
    assert [role for role, _ in request.messages] == ["user", "assistant", "user"]
    assert "How do I track expenses?" in (request.messages[0][1][0].text or "")


async def test_an_empty_command_or_help_explains_the_bot_privately(world: World) -> None:
    await world.start_bot()
    for text in ("", "help"):
        status, body = await world.bot.slash_command(text, world.slack.response_url)
        assert status == 200
        reply = json.loads(body)
        assert reply["response_type"] == "ephemeral"
        assert "/reka your question" in reply["text"]
    assert world.slack.called("chat.postMessage") == []


async def test_a_channel_the_bot_cannot_post_in_gets_a_private_explanation(world: World) -> None:
    await world.start_bot()
    world.slack.refuse["chat.postMessage"] = "not_in_channel"

    status, _ = await world.bot.slash_command("hello?", world.slack.response_url, channel="G9")

    assert status == 200
    for _ in range(200):
        if world.slack.responses:
            break
        await asyncio.sleep(0.02)
    [response] = world.slack.responses
    assert response["response_type"] == "ephemeral"
    assert "not_in_channel" in response["text"] and "/invite" in response["text"]
    assert world.reka.attempts == 0
