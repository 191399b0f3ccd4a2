"""Slack re-sends events it thinks were not acknowledged: each `event_id` is taken once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.state import StateStore

log = logging.getLogger(__name__)


def register(app: AsyncApp, state: StateStore, ttl_seconds: int) -> None:
    @app.middleware
    async def take_each_event_once(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if event_id and not await state.claim(f"event:{event_id}", ttl_seconds):
            log.info("event %s was already taken; acknowledging the retry only", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return None
