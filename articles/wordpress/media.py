"""Files from a WordPress ``wp-content/uploads`` tree.

An attachment's file is found inside the media folder given to the import,
never outside it; the media library (``articles.images``) then checks and
redraws it like any upload, so no EXIF block (GPS, camera serials) leaves
the old site.
"""

from __future__ import annotations

from pathlib import Path


class MediaError(Exception):
    """The attachment's file is missing or outside the media folder."""


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
