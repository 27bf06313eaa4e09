"""Uploaded pictures, checked and redrawn from their pixels, and their renditions.

Nothing here touches the database or storage: ``prepare()`` takes the bytes
of an upload and either refuses them with a ``ValidationError`` that says why,
or returns a clean original and every rendition as bytes. Checks run before
anything is decoded: the byte cap, the format (from the bytes, never the
name), the pixel cap from the header, active content hidden in the file.

The stored original is re-encoded from the pixels, so no metadata survives:
EXIF (GPS, camera serial), comments, XMP and IPTC are simply not written. EXIF
orientation is applied first; a colour profile is converted to sRGB. An
animated GIF keeps its first frame only (a still picture: article images are
photographs and illustrations, and a GIF animation costs megabytes).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image as Pillow
from PIL import ImageCms, ImageOps, UnidentifiedImageError

# Pillow's identifiers of the formats accepted; everything else is refused.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
# Renditions: these widths (never wider than the original), WebP and the
# original's family, plus one OpenGraph crop.
WIDTHS = (480, 800, 1200, 1600)
SOCIAL_SIZE = (1200, 630)
JPEG_QUALITY = 82
WEBP_QUALITY = 78

# Formats people try to upload, recognised by their first bytes, so the
# refusal can name them rather than say "unknown".
_KNOWN_REFUSALS = (
    (re.compile(rb"^(%!PS|\xc5\xd0\xd3\xc6)"), "EPS"),
    (re.compile(rb"^(II\*\x00|MM\x00\*)"), "TIFF"),
    (re.compile(rb"^8BPS"), "PSD"),
    (re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+)?svg", re.I | re.S), "SVG"),
    (re.compile(rb"^\s*<(!doctype|html|head|body|script)", re.I), "HTML"),
    (re.compile(rb"^%PDF"), "PDF"),
)
# Markup or code inside a picture: a polyglot, a file that is also a web page
# or a script. Re-encoding would drop it, but a file built to be two things is
# refused outright rather than quietly cleaned.
_ACTIVE_CONTENT = re.compile(
    rb"<(script|html|svg|iframe|body|object|embed)[\s/>]|<\?php\s|javascript:|<!doctype\s+html",
    re.I,
)


def _outside_pixels(data: bytes, image_format: str) -> list[bytes]:
    """The parts of ``data`` that are not compressed pixels: where a polyglot
    hides its second life. Compressed pixels are left out because any byte
    sequence can occur there by chance."""
    if image_format == "JPEG":
        start = data.find(b"\xff\xda")  # start of scan: entropy-coded data follows
        # Entropy-coded data never holds FF D9: the first one ends the image.
        end = data.find(b"\xff\xd9", max(start, 0))
        return [data[: start if start > 0 else len(data)], data[end + 2 :] if end > 0 else b""]
    if image_format == "PNG":
        parts, position = [], 8
        while position + 8 <= len(data):
            length = int.from_bytes(data[position : position + 4], "big")
            kind = data[position + 4 : position + 8]
            if kind != b"IDAT":
                parts.append(data[position : position + 12 + length])
            position += 12 + length
            if kind == b"IEND":
                break
        return [*parts, data[position:]]
    if image_format == "WEBP":
        size = int.from_bytes(data[4:8], "little") + 8
        return [data[:64], data[size:]]
    return [data]  # GIF: small, and its metadata sits between the frames


@dataclass
class Prepared:
    """An upload, redrawn: the clean original and its renditions, as bytes."""

    extension: str  # "jpg" or "png": the original's family, and the fallback's
    width: int
    height: int
    original: bytes
    # rendition name (as ``rendition_suffix`` makes it) -> bytes
    renditions: dict[str, bytes] = field(default_factory=dict)


def max_bytes() -> int:
    return getattr(settings, "IMAGES_MAX_BYTES", MAX_BYTES)


def max_pixels() -> int:
    return getattr(settings, "IMAGES_MAX_PIXELS", MAX_PIXELS)


def widths_for(width: int) -> list[int]:
    """The rendition widths of an original ``width`` wide: never upscaled; an
    original narrower than the smallest gets one rendition at its own width."""
    return [w for w in WIDTHS if w <= width] or [width]


def rendition_suffix(width: int, extension: str) -> str:
    return f"w{width}.{extension}"


SOCIAL_SUFFIX = "og.jpg"


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise _refuse(
            _("The file is %(size)s MB; uploads are limited to %(limit)s MB.")
            % {"size": f"{size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:g}"},
            "too_large",
        )


def _open(data: bytes) -> Pillow.Image:
    """Open ``data`` as an allowed format, reading the header only."""
    for pattern, name in _KNOWN_REFUSALS:
        if pattern.match(data[:1024]):
            raise _refuse(
                _(
                    "This is a %(format)s file, not a picture we accept: "
                    "upload a JPEG, PNG, WebP or GIF."
                )
                % {"format": name},
                "format",
            )
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning is an error here, not a log line.
            warnings.simplefilter("error", Pillow.DecompressionBombWarning)
            image = Pillow.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Pillow.DecompressionBombWarning, Pillow.DecompressionBombError) as error:
        # Pillow refused before saying the size; its message has the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_many_pixels(pixels=int(found[1]) if found else 0) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(
            _(
                "The file is not a JPEG, PNG, WebP or GIF picture "
                "(its content decides, not its name)."
            ),
            "format",
        ) from None
    if image.width * image.height > max_pixels():
        raise _too_many_pixels(image.width, image.height)
    if any(_ACTIVE_CONTENT.search(part) for part in _outside_pixels(data, image.format)):
        raise _refuse(
            _(
                "The file holds markup or script besides the picture (a polyglot): "
                "export it again as a plain JPEG, PNG, WebP or GIF."
            ),
            "polyglot",
        )
    return image


def _too_many_pixels(width: int = 0, height: int = 0, pixels: int = 0) -> ValidationError:
    pixels = pixels or width * height
    return _refuse(
        _("The picture has %(size)s megapixels; at most %(limit)s are accepted.")
        % {"size": f"{pixels / 1_000_000:g}", "limit": f"{max_pixels() / 1_000_000:g}"},
        "too_many_pixels",
    )


def _decode(image: Pillow.Image) -> Pillow.Image:
    """The first frame's pixels, upright, in sRGB RGB(A) or L."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Pillow.DecompressionBombWarning)
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Pillow.DecompressionBombWarning, Pillow.DecompressionBombError):
        raise _too_many_pixels(image.width, image.height) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _refuse(
            _("The picture is truncated or damaged and cannot be read: upload it again."),
            "damaged",
        ) from None
    return _to_srgb(upright, image.info.get("icc_profile"))


def _to_srgb(image: Pillow.Image, icc: bytes | None) -> Pillow.Image:
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey: scale to 8 bits rather than clip everything above 255.
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "LA" or image.mode == "PA":
        image = image.convert("RGBA")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=target_mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the plain conversion below is the best guess
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB without a usable profile
    if image.mode == "RGBA" and image.getextrema()[3][0] == 255:
        image = image.convert("RGB")  # an alpha channel with nothing transparent
    # Pillow's encoders write back what ``info`` holds (EXIF, ICC, XMP, the
    # JPEG comment): the pixels leave here with none of it.
    image.info = {}
    return image


def _encode(image: Pillow.Image, extension: str) -> bytes:
    """Encode ``image`` with no metadata: no EXIF, ICC, XMP, comment or text."""
    out = io.BytesIO()
    if extension == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    elif extension == "png":
        image.save(out, "PNG", optimize=True)
    else:
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _resized(image: Pillow.Image, width: int) -> Pillow.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Pillow.Resampling.LANCZOS, reducing_gap=3.0)


def social_crop(
    image: Pillow.Image, focal_x: float | None = None, focal_y: float | None = None
) -> Pillow.Image:
    """The 1200×630 crop for OpenGraph and Twitter, as close to centred on the
    focal point (fractions of the width and height) as the frame allows."""
    target_w, target_h = SOCIAL_SIZE
    fx = 0.5 if focal_x is None else min(max(focal_x, 0.0), 1.0)
    fy = 0.5 if focal_y is None else min(max(focal_y, 0.0), 1.0)
    ratio = target_w / target_h
    if image.width / image.height > ratio:
        crop_h = image.height
        crop_w = round(crop_h * ratio)
    else:
        crop_w = image.width
        crop_h = round(crop_w / ratio)
    left = min(max(round(fx * image.width - crop_w / 2), 0), image.width - crop_w)
    top = min(max(round(fy * image.height - crop_h / 2), 0), image.height - crop_h)
    box = (left, top, left + crop_w, top + crop_h)
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return rgb.resize(SOCIAL_SIZE, Pillow.Resampling.LANCZOS, box=box)


def renditions(
    image: Pillow.Image, extension: str, focal: tuple[float | None, float | None] = (None, None)
) -> dict[str, bytes]:
    """Every rendition of the (clean) ``image``, by suffix."""
    out = {}
    for width in widths_for(image.width):
        smaller = _resized(image, width)
        out[rendition_suffix(width, "webp")] = _encode(smaller, "webp")
        out[rendition_suffix(width, extension)] = _encode(smaller, extension)
    out[SOCIAL_SUFFIX] = _encode(social_crop(image, *focal), "jpg")
    return out


def prepare(data: bytes, focal: tuple[float | None, float | None] = (None, None)) -> Prepared:
    """Check ``data`` and redraw it; raise ``ValidationError`` saying why not."""
    check_size(len(data))
    opened = _open(data)
    source_format = opened.format
    image = _decode(opened)
    # JPEG stays JPEG; PNG, GIF and WebP with transparency become PNG, and an
    # opaque WebP becomes JPEG, so every original has a fallback browsers read.
    lossless = source_format in ("PNG", "GIF") or image.mode == "RGBA"
    extension = "png" if lossless else "jpg"
    return Prepared(
        extension=extension,
        width=image.width,
        height=image.height,
        original=_encode(image, extension),
        renditions=renditions(image, extension, focal),
    )


def redraw(original: bytes, focal: tuple[float | None, float | None]) -> dict[str, bytes]:
    """The renditions of an already clean, stored original (``images_rebuild``)."""
    image = Pillow.open(io.BytesIO(original), formats=("JPEG", "PNG"))
    image.load()
    extension = "png" if image.format == "PNG" else "jpg"
    return renditions(image, extension, focal)
