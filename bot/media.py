"""Bytes -> a media value that knows its type (from its content) and makes its data URL."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from enum import StrEnum

import filetype

# Names that `filetype` gives which the model and browsers know by another name.
_CANONICAL_MIME = {
    "audio/x-wav": "audio/wav",
    "audio/x-flac": "audio/flac",
    "audio/m4a": "audio/mp4",
}


class Kind(StrEnum):
    """What the model is told a file is; `OTHER` files are named, not sent."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    PDF = "pdf"
    OTHER = "other"


def sniff_mime(data: bytes) -> str | None:
    """The MIME type the bytes themselves show, or None when they show none we know."""
    guess = filetype.guess(data[:8192])
    if guess is None:
        return None
    mime: str = guess.mime
    return _CANONICAL_MIME.get(mime, mime)


def kind_of(mime: str | None) -> Kind:
    if mime is None:
        return Kind.OTHER
    if mime == "application/pdf":
        return Kind.PDF
    major = mime.split("/", 1)[0]
    return {"image": Kind.IMAGE, "video": Kind.VIDEO, "audio": Kind.AUDIO}.get(major, Kind.OTHER)


@dataclass(frozen=True)
class Attachment:
    """One downloaded file: its name, its bytes, and the type its bytes show."""

    name: str
    content: bytes = field(repr=False)
    mime: str | None = None

    @classmethod
    def from_bytes(cls, name: str, content: bytes) -> Attachment:
        return cls(name=name, content=content, mime=sniff_mime(content))

    @property
    def kind(self) -> Kind:
        return kind_of(self.mime)

    @property
    def size(self) -> int:
        return len(self.content)

    def data_url(self) -> str:
        """`data:<mime>;base64,...`; see `data_url_async` for large files."""
        if self.mime is None:
            raise ValueError(f"{self.name} has no known type to put in a data URL")
        return f"data:{self.mime};base64," + base64.b64encode(self.content).decode("ascii")

    async def data_url_async(self) -> str:
        """The data URL, encoded off the event loop so Slack keeps being acknowledged."""
        return await asyncio.to_thread(self.data_url)
