"""Many questions, replicas and deploys: nothing answered twice, nothing interleaved, nothing lost."""

from __future__ import annotations

import asyncio
import json
import signal

from tests import samples
from tests.conftest import World, app_mention, envelope
from tests.emulators.reka import Fail, Reply
from tests.emulators.slack import BOT_USER
from tests.redis_server import RedisServer


async def test_two_quick_questions_in_one_thread_are_answered_in_turn(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("First answer.", pieces=4, gap=0.3), Reply("Second answer.")]
    first = await world.mention("first question")
    second = await world.mention("second question", thread_ts=first["ts"])

    replies = await world.slack.wait_for_replies("C1", first["ts"], count=2)

    assert [r["markdown_text"] for r in replies] == ["First answer.", "Second answer."]
    # The second answer was started after the first was written, and knew it.
    later = world.reka.received[1]
    assert [role for role, _ in later.messages] == ["user", "assistant", "user"]
    assert later.messages[1][1][0].text == "First answer."
    assert second


async def test_beyond_the_limit_questions_wait_their_turn_and_say_so(world: World) -> None:
    await world.start_bot(MAX_CONCURRENT_ANSWERS="1")
    world.reka.script = [Reply("One.", pieces=3, gap=0.4), Reply("Two.")]
    first = await world.mention("first", channel="C1")
    second = await world.mention("second", channel="C2")

    assert await world.answer_to(first, channel="C1") == "One."
    assert await world.answer_to(second, channel="C2") == "Two."
    assert world.slack.status_of("C2", second["ts"])[0] == "is queued behind other questions..."


async def test_sigterm_lets_the_answer_in_flight_finish(world: World) -> None:
    bot = await world.start_bot(SHUTDOWN_GRACE_SECONDS="10")
    world.reka.script = [Reply("A complete answer.", pieces=4, gap=0.5)]
    question = await world.mention("slow one")
    async with asyncio.timeout(5):
        while not world.reka.received:
            await asyncio.sleep(0.02)
    assert bot.process is not None and bot.http is not None

    bot.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.2)
    async with bot.http.get(f"{bot.url}/healthz") as health:
        assert health.status == 503  # the load balancer stops sending work here
    late = world.slack.post("C1", f"<@{BOT_USER}> too late", user="U1")
    status, _ = await bot.send_event(app_mention("C1", late))
    assert status == 503  # Slack retries it, on another replica

    assert await world.answer_to(question) == "A complete answer."
    async with asyncio.timeout(15):
        assert await bot.process.wait() == 0


async def test_an_answer_cut_by_the_deploy_tells_the_thread_to_ask_again(world: World) -> None:
    bot = await world.start_bot(SHUTDOWN_GRACE_SECONDS="1")
    world.reka.script = [Reply("The beginning, and then the rest.", pieces=2, stall_after=1)]
    question = await world.mention("a long one")
    async with asyncio.timeout(5):
        while not world.slack.bot_replies("C1", question["ts"]):
            await asyncio.sleep(0.02)
    assert bot.process is not None

    bot.process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(15):
        assert await bot.process.wait() == 0

    texts = [r.get("markdown_text") or r["text"] for r in world.slack.bot_replies("C1", question["ts"])]
    assert texts[0] and "The beginning, and then the rest.".startswith(texts[0])  # what was written stays
    assert texts[-1] == ":warning: I was restarted before I could finish this answer. Please ask again."


async def test_two_replicas_sharing_redis_answer_each_question_once(
    world: World, redis_server: RedisServer
) -> None:
    replicas = [await world.start_bot(REDIS_URL=redis_server.url) for _ in range(2)]
    questions = [world.slack.post(f"C{n}", f"<@{BOT_USER}> question {n}", user="U1") for n in range(10)]
    world.reka.script = [Reply(f"answer {n}", pieces=2, gap=0.1) for n in range(10)]

    deliveries = []
    for n, message in enumerate(questions):
        body = envelope(app_mention(f"C{n}", message), f"EvR{n}")
        for attempt, replica in enumerate([*replicas, replicas[n % 2]]):  # the first try and 2 retries
            deliveries.append(
                replica.post(
                    json.dumps(body).encode(),
                    "application/json",
                    headers={"X-Slack-Retry-Num": str(attempt)} if attempt else None,
                )
            )
    statuses = await asyncio.gather(*deliveries)

    assert {status for status, _ in statuses} == {200}
    for n, message in enumerate(questions):
        replies = await world.slack.wait_for_replies(f"C{n}", message["ts"], settle=0.5)
        assert len(replies) == 1
    assert world.reka.attempts == 10


async def test_redis_going_away_does_not_stop_the_bot(world: World, redis_server: RedisServer) -> None:
    bot = await world.start_bot(REDIS_URL=redis_server.url)
    first = await world.mention("before")
    assert await world.answer_to(first)

    await redis_server.stop()
    second = await world.mention("after Redis stopped", channel="C2")

    assert await world.answer_to(second, channel="C2")  # answered from this replica's view
    assert bot.process is not None and bot.process.returncode is None
    assert "Redis is unreachable" in bot.log()


async def test_replicas_sharing_a_sqlite_file_also_answer_once(world: World) -> None:
    replicas = [await world.start_bot() for _ in range(2)]  # same STATE_PATH
    world.reka.script = [Reply("once", pieces=2, gap=0.2)]
    message = world.slack.post("C1", f"<@{BOT_USER}> hi", user="U1")
    body = json.dumps(envelope(app_mention("C1", message), "EvSQL")).encode()

    await asyncio.gather(*(replica.post(body, "application/json") for replica in replicas))

    replies = await world.slack.wait_for_replies("C1", message["ts"], settle=1.0)
    assert [r["markdown_text"] for r in replies] == ["once"]


async def test_rate_limits_answer_with_a_friendly_message(world: World) -> None:
    await world.start_bot(RATE_LIMIT_PER_USER="2", RATE_LIMIT_PER_CHANNEL="3")
    for n in range(2):
        question = await world.mention(f"question {n}", channel=f"C{n}", user="U1")
        assert not (await world.answer_to(question, channel=f"C{n}")).startswith(":hourglass:")

    third = await world.mention("one more", channel="C9", user="U1")
    assert await world.answer_to(third, channel="C9") == (
        ":hourglass: You reached the limit of 2 questions in 60 minutes. Please ask again a little later."
    )
    for user in ("U2", "U3", "U2"):  # others in one channel: the channel's limit is 3
        question = await world.mention(f"hello from {user}", channel="C7", user=user)
        await world.slack.wait_for_replies("C7", question["ts"])
    fourth = await world.mention("and me?", channel="C7", user="U3")
    replies = await world.slack.wait_for_replies("C7", fourth["ts"])
    assert replies[-1]["text"].startswith(":hourglass: This channel reached the limit of 3 questions")
    assert world.reka.attempts == 5


async def test_metrics_count_answers_failures_files_and_tokens(world: World) -> None:
    bot = await world.start_bot()
    world.reka.script = [Reply("three words here"), Fail(401)]
    photo = world.slack.add_file("a.png", samples.image("PNG"), "image/png")
    first = await world.mention("look", files=[photo])
    await world.answer_to(first)
    second = await world.mention("again", channel="C2")
    await world.answer_to(second, channel="C2")
    assert bot.http is not None

    async with bot.http.get(f"{bot.url}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()

    values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert float(values['bot_answers_total{outcome="answered"}']) == 1
    assert float(values['bot_answers_total{outcome="failed"}']) == 1
    assert float(values['bot_failures_total{kind="ModelAuthFailed"}']) == 1
    assert float(values['bot_files_total{kind="image"}']) == 1
    assert float(values['bot_file_bytes_total{kind="image"}']) == len(samples.image("PNG"))
    assert float(values['bot_model_tokens_total{direction="output"}']) == 3  # as the emulator reported
    assert float(values["bot_answers_in_flight"]) == 0


async def test_two_questions_in_one_thread_on_two_replicas_are_answered_in_turn(
    world: World, redis_server: RedisServer
) -> None:
    first_replica = await world.start_bot(REDIS_URL=redis_server.url)
    second_replica = await world.start_bot(REDIS_URL=redis_server.url)
    world.reka.script = [Reply("First answer.", pieces=4, gap=0.3), Reply("Second answer.")]
    first = world.slack.post("C1", f"<@{BOT_USER}> first question", user="U1")
    second = world.slack.post("C1", f"<@{BOT_USER}> second question", user="U2", thread_ts=first["ts"])

    await first_replica.send_event(app_mention("C1", first))
    await asyncio.sleep(0.1)
    await second_replica.send_event(app_mention("C1", second))

    replies = await world.slack.wait_for_replies("C1", first["ts"], count=2)
    assert [r["markdown_text"] for r in replies] == ["First answer.", "Second answer."]
    later = world.reka.received[1]  # the second replica waited for the first answer, and read it
    assert [role for role, _ in later.messages] == ["user", "assistant", "user"]
    assert "is waiting for the answer before this one..." in world.slack.status_of("C1", first["ts"])
