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

from bot import conversation, instructions, logs, metrics
from bot.attachments import AttachmentLoader
from bot.channel_settings import ChannelSettings
from bot.failures import (
    Failure,
    FileSkipped,
    Interrupted,
    ModelEmptyAnswer,
    NothingAsked,
    NotInThisChannel,
    RateLimited,
    Unexpected,
)
from bot.files import SlackFile
from bot.media import Attachment, Kind
from bot.models import Models
from bot.models.base import Usage
from bot.people import Directory
from bot.progress import Progress
from bot.reasoning import without_reasoning
from bot.reply import AnswerWriter, Replier, StreamingSupport
from bot.state import Lease, StateStore
from bot.thread import ThreadMessage, ThreadReader
from bot.usage import UsageLedger
from bot.workspace import Workspace

log = logging.getLogger(__name__)

CUT_OFF_NOTE = "_The answer was cut off at its length limit. Ask me to continue for the rest._"
_TOLD_FOR_SECONDS = 30 * 24 * 3600  # a file not read is mentioned once per thread


@dataclass(frozen=True)
class Question:
    """Someone asked the bot something: where, and which message is the question."""

    channel: str
    thread_ts: str
    ts: str
    user: str
    workspace: Workspace
    event_id: str | None = None

    @property
    def team(self) -> str | None:
        return self.workspace.team


@dataclass(frozen=True)
class RateLimits:
    """Questions allowed per user and per channel in a window (0: no limit)."""

    per_user: int
    per_channel: int
    window_seconds: int


@dataclass
class _Files:
    attachments: dict[str, Attachment]
    skipped: dict[str, str]


@dataclass(frozen=True)
class Services:
    """Where the answer's choices come from and where its cost goes."""

    models: Models
    settings: ChannelSettings
    directory: Directory
    ledger: UsageLedger
    command: str  # the slash command, named in messages ("/reka")
    show_reasoning: bool = False


class Answerer:
    """Answers one question at a time per call; safe to call concurrently."""

    def __init__(
        self,
        loader: AttachmentLoader,
        services: Services,
        state: StateStore,
        budget: conversation.Budget,
        parallel_downloads: int,
        max_concurrent: int,
        limits: RateLimits,
    ) -> None:
        self._loader = loader
        self._services = services
        self._state = state
        self._streaming: dict[str | None, StreamingSupport] = {}  # per workspace
        self._budget = budget
        self._parallel_downloads = parallel_downloads
        self._limits = limits
        self._slots = asyncio.Semaphore(max_concurrent)
        self._running: set[asyncio.Task[None]] = set()

    async def answer(self, question: Question) -> None:
        """Answer in the thread: at most `max_concurrent` answers at once in this process,
        one at a time per thread (across replicas), and never silently dropped."""
        logs.bind(
            team=question.team, channel=question.channel, thread=question.thread_ts, event=question.event_id
        )
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        metrics.IN_FLIGHT.inc()
        started = time.monotonic()
        client = question.workspace.client
        replier = Replier(client, self._streaming.setdefault(question.team, StreamingSupport()))
        progress = Progress(client, question.channel, question.thread_ts, question.ts)
        writer = replier.writer(question.channel, question.thread_ts, question.user, question.team)
        lease: Lease | None = None
        try:
            refusal = await self._over_limit(question)
            if refusal is not None:
                metrics.ANSWERS.labels("rate_limited").inc()
                await replier.notice(question.channel, question.thread_ts, f":hourglass: {refusal}")
                return
            if self._slots.locked():
                progress.show("is queued behind other questions...")
            async with self._slots:
                lease = await self._state.acquire(
                    f"thread:{question.channel}:{question.thread_ts}",
                    on_wait=lambda: progress.show("is waiting for the answer before this one..."),
                )
                outcome = await self._compose(question, progress, replier, writer)
            metrics.ANSWERS.labels(outcome).inc()
            metrics.SECONDS.observe(time.monotonic() - started)
        except asyncio.CancelledError:
            metrics.ANSWERS.labels("interrupted").inc()
            log.warning("answer interrupted")
            await self._keep_what_was_written(writer)
            await replier.notice(question.channel, question.thread_ts, f":warning: {Interrupted()}")
            raise
        except Exception:  # the state store failed: still, never silence
            log.exception("answer failed before it started")
            metrics.FAILURES.labels("Unexpected").inc()
            await replier.notice(question.channel, question.thread_ts, f":warning: {Unexpected()}")
        finally:
            if lease is not None:
                await lease.release()
            await progress.clear()
            self._running.discard(task)
            metrics.IN_FLIGHT.dec()

    async def _over_limit(self, question: Question) -> RateLimited | None:
        window = self._limits.window_seconds
        checks = [
            ("You", self._limits.per_user, f"user:{question.team}:{question.user}"),
            ("This channel", self._limits.per_channel, f"channel:{question.team}:{question.channel}"),
        ]
        for who, limit, key in checks:
            if limit and await self._state.count(f"rate:{key}", window) > limit:
                return RateLimited(who, limit, window)
        return None

    async def drain(self, grace_seconds: float) -> None:
        """Let the answers in flight finish within `grace_seconds`; interrupt the rest (each
        tells its thread to ask again)."""
        running = set(self._running)
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace_seconds)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=10)

    async def _compose(
        self, question: Question, progress: Progress, replier: Replier, writer: AnswerWriter
    ) -> str:
        """Read, download, ask, write; returns the outcome ("answered" or "failed")."""
        started = time.monotonic()
        services = self._services
        system_prompt: asyncio.Task[str] | None = None
        try:
            chosen = await services.settings.effective(question.team, question.channel)
            if not chosen.allowed:
                raise NotInThisChannel(services.command)
            profile, model = services.models.get(chosen.profile)
            # Who asks and where (for the system prompt): looked up while the thread is read.
            system_prompt = asyncio.create_task(
                self._system_prompt(question, chosen.system_prompt, chosen.language)
            )
            progress.show("is reading the thread...")
            threads = ThreadReader(question.workspace.client, question.workspace.identity)
            messages = await threads.read(question.channel, question.thread_ts, question.ts)
            file_count = len({f.id for m in messages for f in m.files})
            if file_count:
                progress.show(f"is reading {file_count} file{'s' if file_count > 1 else ''}...")
            files = await self._download(messages, question.workspace)
            speakers = {m.speaker for m in messages if m.role == "user"}
            names = await self._names(question, speakers) if len(speakers) > 1 else {}
            sent = conversation.build(
                messages, files.attachments, files.skipped, names, profile.budget(self._budget)
            )
            if not sent.turns:
                raise NothingAsked()
            system = await system_prompt
            progress.show("is thinking...")
            finish_reason, usage, reasoning = await without_reasoning(
                model.stream(sent.turns, system),
                writer.write,
                on_reasoning=lambda: progress.show("is reasoning..."),
            )
            if not writer.written.strip():
                raise ModelEmptyAnswer()
            notes = await self._notes(question, messages, files, sent.left_out)
            if finish_reason == "length":
                notes.insert(0, CUT_OFF_NOTE)
            if reasoning.strip() and services.show_reasoning:
                notes.insert(0, _quoted_reasoning(reasoning))
            if notes:
                await writer.write("\n\n" + "\n\n".join(notes))
            await writer.close()
            _count(files, usage)
            await services.ledger.record(question.team, question.channel, question.user, profile.model, usage)
            seconds = round(time.monotonic() - started, 3)
            log.info(
                "answered with %s: %d messages, %d files, %d characters, %.2f s",
                profile.name,
                len(messages),
                len(files.attachments),
                len(writer.written),
                seconds,
                extra={
                    "seconds": seconds,
                    "files": len(files.attachments),
                    "usage": vars(usage) if usage else {},
                },
            )
        except Failure as failure:
            log.info("answer failed: %s", type(failure).__name__)
            metrics.FAILURES.labels(type(failure).__name__).inc()
            await self._keep_what_was_written(writer)
            await replier.notice(question.channel, question.thread_ts, f":warning: {failure}")
            return "failed"
        except Exception:
            log.exception("answer failed unexpectedly")
            metrics.FAILURES.labels("Unexpected").inc()
            await replier.notice(question.channel, question.thread_ts, f":warning: {Unexpected()}")
            return "failed"
        finally:
            if system_prompt is not None and not system_prompt.done():
                system_prompt.cancel()  # the answer ended before it needed the prompt
        return "answered"

    async def _names(self, question: Question, speakers: set[str]) -> dict[str, str]:
        """Display names of the people in the thread (ids where Slack won't say)."""
        people = [u for u in sorted(speakers) if not u.startswith("bot:")]
        client, team = question.workspace.client, question.team
        found = await asyncio.gather(*(self._services.directory.person(client, team, u) for u in people))
        return {person.id: person.name for person in found}

    async def _system_prompt(self, question: Question, template: str | None, language: str | None) -> str:
        client, team, directory = question.workspace.client, question.team, self._services.directory
        asker, where = await asyncio.gather(
            directory.person(client, team, question.user), directory.channel(client, team, question.channel)
        )
        return instructions.system_prompt(
            template,
            channel=where,
            asker=asker.name,
            language=language or instructions.language_of(asker.locale),
        )

    @staticmethod
    async def _keep_what_was_written(writer: AnswerWriter) -> None:
        try:
            await writer.close()
        except SlackApiError as err:
            log.warning("could not finish the partial answer: %s", err.response.get("error"))

    async def _download(self, messages: Sequence[ThreadMessage], workspace: Workspace) -> _Files:
        """Every file of the thread, at most a few at once; one file failing skips only it."""
        unique: dict[str, SlackFile] = {f.id: f for m in messages for f in m.files}
        limit = asyncio.Semaphore(self._parallel_downloads)
        files = _Files({}, {})

        async def one(file: SlackFile) -> None:
            async with limit:
                try:
                    files.attachments[file.id] = await self._loader.load(file, workspace)
                except FileSkipped as skipped:
                    files.skipped[file.id] = skipped.reason

        try:
            async with asyncio.TaskGroup() as group:
                for file in unique.values():
                    group.create_task(one(file))
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return files

    async def _notes(
        self, question: Question, messages: Sequence[ThreadMessage], files: _Files, left_out: dict[str, str]
    ) -> list[str]:
        """A line for each file of the thread that was not read or not sent, once per thread."""
        notes = []
        for file in {f.id: f for m in messages for f in m.files}.values():
            attachment = files.attachments.get(file.id)
            if file.id in left_out:
                note = f"_I didn't send {file.name} to the model: {left_out[file.id]}._"
            elif file.id in files.skipped:
                note = f"_I couldn't read {file.name}: {files.skipped[file.id]}._"
            elif attachment is not None and attachment.kind is Kind.OTHER:
                note = f"_I can't read files like {file.name}, so I left it out._"
            else:
                continue
            told = f"told:{question.channel}:{question.thread_ts}:{file.id}"
            if await self._state.claim(told, _TOLD_FOR_SECONDS):
                notes.append(note)
        return notes


def _quoted_reasoning(reasoning: str) -> str:
    quoted = "\n".join(f"> {line}" if line else ">" for line in reasoning.strip().splitlines())
    return f"*How I got there*\n{quoted}"


def _count(files: _Files, usage: Usage | None) -> None:
    for attachment in files.attachments.values():
        metrics.FILES.labels(attachment.kind.value).inc()
        metrics.FILE_BYTES.labels(attachment.kind.value).inc(attachment.size)
    metrics.TOKENS.labels("input").inc(usage.input_tokens if usage else 0)
    metrics.TOKENS.labels("output").inc(usage.output_tokens if usage else 0)
