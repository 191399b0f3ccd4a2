"""Slack's AI app panel (slack-bolt's `Assistant`): a greeting with suggested prompts when
a thread opens, and every message or file dropped into the panel answered in its thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncAssistant
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.set_suggested_prompts.async_set_suggested_prompts import AsyncSetSuggestedPrompts
from slack_bolt.context.set_title.async_set_title import AsyncSetTitle
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answer import Answerer, Question
from bot.thread import GREETING_EVENT_TYPE
from handlers.workspace import workspace_of

log = logging.getLogger(__name__)

GREETING = (
    "Hi! Ask me anything, or drop in images, video, audio or PDFs and ask about them. "
    "I read everything in this thread."
)
PROMPTS = [
    {"title": "Describe an image", "message": "What is in this picture? (attach one)"},
    {"title": "Summarise a PDF", "message": "Summarise the attached PDF in five bullet points."},
    {"title": "Transcribe audio", "message": "Transcribe the attached voice memo."},
]


def register(app: AsyncApp, answerer: Answerer) -> None:
    assistant = AsyncAssistant()

    @assistant.thread_started
    async def greet(
        payload: dict[str, Any], client: AsyncWebClient, set_suggested_prompts: AsyncSetSuggestedPrompts
    ) -> None:
        thread = payload["assistant_thread"]
        await client.chat_postMessage(
            channel=thread["channel_id"],
            thread_ts=thread["thread_ts"],
            text=GREETING,
            metadata={"event_type": GREETING_EVENT_TYPE, "event_payload": {}},
        )
        await set_suggested_prompts(prompts=PROMPTS)

    @assistant.user_message
    async def on_message(
        payload: dict[str, Any], context: AsyncBoltContext, set_title: AsyncSetTitle
    ) -> None:
        text = (payload.get("text") or "").strip()
        if text:
            try:
                await set_title(text[:60])
            except SlackApiError as err:  # an ordinary DM thread has no title to set
                log.debug("setTitle refused: %s", err.response.get("error"))
        await answerer.answer(
            Question(
                payload["channel"],
                payload["thread_ts"],
                payload["ts"],
                payload["user"],
                workspace_of(context),
            )
        )

    app.use(assistant)
