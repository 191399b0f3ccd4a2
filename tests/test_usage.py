"""Stories of admins checking what answers cost: each answer's token usage, as the model
reported it, totalled by channel and by user."""

from __future__ import annotations

from tests.conftest import World, wait_for
from tests.emulators.reka import Reply
from tests.redis_server import RedisServer


async def usage_report(world: World, text: str = "usage", user: str = "U1") -> str:
    before = len(world.slack.responses)
    status, _ = await world.bot.slash_command(text, world.slack.response_url, user=user)
    assert status == 200
    await wait_for(lambda: len(world.slack.responses) > before)
    response = world.slack.responses[-1]
    assert response["response_type"] == "ephemeral"
    return str(response["text"])


async def test_usage_totals_match_what_the_model_reported(world: World) -> None:
    await world.start_bot()
    await three_answers_and_their_report(world)


async def test_usage_totals_on_redis_shared_by_replicas(world: World, redis_server: RedisServer) -> None:
    await world.start_bot(REDIS_URL=redis_server.url)
    await three_answers_and_their_report(world)


async def three_answers_and_their_report(world: World) -> None:
    assert await usage_report(world) == "No answers in the last 30 days."
    world.reka.script = [
        Reply("one two three", input_tokens=100),  # U1 in C1
        Reply("four five", input_tokens=250),  # U2 in C1
        Reply("six", input_tokens=40),  # U1 in C2
    ]
    for text, channel, user in (("a?", "C1", "U1"), ("b?", "C1", "U2"), ("c?", "C2", "U1")):
        question = await world.mention(text, channel=channel, user=user)
        await world.answer_to(question, channel=channel)

    report = await usage_report(world, "usage 7")

    assert (
        report.splitlines()[0] == "*Usage in the last 7 days*: 3 answers, 390 input tokens, 6 output tokens."
    )
    assert "• <#C1>: 2 answers, 350 in, 5 out" in report
    assert "• <#C2>: 1 answer, 40 in, 1 out" in report
    assert "• <@U2>: 1 answer, 250 in, 2 out" in report
    assert "• <@U1>: 2 answers, 140 in, 4 out" in report
    assert "• `reka-flash`: 3 answers, 390 in, 6 out" in report


async def test_only_admins_see_usage(world: World) -> None:
    await world.start_bot()
    report = await usage_report(world, user="U2")
    assert report.startswith("Only workspace admins can change my settings or see usage.")


async def test_usage_totals_that_cannot_be_read_say_so(world: World, redis_server: RedisServer) -> None:
    await world.start_bot(REDIS_URL=redis_server.url)
    await redis_server.stop()

    report = await usage_report(world)

    assert report == ":warning: I couldn't read the usage totals just now. Please try again in a moment."
