"""The other ways in: the message shortcut, the AI app panel and the App Home tab."""

from __future__ import annotations

import json
from typing import Any

from tests import samples
from tests.conftest import World, message_event, wait_for
from tests.emulators.reka import Reply
from tests.emulators.slack import BOT_USER, TEAM


def shortcut_payload(channel: str, message: dict[str, Any], user: str = "U2") -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "ask_about_message",
        "trigger_id": "13345.trigger",
        "team": {"id": TEAM, "domain": "emulated"},
        "user": {"id": user, "name": "ben"},
        "channel": {"id": channel, "name": "general"},
        "message": message,
        "message_ts": message["ts"],
        "response_url": "http://127.0.0.1:9/unused",
        "api_app_id": "AAPP",
        "token": "legacy",
    }


def submission(view: dict[str, Any], question: str, user: str = "U2") -> dict[str, Any]:
    state = {"values": {"question": {"text": {"type": "plain_text_input", "value": question}}}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "name": "ben"},
        "api_app_id": "AAPP",
        "token": "legacy",
        "trigger_id": "1.2",
        "view": {**view, "id": "V1", "state": state, "hash": "h"},
    }


async def test_ask_about_this_message_answers_in_its_thread_with_its_files(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("A quarterly report.")]
    report = world.slack.add_file("q3.pdf", samples.pdf(), "application/pdf")
    message = world.slack.post("C1", "numbers for Q3", user="U1", files=[report])

    status, _ = await world.bot.interactive(shortcut_payload("C1", message))
    assert status == 200
    await wait_for(lambda: world.slack.views)
    [modal] = world.slack.views
    assert modal["title"]["text"] == "Ask about this message"
    assert "numbers for Q3" in json.dumps(modal["blocks"])

    status, body = await world.bot.interactive(submission(modal, "What is this?"))
    assert status == 200 and body == ""  # the modal closes

    replies = await world.slack.wait_for_replies("C1", message["ts"], count=2)
    assert replies[0]["text"] == "<@U2> asked: What is this?"
    assert replies[1]["markdown_text"] == "A quarterly report."
    [(role, parts)] = world.reka.received[-1].messages
    assert role == "user" and [p.type for p in parts] == ["pdf_url", "text"]
    assert "numbers for Q3" in (parts[1].text or "") and "What is this?" in (parts[1].text or "")


async def test_an_empty_question_in_the_modal_is_refused_in_the_modal(world: World) -> None:
    await world.start_bot()
    message = world.slack.post("C1", "hello", user="U1")
    await world.bot.interactive(shortcut_payload("C1", message))
    await wait_for(lambda: world.slack.views)

    status, body = await world.bot.interactive(submission(world.slack.views[0], "   "))

    assert status == 200
    assert json.loads(body) == {"response_action": "errors", "errors": {"question": "Type a question first."}}
    assert world.reka.attempts == 0


async def test_the_ai_panel_greets_and_answers_files_dropped_into_it(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("A small orange picture.")]
    thread_ts = world.slack.next_ts()
    world.slack.post("D9", "New assistant thread", user="U1")  # the panel's own root message
    world.slack.messages["D9"][-1]["ts"] = thread_ts
    world.slack.assistant_threads.add(("D9", thread_ts))
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U1", "context": {}, "channel_id": "D9", "thread_ts": thread_ts},
        "event_ts": thread_ts,
    }

    await world.bot.send_event(started)
    greeting = (await world.slack.wait_for_replies("D9", thread_ts))[0]
    assert greeting["text"].startswith("Hi! Ask me anything")
    assert world.slack.called("assistant.threads.setSuggestedPrompts")

    photo = world.slack.add_file("photo.jpg", samples.image(), "image/jpeg")
    question = world.slack.post("D9", "what is this?", user="U1", thread_ts=thread_ts, files=[photo])
    await world.bot.send_event(message_event("D9", question))

    replies = await world.slack.wait_for_replies("D9", thread_ts, count=2)
    assert replies[-1]["markdown_text"] == "A small orange picture."
    assert world.slack.called("assistant.threads.setTitle")[0]["title"] == "what is this?"
    assert world.slack.status_of("D9", thread_ts)[-2:] == ["is thinking...", ""]
    request = world.reka.received[-1]
    assert [role for role, _ in request.messages] == ["user"]  # the greeting is not part of the conversation
    assert [p.type for p in request.media()] == ["image_url"]


async def test_the_home_tab_explains_the_bot_and_names_the_model(world: World) -> None:
    await world.start_bot(REKA_MODEL="reka-core")

    home = json.dumps(await world.open_home("U1"))
    assert "`reka-core`" in home and "/reka your question" in home and "Ask about this message" in home
    assert BOT_USER not in home
