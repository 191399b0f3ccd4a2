"""Slack listeners, one module per entry point, all registered from here."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.answer import Answerer, Services
from bot.state import StateStore
from handlers import assistant, command, direct_message, home, mention, retries, shortcut


def register(
    app: AsyncApp, answerer: Answerer, services: Services, state: StateStore, dedup_ttl_seconds: int
) -> None:
    retries.register(app, state, dedup_ttl_seconds)
    assistant.register(app, answerer)  # before the DM listener: it takes messages in assistant threads
    mention.register(app, answerer)
    direct_message.register(app, answerer)
    command.register(app, answerer, services)
    shortcut.register(app, answerer)
    home.register(app, services)  # the App Home tab and the settings modal it opens
