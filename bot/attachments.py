"""Slack file -> an `Attachment` ready for the model: from the cache, or resolved
(`files.info`), downloaded, identified by its bytes, converted where needed, and cached."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import images
from bot.cache import MediaCache
from bot.failures import FileSkipped
from bot.files import FileFetcher, SlackFile
from bot.media import Attachment, Kind
from bot.workspace import Workspace

log = logging.getLogger(__name__)


class AttachmentLoader:
    def __init__(
        self,
        fetcher: FileFetcher,
        cache: MediaCache,
        image_max_edge: int,
        image_max_bytes: int,
    ) -> None:
        self._fetcher = fetcher
        self._cache = cache
        self._image_max_edge = image_max_edge
        self._image_max_bytes = image_max_bytes

    async def load(self, file: SlackFile, workspace: Workspace) -> Attachment:
        """`FileSkipped` when this file can't be read (the answer goes on without it)."""
        key = f"{file.id}:{file.size}"
        cached = await self._cache.get(key)
        if cached is not None:
            return cached
        if file.needs_info:
            file = await self._resolve(file, workspace.client)
        content = await self._fetcher.fetch(file, workspace.token)
        attachment = Attachment.from_bytes(file.name, content, language=file.filetype)
        if attachment.kind is Kind.IMAGE:
            attachment = await asyncio.to_thread(
                images.prepare, attachment, self._image_max_edge, self._image_max_bytes
            )
        await self._cache.put(key, attachment)
        return attachment

    async def _resolve(self, file: SlackFile, client: AsyncWebClient) -> SlackFile:
        """Slack Connect files come without a link: `files.info` gives it."""
        try:
            info = await client.files_info(file=file.id)
        except SlackApiError as err:
            log.info("files.info refused for %s: %s", file.id, err.response.get("error"))
            raise FileSkipped(file.name, "Slack would not say where it is stored") from None
        return SlackFile.from_slack(info["file"])
