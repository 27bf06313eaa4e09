"""Test pictures, drawn with Pillow: photos with GPS, bombs, impostors."""

import io
import struct
import zlib

from PIL import Image as Pillow
from PIL import ImageDraw, ImageFilter

GPS_LATITUDE = (51.0, 30.0, 12.34)


def scene(width: int = 640, height: int = 480, mode: str = "RGB") -> Pillow.Image:
    """An abstract scene: a gradient sky, a sun and two hills."""
    image = Pillow.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Pillow.merge(
        "RGB", [image.getchannel(0).point(lambda v: 40 + v // 3)] * 2 + [image.getchannel(0)]
    )
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (width * 0.6, height * 0.1, width * 0.8, height * 0.1 + width * 0.2), fill=(250, 200, 60)
    )
    draw.polygon(
        [(0, height), (width * 0.4, height * 0.5), (width * 0.9, height)], fill=(40, 110, 70)
    )
    draw.polygon(
        [
            (width * 0.3, height),
            (width * 0.8, height * 0.6),
            (width, height * 0.8),
            (width, height),
        ],
        fill=(30, 80, 50),
    )
    image = image.filter(ImageFilter.GaussianBlur(1))
    return image if mode == "RGB" else image.convert(mode)


def jpeg(width: int = 640, height: int = 480, **save) -> bytes:
    out = io.BytesIO()
    scene(width, height).save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def jpeg_with_gps(width: int = 1800, height: int = 1200, orientation: int = 1) -> bytes:
    """A phone photo: GPS position, camera serial, a comment and XMP."""
    exif = Pillow.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    gps = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>'
        b'<rdf:Description GPSLatitude="51,30N"/></rdf:RDF></x:xmpmeta>'
    )
    return jpeg(width, height, exif=exif.tobytes(), comment=b"secret source", xmp=xmp)


def png(width: int = 640, height: int = 480, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    scene(width, height, mode).save(out, "PNG")
    return out.getvalue()


def png_16_bit_grey(width: int = 300, height: int = 200) -> bytes:
    image = Pillow.new("I;16", (width, height))
    image.putdata([(x * 65535) // (width - 1) for _ in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def cmyk_jpeg(width: int = 600, height: int = 400) -> bytes:
    out = io.BytesIO()
    scene(width, height).convert("CMYK").save(out, "JPEG", quality=90)
    return out.getvalue()


def animated_gif(width: int = 200, height: int = 120, frames: int = 4) -> bytes:
    colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]
    images = [Pillow.new("RGB", (width, height), colours[n % 4]) for n in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def webp(width: int = 640, height: int = 480, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    scene(width, height, mode).save(out, "WEBP")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb_header(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * 16) * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def reopen(data: bytes) -> Pillow.Image:
    image = Pillow.open(io.BytesIO(data))
    image.load()
    return image
