"""`/reka question`: acknowledged at once, the question posted in the channel, the answer in its thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.answer import Answerer, Question
from bot.reply import post_question
from handlers.workspace import workspace_of

log = logging.getLogger(__name__)

COMMAND = "/reka"
USAGE = (
    f"Ask me anything with `{COMMAND} your question`: I post the question here and answer in its thread, "
    "where you can follow up by mentioning me. To ask about files, share them in a thread and mention me, "
    "or send them to me in a direct message."
)


def register(app: AsyncApp, answerer: Answerer) -> None:
    @app.command(COMMAND)
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        question = (command.get("text") or "").strip()
        if not question or question.lower() == "help":
            await ack(response_type="ephemeral", text=USAGE)
            return
        await ack()
        user, channel = command["user_id"], command["channel_id"]
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
