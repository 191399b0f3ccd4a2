"""Bytes -> a media value that knows what it is (from its content) and writes its own base64."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import filetype

from bot import containers

# Names that `filetype` gives which the model and browsers know by another name.
_CANONICAL_MIME = {
    "audio/x-wav": "audio/wav",
    "audio/x-flac": "audio/flac",
    "audio/m4a": "audio/mp4",
}
# Containers that hold video, audio or both: their tracks decide.
_AUDIO_OR_VIDEO = {
    "video/mp4": "audio/mp4",
    "video/quicktime": "audio/mp4",
    "video/x-m4v": "audio/mp4",
    "audio/mp4": "audio/mp4",
    "video/webm": "audio/webm",
    "video/x-matroska": "audio/webm",
}
_TEXT_SAMPLE = 64 * 1024

Blob = bytes | bytearray


class Kind(StrEnum):
    """What a file is to the model. `TEXT` goes in as text; `OTHER` is named, not sent."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    PDF = "pdf"
    TEXT = "text"
    OTHER = "other"


def sniff_mime(data: Blob) -> str | None:
    """The MIME type the bytes themselves show, or None when they show none we know."""
    guess = filetype.guess(bytes(data[:8192]))
    if guess is None:
        return None
    mime: str = guess.mime
    return _CANONICAL_MIME.get(mime, mime)


def kind_of(mime: str | None) -> Kind:
    if mime is None:
        return Kind.OTHER
    if mime == "application/pdf":
        return Kind.PDF
    if mime.startswith("text/") or mime in ("application/json", "application/xml", "application/x-yaml"):
        return Kind.TEXT
    major = mime.split("/", 1)[0]
    return {"image": Kind.IMAGE, "video": Kind.VIDEO, "audio": Kind.AUDIO}.get(major, Kind.OTHER)


def _looks_like_text(data: Blob) -> bool:
    sample = bytes(data[:_TEXT_SAMPLE])
    if b"\0" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(sample) - 3  # a character cut by the sample's end
    return True


def identify(data: Blob) -> str | None:
    """The MIME type of the content: by its magic bytes, by its tracks for audio/video
    containers (a voice clip in an MP4 is audio), and UTF-8 without NULs is text."""
    mime = sniff_mime(data)
    if mime in _AUDIO_OR_VIDEO:
        found = containers.tracks(data, mime)
        if found == frozenset({"audio"}):
            return _AUDIO_OR_VIDEO[mime]
        if mime == "audio/mp4" and found is not None:
            return "video/mp4"  # an .m4a that holds a picture track
        return mime
    if mime is None and data and _looks_like_text(data):
        return "text/plain"
    return mime


@dataclass(frozen=True)
class Attachment:
    """One file ready for the model: its name, its bytes, and the type its bytes show."""

    name: str
    content: Blob = field(repr=False)
    mime: str | None = None
    language: str | None = None  # for text: Slack's filetype, to fence it as code
    note: str | None = None  # what was done to it ("converted from HEIC"), for the model

    @classmethod
    def from_bytes(cls, name: str, content: Blob, language: str | None = None) -> Attachment:
        return cls(name=name, content=content, mime=identify(content), language=language)

    @property
    def kind(self) -> Kind:
        return kind_of(self.mime)

    @property
    def size(self) -> int:
        return len(self.content)

    def text(self) -> str:
        return bytes(self.content).decode("utf-8", errors="replace")

    def base64_chunks(self, raw_chunk: int = 3 * 256 * 1024) -> Iterator[bytes]:
        """The content in base64, a piece at a time, so no whole copy of it is ever made."""
        view = memoryview(self.content)
        for start in range(0, len(view), raw_chunk):  # a multiple of 3: no padding inside
            yield base64.b64encode(view[start : start + raw_chunk])
