"""Any message to the bot in its DM: answered in that message's thread, no mention needed."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.answer import Answerer, Question
from handlers.workspace import workspace_of

# New messages only: edits, deletions and joins are not questions.
_QUESTION_SUBTYPES = {None, "file_share"}


async def _is_question(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _QUESTION_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def register(app: AsyncApp, answerer: Answerer) -> None:
    @app.event("message", matchers=[_is_question])
    async def on_direct_message(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await answerer.answer(
            Question(
                channel=event["channel"],
                thread_ts=event.get("thread_ts") or event["ts"],
                ts=event["ts"],
                user=event["user"],
                workspace=workspace_of(context),
                event_id=body.get("event_id"),
            )
        )

    @app.event("message")
    async def ignore_other_messages() -> None:
        """Edits, deletions, joins and other bots' posts: acknowledged, not answered."""
