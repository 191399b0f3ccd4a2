"""The Slack workspace a question comes from: what the bot needs to act there."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in a workspace (`auth.test`, or the installation)."""

    user_id: str
    bot_id: str | None = None


@dataclass(frozen=True)
class Workspace:
    """A client holding the workspace's bot token, the token itself (for file downloads,
    sent only to Slack's file hosts), and who the bot is there."""

    client: AsyncWebClient
    token: str
    identity: BotIdentity
    team: str | None = None
