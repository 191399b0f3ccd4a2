"""Model backends (Reka's native API, OpenAI-compatible servers) and the named profiles
that choose between them."""

from __future__ import annotations

import logging

import aiohttp

from bot.models import openai_compat, reka
from bot.models.base import ChatModel
from bot.models.http import HttpChat, Wire
from bot.models.profiles import Backend, Profile

log = logging.getLogger(__name__)

WIRES: dict[Backend, Wire] = {"reka": reka.WIRE, "openai": openai_compat.WIRE}


def connect(
    profile: Profile, session: aiohttp.ClientSession, silence_timeout: float, retry_seconds: float
) -> ChatModel:
    """The client for `profile`, in its backend's wire shape."""
    return HttpChat(session, profile, WIRES[profile.backend], silence_timeout, retry_seconds)


class Models:
    """Every configured profile with its client; unknown names fall back to the default
    (a saved channel setting may name a profile that was since removed)."""

    def __init__(
        self,
        profiles: dict[str, Profile],
        default: str,
        session: aiohttp.ClientSession,
        silence_timeout: float,
        retry_seconds: float,
    ) -> None:
        self.profiles = profiles
        self.default = default
        self._clients = {
            name: connect(profile, session, silence_timeout, retry_seconds)
            for name, profile in profiles.items()
        }

    def get(self, name: str | None) -> tuple[Profile, ChatModel]:
        if name not in self.profiles:
            if name is not None:
                log.warning("profile %s is no longer configured; using %s", name, self.default)
            name = self.default
        return self.profiles[name], self._clients[name]
