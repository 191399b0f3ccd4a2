"""Shows in the thread that the bot is working, from the first second until the answer.

`assistant.threads.setStatus` where Slack allows it (it clears itself when the bot
replies); otherwise a reaction on the question, removed when the work ends. Updates are
sent in the background, in order, the latest winning: the answer never waits for them.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

WORKING_REACTION = "eyes"


class Progress:
    """The working indicator of one question."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str, question_ts: str) -> None:
        self._client = client
        self._channel = channel
        self._thread_ts = thread_ts
        self._question_ts = question_ts
        self._use_status = True
        self._status_shown = False
        self._reacted = False
        self._wanted: str | None = None
        self._sent: str | None = None
        self._sender: asyncio.Task[None] | None = None

    def show(self, status: str) -> None:
        """Say what the bot is doing ("is reading 3 files..."), or at least that it is working."""
        self._wanted = status
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send())

    async def _send(self) -> None:
        while self._wanted is not None and self._sent != self._wanted:
            status = self._wanted
            await self._apply(status)
            self._sent = status

    async def _apply(self, status: str) -> None:
        if self._use_status:
            try:
                await self._client.assistant_threads_setStatus(
                    channel_id=self._channel, thread_ts=self._thread_ts, status=status
                )
                self._status_shown = True
                return
            except SlackApiError as err:
                log.debug("setStatus refused (%s); reacting instead", err.response.get("error"))
                self._use_status = False
        if not self._reacted:
            self._reacted = await self._call("reactions_add")

    async def clear(self) -> None:
        """Wait for the updates under way, then take the indicator away."""
        if self._sender is not None:
            try:
                await self._sender
            except Exception:
                log.exception("a progress update failed")
        if self._status_shown:
            try:
                await self._client.assistant_threads_setStatus(
                    channel_id=self._channel, thread_ts=self._thread_ts, status=""
                )
            except SlackApiError as err:
                log.debug("clearing the status failed: %s", err.response.get("error"))
        if self._reacted:
            await self._call("reactions_remove")

    async def _call(self, method: str) -> bool:
        try:
            await getattr(self._client, method)(
                channel=self._channel, timestamp=self._question_ts, name=WORKING_REACTION
            )
            return True
        except SlackApiError as err:
            log.debug("%s refused: %s", method, err.response.get("error"))
            return False
