"""Answer text -> Slack messages in the thread, written while the model writes it.

Slack's streaming messages (`chat.startStream` / `appendStream` / `stopStream`, through
slack-sdk's `chat_stream`) where the workspace allows them; otherwise one message posted
and edited (`chat.update`) as text arrives. Either way the Markdown goes as
`markdown_text`, and an answer longer than one message continues in the next, cut at a
line end and never inside a code block.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_chat_stream import AsyncChatStream
from slack_sdk.web.async_client import AsyncWebClient

from bot.thread import QUESTION_EVENT_TYPE

log = logging.getLogger(__name__)

# `markdown_text` takes 12,000 characters per message; keep a margin.
MARKDOWN_LIMIT = 11_000
_FENCE = "```"
_CLOSE = "\n" + _FENCE


@dataclass
class Pager:
    """Cuts a growing Markdown text into pages of at most `limit` characters.

    Text already paged is never moved (it may be on screen already): a page ends at a
    line end once it is nearly full, at a blank line a little earlier, mid-line only
    when one line alone is too long. A code block cut in two is closed and reopened.
    """

    limit: int = MARKDOWN_LIMIT
    pages: list[str] = field(default_factory=lambda: [""])
    _line: str = ""  # the unfinished last line
    _fence: str | None = None  # the opening line of the code block we are in
    _after_blank: bool = False

    def add(self, text: str) -> None:
        for piece in text.splitlines(keepends=True):
            self._add_piece(piece)

    def _add_piece(self, piece: str) -> None:
        margin = self.limit // 10
        while piece:
            page = self.pages[-1]
            if not self._line and page.strip():
                full = len(page) >= self.limit - margin
                if full or (self._after_blank and len(page) >= self.limit - 3 * margin):
                    self._turn_page()
                    continue
            room = self.limit - len(self.pages[-1]) - len(_CLOSE)
            if room <= 0:
                self._turn_page()
                continue
            self._append(piece[:room])
            piece = piece[room:]

    def _append(self, text: str) -> None:
        self.pages[-1] += text
        self._line += text
        if self._line.endswith("\n"):
            line = self._line.strip()
            if line.startswith(_FENCE):
                self._fence = None if self._fence is not None else self._line.rstrip("\n")
            self._after_blank = not line
            self._line = ""

    def _turn_page(self) -> None:
        if self._fence is not None:
            self.pages[-1] += _FENCE if self.pages[-1].endswith("\n") else _CLOSE
            self.pages.append(self._fence + "\n")
        else:
            self.pages.append("")


def split_markdown(text: str, limit: int = MARKDOWN_LIMIT) -> list[str]:
    """`text` as pages of at most `limit` characters (see `Pager`)."""
    pager = Pager(limit)
    pager.add(text)
    return [page.strip("\n") for page in pager.pages if page.strip()]


class StreamingSupport:
    """Whether this workspace accepted Slack's streaming messages; refused once, the bot
    edits messages instead for a while before it tries streaming again."""

    retry_after_seconds = 600.0

    def __init__(self) -> None:
        self._refused_at: float | None = None

    @property
    def worth_trying(self) -> bool:
        return self._refused_at is None or time.monotonic() - self._refused_at > self.retry_after_seconds

    def refused(self) -> None:
        self._refused_at = time.monotonic()


@dataclass
class _Message:
    """One page's Slack message: a stream while Slack keeps it streaming, else edited."""

    stream: AsyncChatStream | None = None
    ts: str | None = None
    sent: int = 0  # characters of the page already in Slack


class AnswerWriter:
    """Writes one answer into a thread as it arrives, at most one Slack call per page
    every `interval` seconds. `close()` sends the rest and ends every message."""

    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        thread_ts: str,
        recipient_user: str,
        recipient_team: str | None,
        support: StreamingSupport,
        interval: float = 0.5,
    ) -> None:
        self._client = client
        self._channel = channel
        self._thread_ts = thread_ts
        self._recipient_user = recipient_user
        self._recipient_team = recipient_team
        self._support = support
        self._interval = interval
        self._pager = Pager()
        self._messages: list[_Message] = []
        self._lock = asyncio.Lock()
        self._last_flush = 0.0
        self._pending: asyncio.Task[None] | None = None

    @property
    def written(self) -> str:
        return "".join(self._pager.pages)

    async def write(self, text: str) -> None:
        if not text:
            return
        self._pager.add(text)
        wait = self._last_flush + self._interval - time.monotonic()
        if wait <= 0:
            await self._flush()
        elif self._pending is None:
            self._pending = asyncio.create_task(self._flush_later(wait))

    async def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        await self._flush(final=True)

    async def _flush_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._pending = None  # from here close() no longer cancels this: it waits for the lock
        try:
            await self._flush()
        except SlackApiError as err:  # close() sends it all again and reports a failure
            log.warning("an update of the answer failed: %s", err.response.get("error"))

    async def _flush(self, final: bool = False) -> None:
        async with self._lock:
            self._last_flush = time.monotonic()
            pages = self._pager.pages
            for index, page in enumerate(pages):
                if not page.strip():
                    continue
                while len(self._messages) <= index:
                    self._messages.append(_Message())
                message = self._messages[index]
                done = final or index < len(pages) - 1
                if message.sent < len(page) or done:
                    await self._send(message, page, done)

    async def _send(self, message: _Message, page: str, done: bool) -> None:
        if message.sent == len(page) and message.stream is None and message.ts is not None:
            return  # an edited message with nothing new: it is already final
        new = page[message.sent :]
        if message.stream is None and message.ts is None and self._support.worth_trying:
            message.stream = await self._start_stream()
        stream = message.stream
        if stream is not None:
            try:
                if new:
                    await stream.append(markdown_text=new)
                if done:
                    await stream.stop()
                    message.ts, message.stream = stream.ts, None
                message.sent = len(page)
                return
            except SlackApiError as err:
                error = err.response.get("error")
                if stream.ts is None:
                    log.info("Slack refused a streaming message (%s); editing messages instead", error)
                    self._support.refused()
                else:
                    log.info("streaming message ended early (%s); finishing it by editing", error)
                message.ts, message.stream = stream.ts, None
        if message.ts is None:
            posted = await self._client.chat_postMessage(
                channel=self._channel, thread_ts=self._thread_ts, markdown_text=page
            )
            message.ts = str(posted["ts"])
        else:
            await self._client.chat_update(channel=self._channel, ts=message.ts, markdown_text=page)
        message.sent = len(page)

    async def _start_stream(self) -> AsyncChatStream:
        return await self._client.chat_stream(
            channel=self._channel,
            thread_ts=self._thread_ts,
            recipient_user_id=self._recipient_user,
            recipient_team_id=self._recipient_team,
            buffer_size=1,  # this writer does its own buffering, by time
        )


class Replier:
    """Writes into the threads of one workspace: answers, and the bot's own short notices."""

    def __init__(self, client: AsyncWebClient, support: StreamingSupport) -> None:
        self._client = client
        self._support = support

    def writer(self, channel: str, thread_ts: str, user: str, team: str | None) -> AnswerWriter:
        return AnswerWriter(self._client, channel, thread_ts, user, team, self._support)

    async def notice(self, channel: str, thread_ts: str, text: str) -> None:
        """A short message from the bot itself (a failure, a skipped file), in mrkdwn."""
        try:
            await self._client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as err:
            log.error("could not post a notice in %s: %s", channel, err.response.get("error"))


async def post_question(
    client: AsyncWebClient, channel: str, thread_ts: str | None, user: str, question: str
) -> str:
    """Post, as the bot, a question someone asked privately (slash command, shortcut),
    marked so that reading the thread back gives it to the asker. Returns its ts."""
    posted = await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=f"<@{user}> asked: {question}",
        metadata={"event_type": QUESTION_EVENT_TYPE, "event_payload": {"user": user, "question": question}},
    )
    return str(posted["ts"])
