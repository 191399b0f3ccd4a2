"""The use case: a question in a Slack thread -> the model's answer in that thread.

Every failure ends in a message in the thread; nothing ends in silence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import conversation
from bot.failures import Failure, FileSkipped, ModelEmptyAnswer, NothingAsked, Unexpected
from bot.files import FileFetcher, SlackFile
from bot.media import Attachment, Kind
from bot.models.reka import RekaChat
from bot.reply import Replier
from bot.thread import ThreadMessage, ThreadReader

log = logging.getLogger(__name__)

_WORKING_REACTION = "eyes"
_PARALLEL_DOWNLOADS = 4


@dataclass(frozen=True)
class Question:
    """Someone asked the bot something: where, and which message is the question."""

    channel: str
    thread_ts: str
    ts: str
    user: str


@dataclass
class _Files:
    attachments: dict[str, Attachment]
    skipped: dict[str, str]


class Answerer:
    """Answers one question at a time per call; safe to call concurrently."""

    def __init__(
        self,
        client: AsyncWebClient,
        threads: ThreadReader,
        fetcher: FileFetcher,
        model: RekaChat,
        replier: Replier,
    ) -> None:
        self._client = client
        self._threads = threads
        self._fetcher = fetcher
        self._model = model
        self._replier = replier

    async def answer(self, question: Question) -> None:
        started = time.monotonic()
        await self._react("reactions_add", question)
        text = ""
        try:
            messages = await self._threads.read(question.channel, question.thread_ts, question.ts)
            files = await self._download(messages)
            speakers = {m.speaker for m in messages if m.role == "user"}
            names = await self._threads.names(speakers) if len(speakers) > 1 else {}
            turns = conversation.build(messages, files.attachments, files.skipped, names)
            if not turns:
                raise NothingAsked()
            async for chunk in self._model.stream(turns):
                text += chunk.text
            if not text.strip():
                raise ModelEmptyAnswer()
            await self._replier.answer(
                question.channel, question.thread_ts, _with_notes(text, messages[-1:], files)
            )
            log.info(
                "answered in %s thread %s: %d messages, %d files, %d characters, %.2f s",
                question.channel,
                question.thread_ts,
                len(messages),
                len(files.attachments),
                len(text),
                time.monotonic() - started,
            )
        except Failure as failure:
            log.info("answer failed: %s", type(failure).__name__)
            if text.strip():
                await self._replier.answer(question.channel, question.thread_ts, text)
            await self._replier.notice(question.channel, question.thread_ts, f":warning: {failure}")
        except Exception:
            log.exception("answer failed unexpectedly")
            await self._replier.notice(question.channel, question.thread_ts, f":warning: {Unexpected()}")
        finally:
            await self._react("reactions_remove", question)

    async def _download(self, messages: Sequence[ThreadMessage]) -> _Files:
        """Every file of the thread, at most a few at once; one file failing skips only it."""
        unique: dict[str, SlackFile] = {f.id: f for m in messages for f in m.files}
        limit = asyncio.Semaphore(_PARALLEL_DOWNLOADS)
        files = _Files({}, {})

        async def one(file: SlackFile) -> None:
            async with limit:
                try:
                    files.attachments[file.id] = await self._fetcher.fetch(file)
                except FileSkipped as skipped:
                    files.skipped[file.id] = skipped.reason

        try:
            async with asyncio.TaskGroup() as group:
                for file in unique.values():
                    group.create_task(one(file))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return files

    async def _react(self, method: str, question: Question) -> None:
        """Show (or clear) that work is under way; a refusal here never stops the answer."""
        try:
            await getattr(self._client, method)(
                channel=question.channel, timestamp=question.ts, name=_WORKING_REACTION
            )
        except SlackApiError as err:
            log.debug("%s refused: %s", method, err.response.get("error"))


def _with_notes(text: str, latest: Sequence[ThreadMessage], files: _Files) -> str:
    """The answer, followed by a line naming each file of the question that was not read."""
    notes = []
    for message in latest:
        for file in message.files:
            attachment = files.attachments.get(file.id)
            if file.id in files.skipped:
                notes.append(f"_I couldn't read {file.name}: {files.skipped[file.id]}._")
            elif attachment is not None and attachment.kind is Kind.OTHER:
                notes.append(f"_I can't read files like {file.name}, so I left it out._")
    return "\n\n".join([text, *notes])
