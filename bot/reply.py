"""Answer text -> Slack messages in the thread: Markdown, split to fit Slack's limits."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# `markdown_text` takes 12,000 characters per message; keep a margin.
MARKDOWN_LIMIT = 11_000
_FENCE = "```"


def split_markdown(text: str, limit: int = MARKDOWN_LIMIT) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, at paragraph or line ends.
    A code block cut in two is closed at the end of one piece and reopened in the next."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    fence: str | None = None  # the opening line of the code block we are in
    for line in _lines(text, limit - 2 * len(_FENCE) - 2):
        closing = f"\n{_FENCE}" if fence is not None else ""
        if current and size + len(line) + len(closing) > limit:
            cut = _paragraph_cut(current) if fence is None else len(current)
            head, current = current[:cut], current[cut:]
            pieces.append("".join(head).rstrip("\n") + closing)
            if fence is not None:
                current.insert(0, fence + "\n")
            size = sum(map(len, current))
        current.append(line)
        size += len(line)
        if line.lstrip().startswith(_FENCE):
            fence = None if fence is not None else line.rstrip("\n")
    if current:
        pieces.append("".join(current).rstrip("\n"))
    return [p for p in pieces if p.strip()]


def _lines(text: str, limit: int) -> list[str]:
    """The lines of `text` with their newlines, a line longer than `limit` cut up."""
    out = []
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            out.append(line[:limit] + "\n")
            line = line[limit:]
        out.append(line)
    return out


def _paragraph_cut(lines: list[str]) -> int:
    """Where to cut: after the last blank line if there is one in the second half."""
    for i in range(len(lines) - 1, len(lines) // 2, -1):
        if not lines[i].strip():
            return i + 1
    return len(lines)


class Replier:
    """Posts into one thread as the bot."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def answer(self, channel: str, thread_ts: str, text: str) -> None:
        """The model's answer, rendered from Markdown by Slack, in as many messages as it takes."""
        for piece in split_markdown(text):
            await self._client.chat_postMessage(channel=channel, thread_ts=thread_ts, markdown_text=piece)

    async def notice(self, channel: str, thread_ts: str, text: str) -> None:
        """A short message from the bot itself (a failure, a skipped file), in mrkdwn."""
        try:
            await self._client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as err:
            log.error("could not post a notice in %s: %s", channel, err.response.get("error"))
