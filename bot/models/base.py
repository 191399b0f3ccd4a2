"""What every model backend speaks: turns (and a system prompt) in, answer chunks out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.conversation import Turn


@dataclass(frozen=True)
class Usage:
    """Tokens one answer cost, as the model reported them."""

    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Chunk:
    """New answer text (and new reasoning, from servers that send it apart), and once the
    model is done, why it stopped and what it cost."""

    text: str
    finish_reason: str | None = None
    usage: Usage | None = None
    reasoning: str = ""


class ChatModel(Protocol):
    """A streaming chat backend for one configured model."""

    @property
    def model(self) -> str:
        """The model's name as its API knows it."""
        ...

    def stream(self, turns: Sequence[Turn], system: str | None = None) -> AsyncIterator[Chunk]:
        """Yield the answer to `turns` as it is written."""
        ...
