"""The message shortcut "Ask about this message": a modal asks for the question, the
question is posted in that message's thread, and the answer follows it there."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answer import Answerer, Question
from bot.reply import post_question
from handlers.workspace import workspace_of

log = logging.getLogger(__name__)

CALLBACK_ID = "ask_about_message"
_BLOCK, _INPUT = "question", "text"


def question_modal(channel: str, thread_ts: str, excerpt: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"channel": channel, "thread_ts": thread_ts}),
        "title": {"type": "plain_text", "text": "Ask about this message"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": excerpt or "_(a message with files)_"}],
            },
            {
                "type": "input",
                "block_id": _BLOCK,
                "label": {"type": "plain_text", "text": "Your question"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": _INPUT,
                    "multiline": True,
                    "placeholder": {"type": "plain_text", "text": "What does this show?"},
                },
            },
        ],
    }


def register(app: AsyncApp, answerer: Answerer) -> None:
    @app.shortcut(CALLBACK_ID)
    async def open_question(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        message = shortcut["message"]
        excerpt = (message.get("text") or "")[:280]
        thread_ts = message.get("thread_ts") or message["ts"]
        await client.views_open(
            trigger_id=shortcut["trigger_id"],
            view=question_modal(shortcut["channel"]["id"], thread_ts, excerpt),
        )

    @app.view(CALLBACK_ID)
    async def ask(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        question = (view["state"]["values"][_BLOCK][_INPUT].get("value") or "").strip()
        if not question:
            await ack(response_action="errors", errors={_BLOCK: "Type a question first."})
            return
        await ack()
        where = json.loads(view["private_metadata"])
        user = body["user"]["id"]
        try:
            ts = await post_question(client, where["channel"], where["thread_ts"], user, question)
        except SlackApiError as err:
            error = err.response.get("error")
            log.info("could not post the shortcut's question: %s", error)
            await client.chat_postMessage(
                channel=user,
                text=f":warning: I couldn't post your question in <#{where['channel']}> "
                f"(Slack said `{error}`). Invite me there with `/invite` and ask again.",
            )
            return
        await answerer.answer(Question(where["channel"], where["thread_ts"], ts, user, workspace_of(context)))
