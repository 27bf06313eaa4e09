"""Uploads from a WordPress ``wp-content/uploads`` tree, checked like any upload.

Until the media library exists, an attachment is used as an article's lead
image only. The file must be an image Pillow can decode (size-capped against
decompression bombs); it is re-encoded, so no EXIF block (GPS, camera
serials) leaves the old site.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

# Larger than any photo a newsroom publishes; Pillow's own default warns only.
MAX_PIXELS = 60_000_000
MAX_BYTES = 50 * 1024 * 1024
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


class MediaError(Exception):
    """The attachment's file is missing or is not an image we accept."""


def find(media_dir: Path, relative: str) -> Path:
    """``relative`` (``_wp_attached_file``, e.g. ``2022/05/stage.jpg``) inside
    ``media_dir``; never a path outside it."""
    root = media_dir.resolve()
    path = (root / relative.lstrip("/")).resolve()
    if not path.is_relative_to(root):
        raise MediaError(f"{relative}: outside the media folder")
    if not path.is_file():
        raise MediaError(f"{relative}: no such file in {media_dir}")
    return path


def reencoded(path: Path) -> ContentFile:
    """The image at ``path`` decoded and encoded again without metadata."""
    if path.stat().st_size > MAX_BYTES:
        raise MediaError(f"{path.name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise MediaError(f"{path.name}: more than {MAX_PIXELS:,} pixels")
                kind = image.format
                if kind not in FORMATS:
                    raise MediaError(f"{path.name}: {kind or 'unknown'} images are not accepted")
                image.load()
                if kind == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                output = io.BytesIO()
                # No exif=, icc_profile= or pnginfo=: nothing but the pixels is written.
                options = {"quality": 88, "optimize": True} if kind in ("JPEG", "WEBP") else {}
                image.save(output, format=kind, **options)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"{path.name}: not an image, or too large to decode") from None
    except OSError as error:
        raise MediaError(f"{path.name}: cannot be read ({error})") from None
    return ContentFile(output.getvalue(), name=f"{path.stem}.{FORMATS[kind]}")
