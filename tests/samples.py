"""Real media files, made by the tests: images with Pillow, WAV with the stdlib,
MP4 with the ffmpeg that imageio-ffmpeg ships, and a hand-written PDF."""

from __future__ import annotations

import io
import math
import struct
import subprocess
import tempfile
import wave
from functools import cache
from pathlib import Path

from PIL import Image


def image(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    color: str | tuple[int, int, int, int] = "orange",
    mode: str = "RGB",
    **save: object,
) -> bytes:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def rotated_jpeg(size: tuple[int, int] = (60, 40)) -> bytes:
    """A JPEG stored sideways with EXIF orientation 6 (display rotated 90 degrees clockwise)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return image("JPEG", size, exif=exif.tobytes())


def animated_gif(frames: int = 3, size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    pictures = [Image.new("RGB", size, color) for color in ("red", "green", "blue")[:frames]]
    pictures[0].save(out, format="GIF", save_all=True, append_images=pictures[1:], duration=100, loop=0)
    return out.getvalue()


def _ffmpeg(source: list[str], codec: list[str], suffix: str) -> bytes:
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{suffix}"
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", *source, *codec, str(path)], check=True
        )
        return path.read_bytes()


_TONE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
_PICTURE = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1"]
AUDIO_CODECS = {
    ".mp3": ["-c:a", "libmp3lame"],
    ".m4a": ["-c:a", "aac"],
    ".ogg": ["-c:a", "libopus"],
    ".webm": ["-c:a", "libopus"],
    ".mp4": ["-c:a", "aac"],  # a voice clip: an MP4 with no picture
}
VIDEO_CODECS = {
    ".mp4": ["-pix_fmt", "yuv420p", "-c:v", "mpeg4"],
    ".mov": ["-pix_fmt", "yuv420p", "-c:v", "mpeg4"],
    ".webm": ["-c:v", "libvpx"],
}


@cache
def audio(suffix: str) -> bytes:
    return _ffmpeg(_TONE, AUDIO_CODECS[suffix], suffix)


@cache
def video(suffix: str) -> bytes:
    return _ffmpeg(_PICTURE, VIDEO_CODECS[suffix], suffix)


def wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        w.writeframes(frames)
    return out.getvalue()


def mp4() -> bytes:
    return video(".mp4")


def pdf(text: str = "Quarterly report") -> bytes:
    """A one-page PDF with a text line, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
