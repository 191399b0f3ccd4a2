"""Who is asking and where: a person's name, Slack locale and admin rights (`users.info`),
a channel's name (`conversations.info`), cached for a few minutes per workspace."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

_CACHE_SECONDS = 300.0
_CACHE_ENTRIES = 10_000  # beyond this, a cache starts over (a bound on memory, not a policy)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    locale: str | None = None
    is_admin: bool = False  # a workspace admin or owner


class Directory:
    """`admins` are user ids allowed to change settings besides the workspace's admins."""

    def __init__(self, admins: frozenset[str] = frozenset()) -> None:
        self._admins = admins
        self._people: dict[tuple[str | None, str], tuple[float, Person]] = {}
        self._channels: dict[tuple[str | None, str], tuple[float, str]] = {}

    async def person(self, client: AsyncWebClient, team: str | None, user: str) -> Person:
        """What Slack says of `user`; their id alone when Slack won't say."""
        cached = self._people.get((team, user))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            raw = (await client.users_info(user=user, include_locale=True)).get("user") or {}
        except SlackApiError as err:
            log.info("users.info refused: %s", err.response.get("error"))
            return Person(user, user, is_admin=user in self._admins)
        profile = raw.get("profile") or {}
        person = Person(
            id=user,
            name=profile.get("display_name") or profile.get("real_name") or raw.get("name") or user,
            locale=raw.get("locale"),
            is_admin=bool(raw.get("is_admin") or raw.get("is_owner")) or user in self._admins,
        )
        if len(self._people) >= _CACHE_ENTRIES:
            self._people.clear()
        self._people[(team, user)] = (time.monotonic() + _CACHE_SECONDS, person)
        return person

    async def channel(self, client: AsyncWebClient, team: str | None, channel: str) -> str:
        """`#name`, "a direct message", or Slack's reference to the channel when it won't say."""
        if channel.startswith("D"):
            return "a direct message"
        cached = self._channels.get((team, channel))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            info = (await client.conversations_info(channel=channel)).get("channel") or {}
        except SlackApiError as err:
            log.info("conversations.info refused: %s", err.response.get("error"))
            return f"<#{channel}>"
        label = "a group direct message" if info.get("is_mpim") else f"#{info.get('name') or channel}"
        if len(self._channels) >= _CACHE_ENTRIES:
            self._channels.clear()
        self._channels[(team, channel)] = (time.monotonic() + _CACHE_SECONDS, label)
        return label
