"""The workspace a request comes from, as Bolt's context knows it (one token, or the
installation of that team when the app is distributed with OAuth)."""

from __future__ import annotations

from slack_bolt.context.async_context import AsyncBoltContext

from bot.workspace import BotIdentity, Workspace


def workspace_of(context: AsyncBoltContext) -> Workspace:
    return Workspace(
        client=context.client,
        token=context.bot_token or "",
        identity=BotIdentity(context.bot_user_id or "", context.bot_id),
        team=context.team_id,
    )
