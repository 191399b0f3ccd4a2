"""Answers appear while they are written, and the thread shows that work is under way."""

from __future__ import annotations

import asyncio
from typing import Any

from tests import samples
from tests.conftest import World
from tests.emulators.reka import Fail, Reply

ANSWER = "The first point.\n\nThe second point, which takes a while.\n\nAnd a conclusion."


async def partial_message(world: World, thread_ts: str) -> dict[str, Any]:
    """The bot's reply as seen before the model has finished writing it."""
    async with asyncio.timeout(10):
        while True:
            for reply in world.slack.bot_replies("C1", thread_ts):
                text = reply.get("markdown_text") or ""
                if text and text != ANSWER:
                    return dict(reply)
            await asyncio.sleep(0.01)


async def test_the_answer_streams_into_a_slack_streaming_message(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply(ANSWER, pieces=6, gap=0.4)]

    question = await world.mention("explain")
    early = await partial_message(world, question["ts"])

    assert early["streaming"] and ANSWER.startswith(early["markdown_text"])
    [reply] = await world.slack.wait_for_replies("C1", question["ts"])
    assert reply["markdown_text"] == ANSWER  # complete, nothing repeated
    assert len(world.slack.called("chat.startStream")) == 1
    assert len(world.slack.called("chat.appendStream")) >= 2
    assert len(world.slack.called("chat.stopStream")) == 1
    start = world.slack.called("chat.startStream")[0]
    assert (start["recipient_user_id"], start["recipient_team_id"]) == ("U1", "T0001")


async def test_without_streaming_the_answer_is_posted_then_edited_as_it_grows(world: World) -> None:
    await world.start_bot()
    world.slack.streaming_enabled = False  # an older workspace
    world.reka.script = [Reply(ANSWER, pieces=10, gap=0.2), Reply("Second answer.", pieces=3, gap=0.1)]

    question = await world.mention("explain")
    early = await partial_message(world, question["ts"])

    assert "streaming" not in early and ANSWER.startswith(early["markdown_text"])
    [reply] = await world.slack.wait_for_replies("C1", question["ts"])
    assert reply["markdown_text"] == ANSWER
    updates = world.slack.called("chat.update")
    assert 1 <= len(updates) <= 6  # about 2 s of writing, at most one edit per half second
    assert len(world.slack.called("chat.startStream")) == 1

    # The refusal is remembered: the next answer goes straight to posting and editing.
    follow_up = await world.mention("more", thread_ts=question["ts"])
    await world.answer_to(follow_up, count=2)
    assert len(world.slack.called("chat.startStream")) == 1


async def test_a_stream_slack_timed_out_is_finished_by_editing_it(world: World) -> None:
    await world.start_bot()
    world.slack.stream_expires_after = 1
    world.reka.script = [Reply(ANSWER, pieces=6, gap=0.3)]

    question = await world.mention("explain")

    [reply] = await world.slack.wait_for_replies("C1", question["ts"])
    assert reply["markdown_text"] == ANSWER
    assert world.slack.called("chat.update")  # the fallback of python-slack-sdk #1859


async def test_the_status_says_what_the_bot_is_doing_and_clears(world: World) -> None:
    await world.start_bot()
    files = [
        world.slack.add_file("a.png", samples.image("PNG"), "image/png"),
        world.slack.add_file("b.pdf", samples.pdf(), "application/pdf"),
    ]

    question = await world.mention("compare", files=files)

    await world.answer_to(question)
    assert world.slack.status_of("C1", question["ts"]) == [
        "is reading the thread...",
        "is reading 2 files...",
        "is thinking...",
        "",
    ]
    assert world.slack.called("reactions.add") == []


async def test_the_status_clears_on_failure_too(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Fail(400, {"detail": "bad request"})]

    question = await world.mention("hi")

    assert "refused" in await world.answer_to(question)
    assert world.slack.status_of("C1", question["ts"])[-1] == ""


async def test_without_status_a_reaction_shows_work_and_is_removed(world: World) -> None:
    await world.start_bot()
    world.slack.status_enabled = False
    world.reka.script = [Reply("Done.", pieces=2, gap=0.5), Fail(401)]

    question = await world.mention("hi")
    async with asyncio.timeout(5):
        while not world.slack.reactions_left():
            await asyncio.sleep(0.01)
    assert world.slack.reactions_left() == [f"{question['ts']}:eyes"]

    assert await world.answer_to(question) == "Done."
    assert world.slack.reactions_left() == []

    failing = await world.mention("again", thread_ts=question["ts"])
    assert "API key" in await world.answer_to(failing, count=2)
    assert world.slack.reactions_left() == []


async def test_a_cut_off_answer_says_so(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("The list goes: one, two, thr", finish_reason="length")]

    question = await world.mention("list everything")

    answer = await world.answer_to(question)
    assert answer.startswith("The list goes: one, two, thr")
    assert "cut off at its length limit" in answer and "continue" in answer


async def test_markdown_goes_to_slack_as_markdown(world: World) -> None:
    await world.start_bot()
    markdown = (
        "# Plan\n\n**Bold** and _italic_, a [link](https://example.com).\n\n"
        "- one\n- two\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    world.reka.script = [Reply(markdown, pieces=4)]

    question = await world.mention("format it")

    [reply] = await world.slack.wait_for_replies("C1", question["ts"])
    assert reply["markdown_text"] == markdown  # Slack renders markdown_text itself
    calls = world.slack.called("chat.startStream") + world.slack.called("chat.appendStream")
    assert all("text" not in call for call in calls)


async def test_a_rate_limited_edit_waits_as_slack_asks_and_loses_nothing(world: World) -> None:
    await world.start_bot()
    world.slack.streaming_enabled = False
    world.slack.rate_limit["chat.update"] = 1
    world.reka.script = [Reply(ANSWER, pieces=5, gap=0.3)]

    question = await world.mention("explain")

    [reply] = await world.slack.wait_for_replies("C1", question["ts"])
    assert reply["markdown_text"] == ANSWER
    assert world.slack.rate_limit == {}  # the 429 was served
    first, second = [at for method, at in world.slack.call_times if method == "chat.update"][:2]
    assert second - first >= 1.0  # and Retry-After was honoured


async def test_a_long_code_block_streams_across_messages_and_stays_code(world: World) -> None:
    await world.start_bot()
    code = "```python\n" + "".join(f"value_{n} = compute({n})  # step {n}\n" for n in range(600)) + "```"
    answer = "Here is the script:\n\n" + code + "\n\nRun it with Python 3."
    world.reka.script = [Reply(answer, pieces=30)]

    question = await world.mention("write the script")

    replies = await world.slack.wait_for_replies("C1", question["ts"], count=2)
    texts = [r["markdown_text"] for r in replies]
    assert len(texts) >= 2 and all(len(t) <= 12_000 for t in texts)
    assert all(t.count("```") % 2 == 0 for t in texts)  # each message's code renders as code
    assert texts[1].startswith("```python\n")
    joined = "".join(texts)
    assert all(f"value_{n} = compute({n})" in joined for n in range(600))
    assert joined.count("value_599 = compute(599)") == 1
