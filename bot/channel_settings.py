"""What each workspace and channel chose: model profile, system prompt, answer language,
and which channels the bot answers in.

A channel's choice wins over its workspace's, which wins over the defaults. Saved in the
state store (so every replica sees them), cached here for `cache_seconds`: a change made
on this replica applies to the next answer, on another within that time, never needing
a restart.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from bot.state import StateStore

log = logging.getLogger(__name__)

_CACHE_ENTRIES = 10_000


class Saved(BaseModel):
    """The choices of one workspace or one channel; None means "as above"."""

    profile: str | None = None
    system_prompt: str | None = None
    language: str | None = None  # None: the asker's Slack locale
    channels: list[str] | None = None  # the workspace's allow-list; None: every channel


@dataclass(frozen=True)
class Effective:
    """The settings that apply to one answer, and where each came from."""

    profile: str
    system_prompt: str | None
    language: str | None
    allowed: bool
    sources: dict[str, str]  # field -> "channel", "workspace" or "default"


def is_direct(channel: str) -> bool:
    """Direct messages are always answered: the allow-list is for channels."""
    return channel.startswith("D")


class ChannelSettings:
    def __init__(self, state: StateStore, default_profile: str, cache_seconds: float) -> None:
        self._state = state
        self._default_profile = default_profile
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Saved]] = {}

    @staticmethod
    def _key(team: str | None, channel: str | None) -> str:
        return f"settings:{team or '-'}" + (f":{channel}" if channel else "")

    async def saved(self, team: str | None, channel: str | None = None) -> Saved:
        """What the workspace (no channel) or the channel chose itself."""
        key = self._key(team, channel)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        raw = await self._state.get(key)
        try:
            value = Saved.model_validate_json(raw) if raw else Saved()
        except ValidationError:
            log.error("the saved settings under %s are unreadable; using the defaults", key)
            value = Saved()
        if len(self._cache) >= _CACHE_ENTRIES:
            self._cache.clear()  # a bound on memory across many workspaces and channels
        self._cache[key] = (time.monotonic() + self._cache_seconds, value)
        return value

    async def save(self, team: str | None, channel: str | None, value: Saved) -> None:
        key = self._key(team, channel)
        await self._state.put(key, value.model_dump_json(exclude_none=True))
        self._cache[key] = (time.monotonic() + self._cache_seconds, value)

    async def effective(self, team: str | None, channel: str) -> Effective:
        workspace = await self.saved(team)
        here = Saved() if is_direct(channel) else await self.saved(team, channel)
        sources: dict[str, str] = {}

        def pick(name: str, default: str | None) -> str | None:
            for source, saved in (("channel", here), ("workspace", workspace)):
                value = getattr(saved, name)
                if value:
                    sources[name] = source
                    return str(value)
            sources[name] = "default"
            return default

        allowed = is_direct(channel) or workspace.channels is None or channel in workspace.channels
        return Effective(
            profile=pick("profile", self._default_profile) or self._default_profile,
            system_prompt=pick("system_prompt", None),
            language=pick("language", None),
            allowed=allowed,
            sources=sources,
        )
