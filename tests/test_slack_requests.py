"""Slack's side of the wire: signatures, retried events, acknowledgement time."""

from __future__ import annotations

import asyncio
import json
import time

from tests.conftest import World, app_mention, envelope, sign
from tests.emulators.reka import Reply
from tests.emulators.slack import BOT_USER


async def test_a_retried_event_is_answered_once(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Only once.", gap=0.2)]
    message = world.slack.post("C1", f"<@{BOT_USER}> hi", user="U1")
    event = app_mention("C1", message)

    first = world.bot.send_event(event, event_id="EvSAME")
    retries = [world.bot.send_event(event, event_id="EvSAME", retry_num=n) for n in (1, 2, 3)]
    statuses = await asyncio.gather(first, *retries)

    assert [status for status, _ in statuses] == [200, 200, 200, 200]
    replies = await world.slack.wait_for_replies("C1", message["ts"], settle=1.0)
    assert [r["markdown_text"] for r in replies] == ["Only once."]
    assert world.reka.attempts == 1


async def test_events_are_acknowledged_before_the_slow_answer(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Slowly.", pieces=4, gap=0.5)]
    message = world.slack.post("C1", f"<@{BOT_USER}> take your time", user="U1")

    started = time.monotonic()
    status, _ = await world.bot.send_event(app_mention("C1", message))

    assert status == 200 and time.monotonic() - started < 1.0
    assert world.slack.bot_replies("C1", message["ts"]) == []
    assert (await world.slack.wait_for_replies("C1", message["ts"]))[0]["markdown_text"] == "Slowly."


async def test_a_request_with_a_bad_signature_is_refused(world: World) -> None:
    await world.start_bot()
    message = world.slack.post("C1", f"<@{BOT_USER}> hi", user="U1")
    body = json.dumps(envelope(app_mention("C1", message))).encode()

    forged = await world.bot.post(body, "application/json", headers=sign(body, secret="not-the-secret"))
    unsigned = await world.bot.post(body, "application/json", signed=False)
    stale = await world.bot.post(
        body, "application/json", headers=sign(body, timestamp=int(time.time()) - 600)
    )

    assert [status for status, _ in (forged, unsigned, stale)] == [401, 401, 401]
    await asyncio.sleep(0.5)
    assert world.slack.called("chat.postMessage") == [] and world.reka.attempts == 0


async def test_the_health_check_answers_once_ready(world: World) -> None:
    bot = await world.start_bot()
    assert bot.http is not None
    async with bot.http.get(f"{bot.url}/healthz") as resp:
        assert resp.status == 200
