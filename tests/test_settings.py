"""Stories of admins choosing a channel's model, prompt, language and where the bot
answers, and of everyone seeing what applies."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.conftest import World, wait_for
from tests.emulators.reka import Reply
from tests.emulators.slack import TEAM
from tests.redis_server import RedisServer


def submission(view: dict[str, Any], user: str = "U1", **chosen: Any) -> dict[str, Any]:
    """What Slack sends when `user` saves the settings modal with these choices."""
    values: dict[str, Any] = {
        "profile": {"value": {"type": "static_select", "selected_option": {"value": chosen["profile"]}}},
        "system_prompt": {"value": {"type": "plain_text_input", "value": chosen.get("system_prompt")}},
        "language": {"value": {"type": "plain_text_input", "value": chosen.get("language")}},
    }
    if "answer_in" in chosen:
        values["answer_in"] = {
            "value": {"type": "radio_buttons", "selected_option": {"value": chosen["answer_in"]}}
        }
        values["channels"] = {
            "value": {
                "type": "multi_conversations_select",
                "selected_conversations": chosen.get("channels", []),
            }
        }
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user},
        "api_app_id": "AAPP",
        "token": "legacy",
        "trigger_id": "1.3",
        "view": {**view, "id": "V1", "state": {"values": values}, "hash": "h"},
    }


async def open_config(
    world: World, text: str = "config", channel: str = "C1", user: str = "U1"
) -> dict[str, Any]:
    opened = len(world.slack.views)
    status, _ = await world.bot.slash_command(text, world.slack.response_url, channel=channel, user=user)
    assert status == 200
    await wait_for(lambda: len(world.slack.views) > opened)
    return world.slack.views[-1]


async def test_an_admin_sets_a_channels_model_and_prompt_and_the_next_answer_follows(world: World) -> None:
    await world.start_bot(MODEL_PROFILES=world.openai_profile())
    modal = await open_config(world)
    options = [o["value"] for o in modal["blocks"][1]["element"]["options"]]
    assert options == ["same-as-workspace", "reka", "local"]

    prompt = "You are terse. Today is {date}. You help {asker} in {channel}."
    status, body = await world.bot.interactive(
        submission(modal, profile="local", system_prompt=prompt, language="French")
    )
    assert status == 200 and body == ""  # the modal closes
    await wait_for(lambda: world.slack.ephemeral)
    confirmation = world.slack.ephemeral[-1]["text"]
    assert (
        confirmation.startswith("Saved.") and "`qwen2.5-vl` (profile local, this channel's)" in confirmation
    )

    question = await world.mention("status?", channel="C1")
    await world.answer_to(question)
    request = world.openai.received[-1]
    assert request.system is not None
    assert (
        request.system.startswith("You are terse. Today is ")
        and "You help Ana in #general." in request.system
    )
    assert request.system.endswith("Always answer in French.")

    elsewhere = await world.mention("status?", channel="C2")
    await world.answer_to(elsewhere, channel="C2")
    assert world.reka.received[-1].model == "reka-flash"  # other channels keep the workspace's model
    assert len(world.openai.received) == 1


async def test_a_people_asking_get_answers_in_their_slack_language(world: World) -> None:
    await world.start_bot()
    world.slack.locales["U2"] = "ja-JP"
    question = await world.mention("元気?", user="U2")
    await world.answer_to(question)
    assert world.reka.received[-1].system is not None
    assert world.reka.received[-1].system.endswith("Always answer in Japanese.")


async def test_only_admins_change_settings(world: World) -> None:
    await world.start_bot()
    status, _ = await world.bot.slash_command("config", world.slack.response_url, user="U2")
    assert status == 200
    await wait_for(lambda: world.slack.responses)
    assert "Only workspace admins can change my settings" in world.slack.responses[-1]["text"]
    assert world.slack.views == []

    # A submission from someone who is not an admin is refused in the modal itself.
    modal = await open_config(world)
    status, body = await world.bot.interactive(
        submission(modal, user="U2", profile="reka", language="Klingon")
    )
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    await world.bot.slash_command("settings", world.slack.response_url, user="U2")
    await wait_for(lambda: "My settings" in world.slack.responses[-1]["text"])
    assert "Klingon" not in world.slack.responses[-1]["text"]


async def test_everyone_sees_what_applies_in_a_channel(world: World) -> None:
    await world.start_bot(MODEL_PROFILES=world.openai_profile())
    modal = await open_config(world, "config workspace")
    await world.bot.interactive(submission(modal, profile="local", system_prompt="Be kind.", answer_in="all"))
    await wait_for(lambda: "U1" in world.slack.home_views)

    await world.bot.slash_command("settings", world.slack.response_url, channel="C3", user="U3")
    await wait_for(lambda: world.slack.responses)
    shown = world.slack.responses[-1]
    assert shown["response_type"] == "ephemeral"
    assert "`qwen2.5-vl` (profile local, the workspace's)" in shown["text"]
    assert "“Be kind.” (the workspace's)" in shown["text"]
    assert "each asker's Slack language (default)" in shown["text"]


async def test_the_bot_answers_only_in_the_channels_an_admin_allows(world: World) -> None:
    await world.start_bot()
    world.reka.script = [Reply("Hello from C2."), Reply("Hello in DM.")]
    await world.open_home("U1", "D1")
    [button] = world.slack.home_views["U1"]["blocks"][-1]["elements"]
    status, _ = await world.bot.interactive(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": "U1"},
            "api_app_id": "AAPP",
            "token": "legacy",
            "trigger_id": "1.4",
            "container": {"type": "view", "view_id": "VHOME"},
            "actions": [
                {"action_id": button["action_id"], "block_id": "b", "type": "button", "action_ts": "1"}
            ],
        }
    )
    assert status == 200
    await wait_for(lambda: world.slack.views)
    modal = world.slack.views[-1]
    assert json.loads(modal["private_metadata"]) == {"channel": None}  # the whole workspace

    status, body = await world.bot.interactive(
        submission(modal, profile="reka", answer_in="listed", channels=[])
    )
    assert json.loads(body)["errors"] == {
        "channels": "Pick at least one channel, or answer in every channel."
    }
    await world.bot.interactive(submission(modal, profile="reka", answer_in="listed", channels=["C2"]))
    await wait_for(lambda: "<#C2>" in json.dumps(world.slack.home_views["U1"]))

    refused = await world.mention("hello?", channel="C1")
    assert "I'm not switched on in this channel" in await world.answer_to(refused, channel="C1")
    allowed = await world.mention("hello?", channel="C2")
    assert await world.answer_to(allowed, channel="C2") == "Hello from C2."
    direct = await world.direct_message("hello?")
    assert await world.answer_to(direct, channel="D1") == "Hello in DM."
    assert len(world.reka.received) == 2

    status, _ = await world.bot.slash_command("a question", world.slack.response_url, channel="C1")
    await wait_for(lambda: world.slack.responses)
    assert "I'm not switched on in this channel" in world.slack.responses[-1]["text"]
    assert world.slack.called("chat.postMessage")[-1]["channel"] == "C1"  # only the earlier notice


async def test_a_non_admin_sees_the_settings_on_the_home_tab_without_the_button(world: World) -> None:
    await world.start_bot()
    await world.open_home("U2", "D2")
    home = world.slack.home_views["U2"]
    assert "This workspace's settings" in json.dumps(home)
    assert all(block["type"] != "actions" for block in home["blocks"])


async def test_a_change_saved_on_one_replica_applies_on_another(
    world: World, redis_server: RedisServer
) -> None:
    shared = {
        "REDIS_URL": redis_server.url,
        "MODEL_PROFILES": world.openai_profile(),
        "SETTINGS_CACHE_SECONDS": "1",
    }
    first = await world.start_bot(**shared)
    await world.start_bot(**shared)  # `world.bot` from here on: the replica that answers
    before = await world.mention("which model?")
    await world.answer_to(before)
    assert len(world.reka.received) == 1  # the second replica has read (and cached) the settings

    await first.slash_command("config", world.slack.response_url)
    await wait_for(lambda: world.slack.views)
    await first.interactive(submission(world.slack.views[-1], profile="local"))
    await asyncio.sleep(1.2)  # SETTINGS_CACHE_SECONDS on the other replica

    after = await world.mention("and now?")
    await world.answer_to(after)
    assert len(world.openai.received) == 1 and len(world.reka.received) == 1


async def test_settings_that_cannot_be_saved_say_so_in_the_modal(
    world: World, redis_server: RedisServer
) -> None:
    await world.start_bot(REDIS_URL=redis_server.url)
    modal = await open_config(world)
    await redis_server.stop()  # the shared store goes away while the admin is choosing

    status, body = await world.bot.interactive(submission(modal, profile="reka", language="German"))

    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"profile": "I couldn't save these settings; please try again in a moment."},
    }


async def test_a_settings_modal_slack_wont_open_is_explained(world: World) -> None:
    await world.start_bot()
    world.slack.refuse["views.open"] = "expired_trigger_id"

    await world.bot.slash_command("config", world.slack.response_url)

    await wait_for(lambda: world.slack.responses)
    assert world.slack.responses[-1] == {
        "response_type": "ephemeral",
        "text": ":warning: I couldn't open the settings (Slack said `expired_trigger_id`). Please try again.",
    }
