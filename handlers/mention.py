"""`@bot question` in a channel or thread: answered in that message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.answer import Answerer, Question
from handlers.workspace import workspace_of


def register(app: AsyncApp, answerer: Answerer) -> None:
    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        await answerer.answer(
            Question(
                channel=event["channel"],
                thread_ts=event.get("thread_ts") or event["ts"],
                ts=event["ts"],
                user=event.get("user", ""),
                workspace=workspace_of(context),
                event_id=body.get("event_id"),
            )
        )
