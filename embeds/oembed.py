"""Fill ``Embed`` rows from providers' public oEmbed endpoints.

Only endpoints that answer without a token are used (YouTube, Vimeo, Spotify,
SoundCloud, TikTok, X); Instagram's needs a Facebook app token, so its
metadata is entered by hand in the admin. Bandcamp has no oEmbed: its player
id, title and artist are read from its own page (:mod:`embeds.pages`).

Everything that comes back is untrusted: it is fetched with the SSRF-safe
client in :mod:`embeds.fetch`, and fields are stored as plain, length-capped
text. :func:`refresh` never raises: a failed fetch is recorded on the row and
reported, it never breaks a save or a page.

Settings (declared in ``newsroom/settings.py``; the client's own are in
:mod:`embeds.fetch`):

``EMBEDS_OEMBED_ENDPOINTS``
    ``{provider key: endpoint URL or None}``, merged over the defaults below.
``EMBEDS_OEMBED_MAX_BYTES`` / ``EMBEDS_THUMBNAIL_MAX_BYTES``
    Response size caps.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import strip_tags
from PIL import Image

from embeds import fetch, pages, providers
from embeds.fetch import FetchError
from embeds.models import Embed

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINTS: dict[str, str] = {
    "youtube": "https://www.youtube.com/oembed",
    "vimeo": "https://vimeo.com/api/oembed.json",
    "spotify": "https://open.spotify.com/oembed",
    "soundcloud": "https://soundcloud.com/oembed",
    "tiktok": "https://www.tiktok.com/oembed",
    "x": "https://publish.twitter.com/oembed",
}
# Extra query parameters: X's answer then carries no script and no tracking.
ENDPOINT_PARAMS: dict[str, dict[str, str]] = {"x": {"omit_script": "true", "dnt": "true"}}

THUMBNAIL_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
THUMBNAIL_MAX_PIXELS = 4096 * 4096
HANDLE = re.compile(r"@?([A-Za-z0-9._-]{1,100})")
X_TEXT = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Metadata:
    author_name: str = ""
    author_handle: str = ""
    title: str = ""
    caption: str = ""
    thumbnail_url: str = ""
    player_id: str = ""


@dataclass(frozen=True)
class FetchResult:
    url: str
    ok: bool
    message: str = ""
    skipped: bool = False


def endpoints() -> dict[str, str]:
    """The oEmbed endpoint of every provider that has one, settings applied."""
    merged = {**DEFAULT_ENDPOINTS, **settings.EMBEDS_OEMBED_ENDPOINTS}
    return {key: url for key, url in merged.items() if url}


def supports(provider: str) -> bool:
    return provider in endpoints() or provider in pages.READERS


# --- Untrusted text ----------------------------------------------------------


def clean_text(value: object, max_length: int) -> str:
    """Plain text from an untrusted field: no tags, no control characters,
    whitespace collapsed, at most ``max_length`` characters."""
    if not isinstance(value, str):
        return ""
    text = html.unescape(strip_tags(value))
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text[:max_length].strip()


def handle_from(author_url: object, fallback: object = "") -> str:
    """A handle from an author URL with a single path segment
    (``https://x.com/jack``, ``https://www.youtube.com/@name``)."""
    if isinstance(fallback, str) and (m := HANDLE.fullmatch(fallback.strip())):
        return m[1]
    if not isinstance(author_url, str):
        return ""
    try:
        segments = [s for s in urlsplit(author_url).path.split("/") if s]
    except ValueError:
        return ""
    if len(segments) == 1 and (m := HANDLE.fullmatch(segments[0])):
        return m[1]
    return ""


def parse(provider: str, data: object) -> Metadata:
    """Metadata from an oEmbed answer; raises ``FetchError`` if it is not one."""
    if not isinstance(data, dict):
        raise FetchError("The answer is not an oEmbed object.")
    fields = Embed._meta
    caption = ""
    # X sends the post's text only inside its HTML snippet.
    if provider == "x" and isinstance(data.get("html"), str) and (m := X_TEXT.search(data["html"])):
        caption = m[1]
    thumbnail = data.get("thumbnail_url")
    return Metadata(
        author_name=clean_text(data.get("author_name"), fields.get_field("author_name").max_length),
        author_handle=handle_from(data.get("author_url"), data.get("author_unique_id", "")),
        title=clean_text(data.get("title"), fields.get_field("title").max_length),
        caption=clean_text(caption, fields.get_field("caption").max_length),
        thumbnail_url=thumbnail if isinstance(thumbnail, str) and len(thumbnail) <= 2000 else "",
    )


# --- Fetching ----------------------------------------------------------------


def fetch_metadata(url: str) -> Metadata:
    """Ask the URL's provider for its metadata; raises ``FetchError``."""
    found = providers.match(url)
    if found is None:
        raise FetchError("Not a supported embed URL.")
    if reader := pages.READERS.get(found.provider):
        return from_page(reader(found))
    endpoint = endpoints().get(found.provider)
    if endpoint is None:
        raise FetchError(f"{found.provider_name} has no public oEmbed endpoint.")
    params = {"url": found.url, "format": "json", **ENDPOINT_PARAMS.get(found.provider, {})}
    separator = "&" if "?" in endpoint else "?"
    response = fetch.get(
        f"{endpoint}{separator}{urlencode(params)}",
        max_bytes=int(settings.EMBEDS_OEMBED_MAX_BYTES),
        accept="application/json",
    )
    try:
        data = json.loads(response.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FetchError("The answer is not valid JSON.") from exc
    return parse(found.provider, data)


def from_page(data: dict[str, str]) -> Metadata:
    """Metadata from what :mod:`embeds.pages` read off a provider's page."""
    fields = Embed._meta
    return Metadata(
        author_name=clean_text(data.get("author_name"), fields.get_field("author_name").max_length),
        title=clean_text(data.get("title"), fields.get_field("title").max_length),
        player_id=data.get("player_id", ""),
    )


def fetch_thumbnail(url: str) -> tuple[bytes, str]:
    """Download an image, check it with Pillow; ``(bytes, extension)``."""
    response = fetch.get(
        url,
        max_bytes=int(settings.EMBEDS_THUMBNAIL_MAX_BYTES),
        accept=", ".join(THUMBNAIL_TYPES),
    )
    expected = THUMBNAIL_TYPES.get(response.content_type)
    if expected is None:
        raise FetchError(f"The thumbnail is not an image ({response.content_type or 'no type'}).")
    try:
        with Image.open(io.BytesIO(response.body)) as image:
            image.verify()
        with Image.open(io.BytesIO(response.body)) as image:
            fmt, (width, height) = image.format, image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        # UnidentifiedImageError is an OSError; some decoders report a
        # truncated or corrupt file as SyntaxError.
        raise FetchError("The thumbnail is not a valid image.") from exc
    if fmt != expected or width * height > THUMBNAIL_MAX_PIXELS:
        raise FetchError("The thumbnail is not a usable image.")
    return response.body, {"JPEG": "jpg"}.get(fmt, fmt.lower())


def refresh(embed: Embed, *, thumbnails: bool = True, overwrite: bool = False) -> FetchResult:
    """Fill ``embed`` from its provider's oEmbed endpoint and save it.

    Fetched values fill empty fields (all fields with ``overwrite``), so text
    editors corrected by hand stays. Never raises: failures are logged,
    stored in ``fetch_error`` and returned.
    """
    if not supports(embed.provider):
        return FetchResult(
            embed.url,
            ok=False,
            skipped=True,
            message="No public oEmbed endpoint; fill the metadata in by hand.",
        )
    try:
        metadata = fetch_metadata(embed.url)
    except FetchError as exc:
        return _failed(embed, str(exc))
    except Exception:  # a broken answer must never break a caller's save or page
        logger.exception("Unexpected error fetching oEmbed for %s", embed.url)
        return _failed(embed, "Unexpected error; see the server log.")
    for name in ("author_name", "author_handle", "title", "caption", "player_id"):
        value = getattr(metadata, name)
        if value and (overwrite or not getattr(embed, name)):
            setattr(embed, name, value)
    message = ""
    if thumbnails and metadata.thumbnail_url and (overwrite or not embed.thumbnail):
        message = _store_thumbnail(embed, metadata.thumbnail_url)
    embed.fetched_at = timezone.now()
    embed.fetch_error = message
    try:
        embed.save()
    except Exception:
        logger.exception("Could not save fetched metadata for %s", embed.url)
        return FetchResult(embed.url, ok=False, message="Could not save; see the server log.")
    return FetchResult(embed.url, ok=True, message=message)


def _store_thumbnail(embed: Embed, url: str) -> str:
    try:
        data, extension = fetch_thumbnail(url)
    except FetchError as exc:
        return f"Thumbnail: {exc}"
    except Exception:
        logger.exception("Unexpected error fetching thumbnail %s", url)
        return "Thumbnail: unexpected error; see the server log."
    digest = hashlib.sha256(data).hexdigest()[:16]
    embed.thumbnail.save(f"{embed.provider}-{digest}.{extension}", ContentFile(data), save=False)
    return ""


def _failed(embed: Embed, message: str) -> FetchResult:
    logger.info("oEmbed fetch failed for %s: %s", embed.url, message)
    if embed.pk:
        Embed.objects.filter(pk=embed.pk).update(fetch_error=message[:300])
    embed.fetch_error = message[:300]
    return FetchResult(embed.url, ok=False, message=message)
