"""Thumbnail cache for the evidence list: `data_dir/cache/thumbnails/<sha>-<size>.png`.

Images are scaled here with Pillow; PDF pages are rendered by the window (QtPdf) and saved to the
same place. The cache is disposable: it lives outside the evidence store and is never backed up.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from app.fileio import write_bytes_atomic

if TYPE_CHECKING:
    from app.storage.session import Session

Image.MAX_IMAGE_PIXELS = 200_000_000


def thumbnail_dir(ws: Session) -> Path:
    return Path(ws.data_dir) / "cache" / "thumbnails"


def thumbnail_path(ws: Session, sha: str, size: int) -> Path:
    return thumbnail_dir(ws) / f"{sha}-{size}.png"


def image_thumbnail(source: Path, target: Path, size: int) -> Path | None:
    """Write a PNG thumbnail of an image file (JPEG/PNG/TIFF); None when the image cannot be read."""
    image: Image.Image
    try:
        with Image.open(source) as image:
            image.draft("RGB", (size * 2, size * 2))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size))
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return write_bytes_atomic(target, buffer.getvalue())


__all__ = ["thumbnail_dir", "thumbnail_path", "image_thumbnail"]
