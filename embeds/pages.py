"""Metadata read from a provider's own page, for providers with no public
oEmbed: Bandcamp.

A Bandcamp player wants a numeric album or track id that the page URL does
not carry. The page names it twice: in its OpenGraph player
(``<meta property="og:video" content=".../album=123/...">``) and in
``<meta name="bc-page-properties" content='{"item_type": "a", "item_id": 123}'>``.
The page is fetched with the SSRF-safe client (:mod:`embeds.fetch`), size
and time capped, and read with the standard library's HTML parser, which
never raises on malformed markup. Only ``<meta>`` tags in the first
``MAX_META_TAGS`` are looked at; everything found is untrusted text.

Setting (declared in ``newsroom/settings.py``):

``EMBEDS_PAGE_MAX_BYTES``
    Size cap for a fetched page.
``EMBEDS_PAGE_BASE_URLS``
    Tests only: ``{provider key: base URL}``; the page is fetched from the
    base URL followed by its host and path (``http://127.0.0.1:8001/`` +
    ``artist.bandcamp.com/track/slug``) instead of from the provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

from embeds import fetch
from embeds.fetch import FetchError
from embeds.providers import EmbedMatch

MAX_META_TAGS = 500
PLAYER_ID = re.compile(r"[0-9]{1,20}")
# og:video of a Bandcamp page: https://bandcamp.com/EmbeddedPlayer/v=2/album=123/size=large/...
OG_VIDEO_ID = re.compile(r"/(?P<type>album|track)=(?P<id>[0-9]{1,20})(?=/|$)")
BC_ITEM_TYPES = {"a": "album", "t": "track"}


class _MetaTags(HTMLParser):
    """Collects ``<meta>`` tags' ``property``/``name`` -> ``content``, first wins."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, str] = {}
        self.seen = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta" or self.seen >= MAX_META_TAGS:
            return
        self.seen += 1
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        content = values.get("content")
        if key and content is not None:
            self.tags.setdefault(key.strip().lower(), content)


def meta_tags(page: str) -> dict[str, str]:
    parser = _MetaTags()
    parser.feed(page)
    parser.close()
    return parser.tags


def bandcamp_player_id(item_type: str, tags: dict[str, str]) -> str:
    """The player id of an ``item_type`` ("album"/"track") page, or ""; an id
    for the other type (a track page's album) is not this page's."""
    for key in ("og:video", "og:video:secure_url", "og:video:url"):
        for m in OG_VIDEO_ID.finditer(urlsplit(tags.get(key, "")).path):
            if m["type"] == item_type:
                return m["id"]
    try:
        properties = json.loads(tags.get("bc-page-properties", ""))
    except ValueError:
        return ""
    if not isinstance(properties, dict):
        return ""
    item_id = properties.get("item_id")
    if isinstance(item_id, bool) or BC_ITEM_TYPES.get(properties.get("item_type")) != item_type:
        return ""
    item_id = str(item_id) if isinstance(item_id, int | str) else ""
    return item_id if PLAYER_ID.fullmatch(item_id) else ""


def page_url(found: EmbedMatch) -> str:
    base = settings.EMBEDS_PAGE_BASE_URLS.get(found.provider)
    if not base:
        return found.url
    parts = urlsplit(found.url)
    return f"{base.rstrip('/')}/{parts.netloc}{parts.path}"


def fetch_bandcamp(found: EmbedMatch) -> dict[str, str]:
    """``player_id``, ``title`` and ``author_name`` from a Bandcamp page;
    raises ``FetchError``, also when the page names no usable id."""
    response = fetch.get(
        page_url(found), max_bytes=int(settings.EMBEDS_PAGE_MAX_BYTES), accept="text/html"
    )
    if response.content_type not in ("text/html", "application/xhtml+xml"):
        raise FetchError(f"The page is not HTML ({response.content_type or 'no type'}).")
    tags = meta_tags(response.body.decode("utf-8", errors="replace"))
    item_type = "track" if "/track/" in found.id else "album"
    player_id = bandcamp_player_id(item_type, tags)
    if not player_id:
        raise FetchError(f"The page names no {item_type} id for Bandcamp's player.")
    return {
        "player_id": player_id,
        "title": tags.get("og:title", ""),
        "author_name": tags.get("og:site_name", ""),
    }


READERS: dict[str, Callable[[EmbedMatch], dict[str, str]]] = {"bandcamp": fetch_bandcamp}
