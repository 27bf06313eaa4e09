"""Abstract scenes drawn with Pillow, for demo content: no third-party photos."""

from __future__ import annotations

import io
import random

from PIL import Image as Pillow
from PIL import ImageDraw, ImageFilter

# name -> (sky top, sky bottom, sun, far hills, near hills)
PALETTES = {
    "dawn": ((38, 52, 110), (250, 180, 140), (255, 236, 170), (112, 86, 140), (52, 48, 92)),
    "noon": ((70, 140, 220), (190, 225, 250), (255, 250, 210), (90, 150, 110), (40, 100, 70)),
    "dusk": ((30, 20, 60), (235, 110, 80), (255, 200, 120), (120, 50, 80), (50, 20, 50)),
    "night": ((8, 12, 40), (40, 60, 110), (235, 235, 220), (30, 40, 70), (12, 18, 36)),
    "mist": ((150, 165, 175), (225, 230, 230), (250, 250, 245), (130, 145, 150), (90, 105, 110)),
    "autumn": ((90, 120, 170), (240, 200, 150), (255, 225, 160), (170, 100, 50), (110, 60, 30)),
}


def scene(seed: str, palette: str, size: tuple[int, int] = (1600, 1000)) -> bytes:
    """A JPEG of a sky, a sun and ridges of hills, the same for the same ``seed``."""
    rng = random.Random(seed)
    width, height = size
    top, bottom, sun, far, near = PALETTES[palette]
    sky = Pillow.linear_gradient("L").resize(size)
    image = Pillow.composite(Pillow.new("RGB", size, bottom), Pillow.new("RGB", size, top), sky)
    draw = ImageDraw.Draw(image)
    radius = rng.randint(height // 14, height // 8)
    cx, cy = rng.randint(radius, width - radius), rng.randint(radius, height // 2)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=sun)
    for colour, base in ((far, 0.55), (near, 0.72)):
        points, x = [(0, height)], 0
        y = height * base
        while x < width:
            points.append((x, y))
            x += rng.randint(width // 20, width // 8)
            y = min(max(y + rng.randint(-height // 8, height // 8), height * 0.35), height * 0.9)
        points += [(width, y), (width, height)]
        draw.polygon(points, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
