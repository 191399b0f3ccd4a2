"""Slack listeners, one module per entry point, all registered from here."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.answer import Answerer
from bot.state import StateStore
from handlers import command, direct_message, mention, retries


def register(app: AsyncApp, answerer: Answerer, state: StateStore, dedup_ttl_seconds: int) -> None:
    retries.register(app, state, dedup_ttl_seconds)
    mention.register(app, answerer)
    direct_message.register(app, answerer)
    command.register(app, answerer)
