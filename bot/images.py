"""Images the model can take: HEIC, TIFF, BMP and animated GIFs converted, EXIF orientation
applied, anything larger than the edge or byte limit scaled down (Pillow, pillow-heif)."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from bot.failures import FileSkipped
from bot.media import Attachment

log = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

# Formats the model takes as they are (when they need no other change).
PASS_THROUGH = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_ORIENTATION = 0x0112
Image.MAX_IMAGE_PIXELS = 200_000_000  # refuse decompression bombs beyond this


def prepare(image: Attachment, max_edge: int, max_bytes: int) -> Attachment:
    """The image as the model should get it. Blocking: run it in a thread."""
    try:
        with Image.open(io.BytesIO(image.content)) as opened:
            animated = getattr(opened, "is_animated", False)
            rotated = opened.getexif().get(_ORIENTATION, 1) not in (1, None)
            fits = max(opened.size) <= max_edge and image.size <= max_bytes
            if image.mime in PASS_THROUGH and fits and not animated and not rotated:
                return image
            opened.seek(0)
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        log.info("image %s could not be decoded: %s", image.name, type(err).__name__)
        raise FileSkipped(image.name, "it looks like an image but could not be opened") from None
    what = []
    if image.mime not in PASS_THROUGH:
        what.append(f"converted from {(image.mime or 'image').split('/')[-1].upper()}")
    if animated:
        what.append("first frame of an animation")
    content, mime, size = _encode(picture, max_edge, max_bytes)
    if size != picture.size:
        what.append(f"scaled down from {picture.size[0]}x{picture.size[1]} to {size[0]}x{size[1]}")
    return replace(image, content=content, mime=mime, note=", ".join(what) or None)


def _encode(picture: Image.Image, max_edge: int, max_bytes: int) -> tuple[bytes, str, tuple[int, int]]:
    """JPEG for photos, PNG where there is transparency; smaller until it fits."""
    alpha = picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info)
    edge = min(max_edge, max(picture.size))
    while True:
        copy = picture.copy()
        copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if alpha:
            copy.convert("RGBA").save(out, format="PNG", optimize=True)
        else:
            copy.convert("RGB").save(out, format="JPEG", quality=85)
        if out.tell() <= max_bytes or edge <= 256:
            return out.getvalue(), "image/png" if alpha else "image/jpeg", copy.size
        edge = int(edge * 0.75)
