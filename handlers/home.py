"""The App Home tab: what the bot reads, how to use it, and which model answers."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.command import COMMAND


def home_view(model: str) -> dict[str, Any]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Reka for Slack"}},
            section(
                "*How to ask*\n"
                "• Mention me in a channel or thread: `@Reka what does this chart show?`\n"
                "• Write to me here in Messages, or open me in the AI panel.\n"
                f"• `{COMMAND} your question` posts it in the channel and answers in its thread.\n"
                "• On any message: *More actions → Ask about this message*."
            ),
            section(
                "*What I read*\nThe whole thread: its text and every image, video, audio file and PDF "
                "shared in it. Other files are named but not read."
            ),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Answers come from `{model}`."}]},
        ],
    }


def register(app: AsyncApp, model: str) -> None:
    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") == "home":
            await client.views_publish(user_id=event["user"], view=home_view(model))
