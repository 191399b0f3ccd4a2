"""Answer text and a reasoning model's thinking, told apart while they stream.

Models like `reka-flash-3` write `<reasoning>...</reasoning>` (others `<think>...</think>`)
before their answer; tags may be cut anywhere between two chunks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from bot.models.base import Chunk, Usage

_TAGS = {"<reasoning>": "</reasoning>", "<think>": "</think>"}


class ReasoningFilter:
    def __init__(self) -> None:
        self._pending = ""
        self._closing: str | None = None  # the tag that ends the reasoning we are in

    def feed(self, text: str) -> tuple[str, str]:
        """(answer, reasoning) that `text` adds; a possible tag's start is held back."""
        self._pending += text
        answer, reasoning = [], []
        while self._pending:
            if self._closing is None:
                start, opening = _first(self._pending, list(_TAGS))
                if opening is None:
                    keep = _partial_tail(self._pending, list(_TAGS))
                    answer.append(self._pending[: len(self._pending) - keep])
                    self._pending = self._pending[len(self._pending) - keep :]
                    break
                answer.append(self._pending[:start])
                self._pending = self._pending[start + len(opening) :]
                self._closing = _TAGS[opening]
            else:
                end = self._pending.find(self._closing)
                if end < 0:
                    keep = _partial_tail(self._pending, [self._closing])
                    reasoning.append(self._pending[: len(self._pending) - keep])
                    self._pending = self._pending[len(self._pending) - keep :]
                    break
                reasoning.append(self._pending[:end])
                self._pending = self._pending[end + len(self._closing) :]
                self._closing = None
        return "".join(answer), "".join(reasoning)

    def finish(self) -> tuple[str, str]:
        """What was held back, once the stream is over."""
        rest, self._pending = self._pending, ""
        return ("", rest) if self._closing is not None else (rest, "")


def _first(text: str, tags: list[str]) -> tuple[int, str | None]:
    found = [(text.find(tag), tag) for tag in tags if tag in text]
    return min(found) if found else (-1, None)


def _partial_tail(text: str, tags: list[str]) -> int:
    """How many characters at the end of `text` could be the start of a tag."""
    return max(
        (n for tag in tags for n in range(1, len(tag)) if text.endswith(tag[:n])),
        default=0,
    )


async def without_reasoning(
    chunks: AsyncIterator[Chunk],
    write: Callable[[str], Awaitable[None]],
    on_reasoning: Callable[[], object] = lambda: None,
) -> tuple[str | None, Usage | None, str]:
    """Pass the answer's text to `write` as it comes, without the model's reasoning (and
    without the blank lines after it); returns why the model stopped, what it cost, and
    the reasoning. `on_reasoning` is called while the model reasons."""
    finish_reason, usage, reasoning = None, None, []
    split = ReasoningFilter()
    started = False
    async for chunk in chunks:
        text, thought = split.feed(chunk.text)
        if thought or chunk.reasoning:
            reasoning.append(thought + chunk.reasoning)
            on_reasoning()
        text = text if started else text.lstrip()
        started = started or bool(text)
        await write(text)
        finish_reason = chunk.finish_reason or finish_reason
        usage = chunk.usage or usage
    text, thought = split.finish()
    reasoning.append(thought)
    await write(text if started else text.lstrip())
    return finish_reason, usage, "".join(reasoning)
