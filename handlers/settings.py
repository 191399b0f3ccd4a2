"""Settings: the modal admins change them in (from `/reka config` in a channel, or the App
Home tab for the whole workspace), and the summary everyone sees with `/reka settings`."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answer import Services
from bot.channel_settings import Effective, Saved, is_direct
from bot.instructions import PLACEHOLDERS

log = logging.getLogger(__name__)

CALLBACK_ID = "bot_settings"
OPEN_ACTION = "open_workspace_settings"
SAME_AS_WORKSPACE = "same-as-workspace"


def not_admin(command: str) -> str:
    return (
        f"Only workspace admins can change my settings or see usage. `{command} settings` shows the settings."
    )


def _input(
    block_id: str, label: str, element: dict[str, Any], hint: str = "", optional: bool = True
) -> dict[str, Any]:
    block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": "value"},
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def settings_modal(services: Services, channel: str | None, saved: Saved) -> dict[str, Any]:
    """The workspace's settings (`channel` None) or one channel's."""
    profiles = services.models.profiles
    options = [_option(f"{name} ({p.model})", name) for name, p in profiles.items()]
    if channel is not None:
        options.insert(0, _option("Same as the workspace", SAME_AS_WORKSPACE))
    chosen = saved.profile if saved.profile in profiles else None
    initial = chosen or (SAME_AS_WORKSPACE if channel is not None else services.models.default)
    prompt: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": 3000}
    if saved.system_prompt:
        prompt["initial_value"] = saved.system_prompt
    language: dict[str, Any] = {"type": "plain_text_input", "max_length": 60}
    if saved.language:
        language["initial_value"] = saved.language
    where = f"<#{channel}>" if channel else "the whole workspace"
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Settings for {where}."
                    + (
                        ""
                        if channel
                        else f" A channel's own settings (`{services.command} config` there) win."
                    ),
                }
            ],
        },
        _input(
            "profile",
            "Model",
            {
                "type": "static_select",
                "options": options,
                "initial_option": next(o for o in options if o["value"] == initial),
            },
            optional=False,
        ),
        _input(
            "system_prompt",
            "System prompt",
            prompt,
            hint=f"Empty: the built-in prompt. {', '.join(PLACEHOLDERS)} are filled in with the date, "
            "the channel and the person asking.",
        ),
        _input("language", "Answer language", language, hint="Empty: each asker's Slack language."),
    ]
    if channel is None:
        answer_in = [_option("Every channel I'm in", "all"), _option("Only the channels below", "listed")]
        blocks.append(
            _input(
                "answer_in",
                "Answer in",
                {
                    "type": "radio_buttons",
                    "options": answer_in,
                    "initial_option": answer_in[0 if saved.channels is None else 1],
                },
                optional=False,
            )
        )
        pick: dict[str, Any] = {
            "type": "multi_conversations_select",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        }
        if saved.channels:
            pick["initial_conversations"] = saved.channels
        blocks.append(_input("channels", "Channels", pick, hint="Direct messages are always answered."))
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"channel": channel}),
        "title": {"type": "plain_text", "text": "Settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def answers_in(channels: list[str] | None) -> str:
    """The workspace's allow-list in words."""
    if channels is None:
        return "every channel I'm in"
    return "only " + (", ".join(f"<#{c}>" for c in channels) or "no channel")


def describe(services: Services, effective: Effective, channel: str, channels: list[str] | None) -> str:
    """What applies in `channel`, and where each choice comes from (Slack mrkdwn)."""
    profile, _ = services.models.get(effective.profile)
    source = {"channel": "this channel's", "workspace": "the workspace's", "default": "default"}
    prompt = f"“{effective.system_prompt}”" if effective.system_prompt else "the built-in one"
    language = effective.language or "each asker's Slack language"
    here = "a direct message" if is_direct(channel) else f"<#{channel}>"
    lines = [
        f"*My settings in {here}*",
        f"• Model: `{profile.model}` (profile {profile.name}, {source[effective.sources['profile']]})",
        f"• System prompt: {prompt} ({source[effective.sources['system_prompt']]})",
        f"• Answer language: {language} ({source[effective.sources['language']]})",
        f"• I answer in {answers_in(channels)}, and in direct messages."
        + ("" if effective.allowed else " *Not in this channel.*"),
        f"Admins change these with `{services.command} config` (this channel) or in my App Home tab "
        "(the whole workspace).",
    ]
    return "\n".join(lines)


async def open_modal(
    services: Services, client: AsyncWebClient, team: str | None, trigger_id: str, channel: str | None
) -> None:
    saved = await services.settings.saved(team, channel)
    await client.views_open(trigger_id=trigger_id, view=settings_modal(services, channel, saved))


def not_opened(err: SlackApiError) -> str:
    """What the admin reads when Slack would not open the modal (an expired trigger, ...)."""
    error = err.response.get("error")
    log.info("could not open the settings modal: %s", error)
    return f":warning: I couldn't open the settings (Slack said `{error}`). Please try again."


def _value(values: dict[str, Any], block: str) -> Any:
    return (values.get(block) or {}).get("value") or {}


def _read(values: dict[str, Any]) -> Saved:
    profile = (_value(values, "profile").get("selected_option") or {}).get("value")
    answer_in = (_value(values, "answer_in").get("selected_option") or {}).get("value")
    return Saved(
        profile=None if profile in (None, SAME_AS_WORKSPACE) else profile,
        system_prompt=(_value(values, "system_prompt").get("value") or "").strip() or None,
        language=(_value(values, "language").get("value") or "").strip() or None,
        channels=list(_value(values, "channels").get("selected_conversations") or [])
        if answer_in == "listed"
        else None,
    )


HomePublisher = Callable[[AsyncWebClient, str | None, str], Awaitable[None]]


def register(app: AsyncApp, services: Services, publish_home: HomePublisher) -> None:
    """The modal's listeners; `publish_home` shows a user the Home tab again after a change."""

    @app.action(OPEN_ACTION)
    async def open_from_home(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        person = await services.directory.person(context.client, context.team_id, body["user"]["id"])
        if not person.is_admin:
            return
        try:
            await open_modal(services, context.client, context.team_id, body["trigger_id"], None)
        except SlackApiError as err:  # the Home tab has no reply of its own: say it in the DM
            await context.client.chat_postMessage(channel=person.id, text=not_opened(err))

    @app.view(CALLBACK_ID)
    async def save(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        user = body["user"]["id"]
        person = await services.directory.person(context.client, context.team_id, user)
        if not person.is_admin:
            await ack(response_action="errors", errors={"profile": not_admin(services.command)})
            return
        chosen = _read(view["state"]["values"])
        if chosen.channels is not None and not chosen.channels:
            await ack(
                response_action="errors",
                errors={"channels": "Pick at least one channel, or answer in every channel."},
            )
            return
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
        try:
            await services.settings.save(context.team_id, channel, chosen)
        except Exception:
            log.exception("could not save settings")
            await ack(
                response_action="errors",
                errors={"profile": "I couldn't save these settings; please try again in a moment."},
            )
            return
        await ack()
        log.info("settings saved for %s by %s", channel or "the workspace", user)
        if channel is None:
            await publish_home(context.client, context.team_id, user)
            return
        effective = await services.settings.effective(context.team_id, channel)
        workspace = await services.settings.saved(context.team_id)
        try:
            await context.client.chat_postEphemeral(
                channel=channel,
                user=user,
                text="Saved. " + describe(services, effective, channel, workspace.channels),
            )
        except SlackApiError as err:
            log.info("could not confirm the settings in the channel: %s", err.response.get("error"))
