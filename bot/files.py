"""Slack file -> bytes: the bot token goes to Slack's file hosts only, redirects are
followed by hand, reading stops at the size cap, and Slack's sign-in page is recognised."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.failures import FileSkipped, MissingFilesScope
from bot.media import Kind, kind_of, sniff_mime

log = logging.getLogger(__name__)

# files.slack.com, files-edu.slack.com, files-pri.slack.com, files.slack-gov.com, slack-files.com
_SLACK_FILE_HOST = re.compile(r"^(files(-[a-z0-9]+)?\.slack(-gov)?\.com|slack-files\.com)$")
_MAX_REDIRECTS = 5
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class SlackFile:
    """The parts of a Slack file object the bot needs."""

    id: str
    name: str
    mimetype: str
    size: int | None
    url: str | None
    mode: str
    filetype: str | None = None  # Slack's name for the format ("python", "markdown", ...)
    needs_info: bool = False  # Slack Connect: the object has no link until `files.info`

    @classmethod
    def from_slack(cls, raw: dict[str, Any]) -> SlackFile:
        return cls(
            id=str(raw.get("id", "")),
            name=str(raw.get("name") or raw.get("title") or raw.get("id") or "file"),
            mimetype=str(raw.get("mimetype") or ""),
            size=raw.get("size") if isinstance(raw.get("size"), int) else None,
            url=raw.get("url_private_download") or raw.get("url_private"),
            mode="external" if raw.get("is_external") else str(raw.get("mode") or "hosted"),
            filetype=raw.get("filetype"),
            needs_info=raw.get("file_access") == "check_file_info",
        )


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


class FileFetcher:
    """Downloads Slack files with the bot token, within a size cap and a time limit."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        max_bytes: int,
        timeout_seconds: float,
        caps: Mapping[Kind, int] | None = None,
    ) -> None:
        self._session = session
        self._api_host = urlsplit(api_url).hostname
        self._max_bytes = max_bytes
        self._caps = caps or {}
        self._timeout = timeout_seconds

    def cap(self, kind: Kind) -> int:
        """The size cap for a kind of file (never above `max_bytes`)."""
        return min(self._max_bytes, self._caps.get(kind, self._max_bytes))

    def trusts(self, url: str) -> bool:
        """Whether the bot token may be sent to this URL's host."""
        host = urlsplit(url).hostname
        return host is not None and (host == self._api_host or bool(_SLACK_FILE_HOST.match(host)))

    async def fetch(self, file: SlackFile, token: str) -> bytearray:
        """The file's bytes, downloaded with the workspace's bot token; `FileSkipped` when this
        one file can't be read, `MissingFilesScope` when Slack shows its sign-in page instead."""
        if file.mode == "external":
            raise FileSkipped(file.name, "it is stored outside Slack, where I don't send my token")
        if file.mode == "tombstone":
            raise FileSkipped(file.name, "it was deleted")
        if file.mode == "hidden_by_limit":
            raise FileSkipped(file.name, "the workspace's plan hides it")
        if not file.url:
            raise FileSkipped(file.name, "Slack gave me no link to download it")
        declared_cap = self.cap(kind_of(file.mimetype))
        if file.size is not None and file.size > declared_cap:
            raise FileSkipped(file.name, f"it is larger than the {_megabytes(declared_cap)} I read")
        try:
            async with asyncio.timeout(self._timeout):
                return await self._download(file, token)
        except TimeoutError:
            raise FileSkipped(file.name, f"downloading it took longer than {self._timeout:g} s") from None
        except aiohttp.ClientError as err:
            log.warning("download of %s failed: %s", file.id, type(err).__name__)
            raise FileSkipped(file.name, "the download failed") from None

    async def _download(self, file: SlackFile, token: str) -> bytearray:
        url = file.url
        assert url is not None
        for _ in range(_MAX_REDIRECTS + 1):
            headers = {"Authorization": f"Bearer {token}"} if self.trusts(url) else {}
            async with self._session.get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                    url = urljoin(url, resp.headers["Location"])
                    continue
                if resp.status != 200:
                    raise FileSkipped(file.name, f"Slack answered HTTP {resp.status}")
                content = await self._read_capped(file, resp)
                if _is_sign_in_page(resp, content, file):
                    raise MissingFilesScope(file.name)
                return content
        raise FileSkipped(file.name, "Slack redirected the download too many times")

    async def _read_capped(self, file: SlackFile, resp: aiohttp.ClientResponse) -> bytearray:
        """The body, read until the cap of the kind its first bytes show (or Slack's type)."""
        content = bytearray()
        cap = self._max_bytes
        async for chunk in resp.content.iter_chunked(_CHUNK):
            if not content:
                cap = self.cap(kind_of(sniff_mime(chunk) or file.mimetype))
            content += chunk
            if len(content) > cap:
                resp.close()  # stop reading: the rest of the body is never fetched
                raise FileSkipped(file.name, f"it is larger than the {_megabytes(cap)} I read")
        return content


def _is_sign_in_page(resp: aiohttp.ClientResponse, content: bytearray, file: SlackFile) -> bool:
    """Slack answers a download it won't allow with 200 and an HTML page."""
    if file.mimetype == "text/html" or file.name.lower().endswith((".html", ".htm")):
        return False
    head = content[:512].lstrip().lower()
    return resp.content_type == "text/html" or head.startswith((b"<!doctype html", b"<html"))
