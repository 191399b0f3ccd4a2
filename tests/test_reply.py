"""How answers land in Slack: whole, in order, within Slack's size limits."""

from __future__ import annotations

from bot.reply import split_markdown
from tests.conftest import World
from tests.emulators.reka import Reply


def test_pieces_fit_and_lose_nothing() -> None:
    paragraphs = [f"Paragraph {n}: " + "word " * 60 for n in range(200)]
    text = "\n\n".join(paragraphs)

    pieces = split_markdown(text, limit=2000)

    assert all(len(p) <= 2000 for p in pieces)
    assert " ".join("\n\n".join(pieces).split()) == " ".join(text.split())


def test_a_code_block_cut_in_two_is_closed_and_reopened() -> None:
    code = "```python\n" + "".join(f"print({n})\n" for n in range(400)) + "```"
    text = "Here is the code:\n\n" + code + "\n\nThat's all."

    pieces = split_markdown(text, limit=1000)

    assert len(pieces) > 2 and all(len(p) <= 1000 for p in pieces)
    for piece in pieces:
        assert piece.count("```") % 2 == 0, piece  # every piece renders its code as code
    assert pieces[1].startswith("```python\n")
    body = "".join(p.replace("```python\n", "").replace("\n```", "\n") for p in pieces)
    assert all(f"print({n})" in body for n in range(400))


async def test_a_50000_character_answer_arrives_whole(world: World) -> None:
    await world.start_bot()
    long_answer = "\n\n".join(f"Section {n}. " + "lorem ipsum " * 40 for n in range(100))
    assert len(long_answer) > 48_000
    world.reka.script = [Reply(long_answer, pieces=20)]

    question = await world.mention("write a lot")

    replies = await world.slack.wait_for_replies("C1", question["ts"], count=5)
    assert all(len(r["markdown_text"]) <= 12_000 for r in replies)
    assert "".join(r["markdown_text"] for r in replies) == long_answer  # nothing lost, nothing repeated
    assert all(r["markdown_text"].rstrip().endswith("lorem ipsum") for r in replies)  # cut at line ends


async def test_a_thread_the_bot_may_not_read_says_which_scope_is_missing(world: World) -> None:
    await world.start_bot()
    world.slack.scopes.discard("groups:history")

    question = await world.mention("hello", channel="G1")

    answer = await world.answer_to(question, channel="G1")
    assert "couldn't read this thread" in answer and "`groups:history`" in answer


async def test_slack_refusing_the_answer_still_ends_in_a_message(world: World) -> None:
    await world.start_bot()
    # Both ways of posting the answer fail once; the notice after them gets through.
    world.slack.refuse.update({"chat.startStream": "internal_error", "chat.postMessage": "internal_error"})

    question = await world.mention("hello")

    answer = await world.answer_to(question)
    assert answer.startswith(":warning: Something went wrong on my side while answering")
