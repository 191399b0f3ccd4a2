"""The bot on a laptop: Socket Mode over a WebSocket the Slack emulator serves."""

from __future__ import annotations

from tests import samples
from tests.conftest import World, app_mention, command_payload, envelope
from tests.emulators.reka import Reply
from tests.emulators.slack import APP_TOKEN, BOT_USER


async def test_an_event_over_socket_mode_is_acknowledged_and_answered(world: World) -> None:
    await world.start_bot(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    world.reka.script = [Reply("A PDF with one page.")]
    report = world.slack.add_file("report.pdf", samples.pdf(), "application/pdf")
    message = world.slack.post("C1", f"<@{BOT_USER}> what is this?", user="U1", files=[report])

    ack = await world.slack.send_socket_envelope(
        {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": envelope(app_mention("C1", message), "EvSock1"),
        }
    )

    assert ack["envelope_id"] == "env-1"
    replies = await world.slack.wait_for_replies("C1", message["ts"])
    assert replies[0]["markdown_text"] == "A PDF with one page."
    assert [p.type for p in world.reka.received[-1].media()] == ["pdf_url"]
    assert world.slack.called("apps.connections.open")


async def test_a_retry_over_socket_mode_is_not_answered_twice(world: World) -> None:
    await world.start_bot(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    world.reka.script = [Reply("Once.", gap=0.3)]
    message = world.slack.post("C1", f"<@{BOT_USER}> hi", user="U1")
    payload = envelope(app_mention("C1", message), "EvSock2")

    for attempt, envelope_id in enumerate(("env-a", "env-b")):
        await world.slack.send_socket_envelope(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": payload,
            }
        )

    replies = await world.slack.wait_for_replies("C1", message["ts"], settle=1.0)
    assert [r["markdown_text"] for r in replies] == ["Once."]


async def test_the_slash_command_over_socket_mode(world: World) -> None:
    await world.start_bot(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    world.reka.script = [Reply("42.")]

    ack = await world.slack.send_socket_envelope(
        {
            "envelope_id": "env-c",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": command_payload("meaning of life?", "C1", "U1", world.slack.response_url),
        }
    )

    assert ack["envelope_id"] == "env-c"
    posted = await world.slack.wait_for_bot_post("C1")
    assert (await world.slack.wait_for_replies("C1", posted["ts"]))[0]["markdown_text"] == "42."
