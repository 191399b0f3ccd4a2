"""Which tracks a media container holds: a voice clip in an MP4 or WebM is audio, not video.

Reads the track headers only: ISO BMFF (`moov/trak/mdia/hdlr`, MP4, M4A, MOV) and
Matroska/EBML (`Segment/Tracks/TrackEntry/TrackType`, WebM, MKV).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

Tracks = frozenset[str]  # of "video", "audio"

_HANDLERS = {b"vide": "video", b"soun": "audio"}
_EBML_TRACK_TYPES = {1: "video", 2: "audio"}


def tracks(data: bytes | bytearray, mime: str) -> Tracks | None:
    """The kinds of track in the container, or None when its headers can't be read."""
    try:
        if mime in ("video/mp4", "video/quicktime", "audio/mp4", "video/x-m4v"):
            found = frozenset(_mp4_handlers(memoryview(data)))
        elif mime in ("video/webm", "video/x-matroska", "audio/webm"):
            found = frozenset(_ebml_track_types(memoryview(data)))
        else:
            return None
    except (IndexError, ValueError, struct.error):
        return None
    return found or None


def _boxes(data: memoryview, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the ISO BMFF boxes in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            raise ValueError("bad box size")
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _mp4_handlers(data: memoryview) -> Iterator[str]:
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for trak, t_start, t_end in _boxes(data, start, end):
            if trak != b"trak":
                continue
            for mdia, m_start, m_end in _boxes(data, t_start, t_end):
                if mdia != b"mdia":
                    continue
                for hdlr, h_start, _ in _boxes(data, m_start, m_end):
                    if hdlr == b"hdlr":
                        handler = bytes(data[h_start + 8 : h_start + 12])
                        if handler in _HANDLERS:
                            yield _HANDLERS[handler]


_SEGMENT, _TRACKS, _TRACK_ENTRY, _TRACK_TYPE, _CLUSTER = 0x18538067, 0x1654AE6B, 0xAE, 0x83, 0x1F43B675


def _vint(data: memoryview, pos: int, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at pos: (value, next pos, all value bits set)."""
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise ValueError("bad EBML number")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _elements(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(id, payload start, element end) of the EBML elements in data[start:end]."""
    pos = start
    while pos < end:
        element, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        stop = end if unknown else min(pos + size, end)
        yield element, pos, stop
        if element == _CLUSTER:
            return  # track headers come before the first cluster
        pos = stop


def _ebml_track_types(data: memoryview) -> Iterator[str]:
    for element, start, end in _elements(data, 0, len(data)):
        if element != _SEGMENT:
            continue
        for child, c_start, c_end in _elements(data, start, end):
            if child != _TRACKS:
                continue
            for entry, e_start, e_end in _elements(data, c_start, c_end):
                if entry != _TRACK_ENTRY:
                    continue
                for field, f_start, f_end in _elements(data, e_start, e_end):
                    if field == _TRACK_TYPE:
                        value = int.from_bytes(data[f_start:f_end], "big")
                        if value in _EBML_TRACK_TYPES:
                            yield _EBML_TRACK_TYPES[value]
            return
