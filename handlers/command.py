"""`/reka question`: acknowledged at once, the question posted in the channel, the answer in
its thread. `/reka config`, `/reka settings` and `/reka usage` are for settings and cost."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.answer import Answerer, Question, Services
from bot.failures import NotInThisChannel
from bot.reply import post_question
from bot.usage import report
from handlers import settings
from handlers.workspace import workspace_of

log = logging.getLogger(__name__)

COMMAND = "/reka"
USAGE = (
    f"Ask me anything with `{COMMAND} your question`: I post the question here and answer in its thread, "
    "where you can follow up by mentioning me. To ask about files, share them in a thread and mention me, "
    "or send them to me in a direct message.\n"
    f"`{COMMAND} settings` shows which model and prompt answer here; admins change them with "
    f"`{COMMAND} config` (this channel) or `{COMMAND} config workspace`, and see the cost with "
    f"`{COMMAND} usage [days]`."
)

USAGE_UNREADABLE = ":warning: I couldn't read the usage totals just now. Please try again in a moment."


def register(app: AsyncApp, answerer: Answerer, services: Services) -> None:
    async def admin_only(context: AsyncBoltContext, user: str, respond: AsyncRespond) -> bool:
        person = await services.directory.person(context.client, context.team_id, user)
        if not person.is_admin:
            await respond(response_type="ephemeral", text=settings.not_admin(COMMAND))
        return person.is_admin

    @app.command(COMMAND)
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        question = (command.get("text") or "").strip()
        user, channel = command["user_id"], command["channel_id"]
        word, _, rest = question.partition(" ")
        word = word.lower()
        if not question or word == "help":
            await ack(response_type="ephemeral", text=USAGE)
            return
        await ack()
        if word == "settings":
            effective = await services.settings.effective(context.team_id, channel)
            workspace = await services.settings.saved(context.team_id)
            await respond(
                response_type="ephemeral",
                text=settings.describe(services, effective, channel, workspace.channels),
            )
        elif word == "config":
            if await admin_only(context, user, respond):
                where = None if rest.strip().lower() == "workspace" or channel.startswith("D") else channel
                try:
                    await settings.open_modal(
                        services, context.client, context.team_id, command["trigger_id"], where
                    )
                except SlackApiError as err:
                    await respond(response_type="ephemeral", text=settings.not_opened(err))
        elif word == "usage":
            if await admin_only(context, user, respond):
                days = int(rest) if rest.strip().isdigit() else 30
                days = max(1, min(days, 366))
                try:
                    rows = await services.ledger.rows(context.team_id, days)
                except Exception:  # the state store (Redis, SQLite) failed
                    log.exception("could not read the usage totals")
                    await respond(response_type="ephemeral", text=USAGE_UNREADABLE)
                    return
                await respond(response_type="ephemeral", text=report(rows, days))
        elif not (await services.settings.effective(context.team_id, channel)).allowed:
            await respond(response_type="ephemeral", text=f":no_entry: {NotInThisChannel(COMMAND)}")
        else:
            await _ask(answerer, context, respond, channel, user, question)


async def _ask(
    answerer: Answerer,
    context: AsyncBoltContext,
    respond: AsyncRespond,
    channel: str,
    user: str,
    question: str,
) -> None:
    try:
        ts = await post_question(context.client, channel, None, user, question)
    except SlackApiError as err:
        error = err.response.get("error")
        log.info("could not post the question: %s", error)
        await respond(
            response_type="ephemeral",
            text=f":warning: I can't post in this conversation (Slack said `{error}`). "
            "Invite me with `/invite` and ask again, or send me a direct message.",
        )
        return
    await answerer.answer(
        Question(channel=channel, thread_ts=ts, ts=ts, user=user, workspace=workspace_of(context))
    )
