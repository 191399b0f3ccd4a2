"""Slack thread -> the ordered messages of a conversation: who said what, with which files."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.failures import Failure
from bot.files import SlackFile
from bot.workspace import BotIdentity

log = logging.getLogger(__name__)

Role = Literal["user", "assistant"]

# Message metadata the bot puts on a question it posts for someone (the slash command),
# so that reading the thread back turns that message into the asker's turn.
QUESTION_EVENT_TYPE = "multimodal_bot_question"
# Metadata on the bot's greeting in an assistant thread: not part of the conversation.
GREETING_EVENT_TYPE = "multimodal_bot_greeting"

# Subtypes that carry something a person or another bot said; all others
# (joins, topic changes, deletions, ...) are not part of the conversation.
_SPOKEN_SUBTYPES = {None, "file_share", "thread_broadcast", "bot_message", "me_message"}


@dataclass
class ThreadMessage:
    """One message of the thread, as the model should see it."""

    role: Role
    speaker: str
    text: str
    files: list[SlackFile] = field(default_factory=list)


class SlackRefused(Failure):
    """Slack refused a call the bot needs; says which scope or invitation is missing."""

    def __init__(self, action: str, error: str, needed: str | None) -> None:
        hint = f" An admin needs to add the `{needed}` scope and reinstall the app." if needed else ""
        if error in ("not_in_channel", "channel_not_found"):
            hint = " Invite me to the channel with `/invite` and ask again."
        super().__init__(f"I couldn't {action}: Slack said `{error}`.{hint}")


class ThreadReader:
    """Reads a thread with `conversations.replies` (every page) into `ThreadMessage`s."""

    def __init__(self, client: AsyncWebClient, identity: BotIdentity) -> None:
        self._client = client
        self._identity = identity
        self._mention = re.compile(rf"<@{re.escape(identity.user_id)}(\|[^>]*)?>")

    async def read(self, channel: str, thread_ts: str, until_ts: str) -> list[ThreadMessage]:
        """The thread's messages up to the question at `until_ts`; later questions are left
        for their own answers."""
        raw: list[dict[str, Any]] = []
        try:
            pages = await self._client.conversations_replies(
                channel=channel, ts=thread_ts, limit=200, include_all_metadata=True
            )
            async for page in pages:
                raw.extend(page.get("messages", []))
        except SlackApiError as err:
            error = str(err.response.get("error", "unknown_error"))
            needed = err.response.get("needed")
            raise SlackRefused("read this thread", error, needed) from None
        before, question, answered_since = [], [], []
        for item in raw:
            message = self._to_message(item)
            if message is None:
                continue
            ts = float(item.get("ts", "0"))
            if ts < float(until_ts):
                before.append(message)
            elif ts == float(until_ts):
                question.append(message)
            elif message.role == "assistant":
                answered_since.append(message)
        # The bot's answers to earlier questions, written while this one waited its turn,
        # go before it: the model then reads the thread as the asker will.
        return before + answered_since + question

    def _to_message(self, item: dict[str, Any]) -> ThreadMessage | None:
        if item.get("subtype") not in _SPOKEN_SUBTYPES:
            return None
        files = [SlackFile.from_slack(f) for f in item.get("files") or [] if isinstance(f, dict)]
        text = self._clean(str(item.get("text") or ""))
        metadata = item.get("metadata") or {}
        if metadata.get("event_type") == GREETING_EVENT_TYPE:
            return None
        if metadata.get("event_type") == QUESTION_EVENT_TYPE:
            payload = metadata.get("event_payload") or {}
            return ThreadMessage(
                "user", str(payload.get("user", "")), str(payload.get("question", "")), files
            )
        if self._is_own(item):
            return ThreadMessage("assistant", self._identity.user_id, text, files)
        if not text and not files:
            return None
        if item.get("user") and not item.get("bot_id"):
            return ThreadMessage("user", str(item["user"]), text, files)
        profile = item.get("bot_profile") or {}
        name = profile.get("name") or item.get("username") or item.get("bot_id") or "another bot"
        return ThreadMessage("user", f"bot:{name}", text, files)

    def _is_own(self, item: dict[str, Any]) -> bool:
        if item.get("user") == self._identity.user_id:
            return True
        return self._identity.bot_id is not None and item.get("bot_id") == self._identity.bot_id

    def _clean(self, text: str) -> str:
        """Drop the bot's own mention and undo Slack's `&amp;`-escaping."""
        return html.unescape(self._mention.sub("", text)).strip()
