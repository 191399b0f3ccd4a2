"""The App Home tab: how to use the bot, which model answers, the workspace's settings, and
for admins a button that opens them."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.answer import Services
from bot.channel_settings import Saved
from handlers import settings


def home_view(services: Services, saved: Saved, is_admin: bool) -> dict[str, Any]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    command = services.command
    profile, _ = services.models.get(saved.profile)
    default_language = "each asker's Slack language"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Reka for Slack"}},
        section(
            "*How to ask*\n"
            "• Mention me in a channel or thread: `@Reka what does this chart show?`\n"
            "• Write to me here in Messages, or open me in the AI panel.\n"
            f"• `{command} your question` posts it in the channel and answers in its thread.\n"
            "• On any message: *More actions → Ask about this message*."
        ),
        section(
            "*What I read*\nThe whole thread: its text and every image, video, audio file and PDF "
            "shared in it, as far as the model can take them. Files it can't take are named."
        ),
        section(
            "*This workspace's settings*\n"
            f"• Model: `{profile.model}` (profile {profile.name})\n"
            f"• System prompt: {'its own' if saved.system_prompt else 'the built-in one'}\n"
            f"• Answer language: {saved.language or default_language}\n"
            f"• I answer in {settings.answers_in(saved.channels)}, and in direct messages.\n"
            f"`{command} settings` in a channel shows what applies there; `{command} usage` shows admins "
            "what answers cost."
        ),
    ]
    if is_admin:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": settings.OPEN_ACTION,
                        "text": {"type": "plain_text", "text": "Change settings"},
                        "style": "primary",
                    }
                ],
            }
        )
    return {"type": "home", "blocks": blocks}


def register(app: AsyncApp, services: Services) -> None:
    async def publish(client: AsyncWebClient, team: str | None, user: str) -> None:
        person = await services.directory.person(client, team, user)
        saved = await services.settings.saved(team)
        await client.views_publish(user_id=user, view=home_view(services, saved, person.is_admin))

    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        if event.get("tab") == "home":
            await publish(client, context.team_id, event["user"])

    settings.register(app, services, publish)
