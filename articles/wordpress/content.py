"""WordPress post content to an article body.

WordPress stores what the editor typed: no paragraph tags, shortcodes, and
whatever embed code was pasted (Instagram blockquotes with their script,
provider iframes). This turns it into the HTML newsroom stores: embeds become
paragraphs holding only the embed's canonical URL (which the renderer turns
into a privacy-first card), shortcodes become figures, and ``wpautop``'s
rules add the paragraphs. The result still goes through the sanitizer in
``services.save_article``; nothing here has to be safe, only faithful.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.utils.html import escape

from embeds import providers

# --- wpautop ---------------------------------------------------------------------

BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    "area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|"
    "header|footer|nav|figure|figcaption|details|menu|summary|iframe|audio|video|object"
)
_OPEN_BLOCK = re.compile(rf"(<(?:{BLOCK_TAGS})[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</(?:{BLOCK_TAGS})>)", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.IGNORECASE | re.DOTALL)
_TAG_WITH_NEWLINE = re.compile(r"<[^>]*\n[^>]*>")
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_P_AROUND_BLOCK = re.compile(rf"<p>\s*(</?(?:{BLOCK_TAGS})[^>]*>)\s*</p>", re.IGNORECASE)
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(<(?:{BLOCK_TAGS})[\s/>][^>]*>)", re.IGNORECASE)
_P_AFTER_BLOCK = re.compile(rf"(</(?:{BLOCK_TAGS})>)\s*</p>", re.IGNORECASE)
_BR_AFTER_BLOCK = re.compile(rf"(</?(?:{BLOCK_TAGS})[^>]*>)\s*<br />", re.IGNORECASE)
_BR_BEFORE_BLOCK = re.compile(
    r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol|figure|figcaption)[^>]*>)", re.IGNORECASE
)
_SINGLE_NEWLINE = re.compile(r"(?<!<br />)\s*\n")


def wpautop(text: str) -> str:
    """Paragraphs the way WordPress shows them: a blank line ends a paragraph,
    a single newline is a ``<br />``, and block elements are left alone."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match[0])
        return f"<pre>\x00{len(kept) - 1}\x00</pre>"

    text = _PRE.sub(keep, text)
    # A newline inside a tag (attributes over several lines) is not a line break.
    text = _TAG_WITH_NEWLINE.sub(lambda m: m[0].replace("\n", " "), text)
    text = _DOUBLE_BR.sub("\n\n", text + "\n")
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    chunks = [chunk.strip() for chunk in _PARAGRAPH_BREAK.split(text)]
    text = "".join(f"<p>{chunk}</p>\n" for chunk in chunks if chunk)
    text = _P_AROUND_BLOCK.sub(r"\1", text)
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _P_AFTER_BLOCK.sub(r"\1", text)
    text = _SINGLE_NEWLINE.sub("<br />\n", text)
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = _unmatched_closing_paragraphs(text)
    text = re.sub(r"<br />\n</p>", "</p>", text)
    text = re.sub(r"<p>\s*<br />\n?", "<p>", text)
    for index, block in enumerate(kept):
        text = text.replace(f"<pre>\x00{index}\x00</pre>", block)
    return text.strip()


_P_TAG = re.compile(r"<(/?)p(?:\s[^>]*)?>", re.IGNORECASE)


def _unmatched_closing_paragraphs(text: str) -> str:
    """Drop a ``</p>`` left behind where a block opened mid-paragraph
    (``<figure><img></p>``): the inline content belongs to the block."""
    pieces: list[str] = []
    position = 0
    is_open = False
    for tag in _P_TAG.finditer(text):
        if tag[1]:
            if not is_open:
                pieces.append(text[position : tag.start()])
                position = tag.end()
            is_open = False
        else:
            is_open = True
    pieces.append(text[position:])
    return "".join(pieces)


# --- Embeds pasted as HTML ---------------------------------------------------------

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>|<script\b[^>]*/>", re.IGNORECASE | re.DOTALL)
_BLOCKQUOTE = re.compile(r"<blockquote\b([^>]*)>(.*?)</blockquote\s*>", re.IGNORECASE | re.DOTALL)
_IFRAME = re.compile(r"<iframe\b([^>]*?)(?:/>|>(.*?)</iframe\s*>)", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_SHARED_BY = re.compile(r"A post shared by\s+(?:(?P<name>.+?)\s*)?\(?@(?P<handle>[\w.]{1,30})\)?")
_TWEET_BY = re.compile(r"[—-]\s*(?P<name>[^(\n]+?)\s*\(@(?P<handle>\w{1,15})\)")
HANDLE = re.compile(r"[A-Za-z0-9._-]{1,100}")
EMBED_CLASSES = ("instagram-media", "twitter-tweet", "tiktok-embed")
DEEZER_WIDGET = re.compile(
    r"/widget/[a-z]+/(?P<type>track|album|playlist|artist|episode|show)/(?P<id>[0-9]{1,15})"
)
BANDCAMP_PLAYER_ID = re.compile(r"/(?:album|track)=(?P<id>[0-9]{1,20})")


def attributes(tag_attributes: str) -> dict[str, str]:
    """A tag's attributes by lowercase name, entities decoded."""
    return {
        m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3] or m[4] or "")
        for m in _ATTRIBUTE.finditer(tag_attributes)
    }


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


@dataclass
class EmbedMetadata:
    author_name: str = ""
    author_handle: str = ""
    player_id: str = ""
    title: str = ""


@dataclass
class Converted:
    body: str
    # Canonical embed URL -> what the export says about it, for the Embed row.
    embeds: dict[str, EmbedMetadata] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _embed_paragraph(url: str) -> str:
    return f"\n\n<p>{escape(url)}</p>\n\n"


def _canonical(url: str) -> str | None:
    found = providers.match(html.unescape(url or "").strip())
    return found.url if found else None


def _blockquote(match: re.Match[str], result: Converted) -> str:
    attrs = attributes(match[1])
    classes = attrs.get("class", "").split()
    if not any(name in classes for name in EMBED_CLASSES):
        return match[0]
    inner = match[2]
    candidates = [attrs.get("data-instgrm-permalink", ""), attrs.get("cite", "")]
    candidates += [html.unescape(href) for href in _HREF.findall(inner)]
    # A tweet links its author first and the post last; the post is what embeds.
    if "twitter-tweet" in classes:
        candidates.reverse()
    url = next((found for c in candidates if c and (found := _canonical(c))), None)
    if url is None:
        result.warnings.append("an embedded post whose address is not a supported provider")
        return f"\n\n<blockquote>{inner}</blockquote>\n\n"
    text = _text(inner)
    by = _SHARED_BY.search(text) if "instagram-media" in classes else _TWEET_BY.search(text)
    if by and HANDLE.fullmatch(by["handle"]):
        metadata = result.embeds.setdefault(url, EmbedMetadata())
        metadata.author_name = (by["name"] or "").strip()[:200]
        metadata.author_handle = by["handle"]
    else:
        result.embeds.setdefault(url, EmbedMetadata())
    return _embed_paragraph(url)


def iframe_url(src: str, inner: str = "") -> tuple[str | None, str]:
    """The canonical page URL a provider's player iframe shows, and a player
    id where the provider needs one (Bandcamp); ``None`` if unknown."""
    src = html.unescape(src or "").strip()
    if src.startswith("//"):
        src = f"https:{src}"
    if url := _canonical(src):
        return url, ""
    parts = urlsplit(src)
    host = (parts.hostname or "").lower()
    if host == "w.soundcloud.com":
        page = (parse_qs(parts.query).get("url") or [""])[0]
        return _canonical(page), ""
    if host == "widget.deezer.com" and (m := DEEZER_WIDGET.search(parts.path)):
        return f"https://www.deezer.com/{m['type']}/{m['id']}", ""
    if host == "bandcamp.com" and (m := BANDCAMP_PLAYER_ID.search(parts.path)):
        # Bandcamp's embed code links the album inside the iframe, for
        # browsers without frames; the player's number goes on the Embed row.
        for href in _HREF.findall(inner or ""):
            if url := _canonical(href):
                return url, m["id"]
    return None, ""


def _iframe(match: re.Match[str], result: Converted) -> str:
    src = attributes(match[1]).get("src", "")
    url, player_id = iframe_url(src, match[2] or "")
    if url is None:
        host = urlsplit(src).hostname or src[:60] or "nowhere"
        result.warnings.append(f"an iframe from {host} was dropped (not a supported provider)")
        return ""
    metadata = result.embeds.setdefault(url, EmbedMetadata())
    if player_id:
        metadata.player_id = player_id
    return _embed_paragraph(url)


# --- Shortcodes ----------------------------------------------------------------------

_EMBED_SHORTCODE = re.compile(r"\[embed(?:\s[^\]]*)?\](.*?)\[/embed\]", re.IGNORECASE | re.DOTALL)
_CAPTION = re.compile(r"\[(caption|wp_caption)(\s[^\]]*)?\](.*?)\[/\1\]", re.IGNORECASE | re.DOTALL)
_GALLERY = re.compile(r"\[gallery(\s[^\]]*)?/?\]", re.IGNORECASE)
_ESCAPED = re.compile(r"\[(\[[^\[\]]+\])\]")
_CODE = re.compile(r"<(code|pre)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ANY_SHORTCODE = re.compile(r"\[/?([A-Za-z][\w-]*)(?:\s[^\]]*)?/?\]")
_IMAGE_PART = re.compile(
    r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class Image:
    """An attachment the export knows: where it lives and how to describe it."""

    url: str
    alt: str = ""
    caption: str = ""


def _figure(image: str, caption: str) -> str:
    caption = caption.strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image}{figcaption}</figure>\n\n"


def _caption(match: re.Match[str]) -> str:
    attrs = attributes(match[2] or "")
    inner = match[3]
    found = _IMAGE_PART.match(inner)
    if found is None:
        return _figure("", attrs.get("caption", "") or inner)
    return _figure(found[1], attrs.get("caption", "") or found[2])


def _gallery(
    match: re.Match[str],
    result: Converted,
    images: dict[int, Image],
    children: list[int],
) -> str:
    ids_text = attributes(match[1] or "").get("ids", "")
    ids = [int(part) for part in re.findall(r"\d+", ids_text)] if ids_text else children
    known = [images[i] for i in ids if i in images]
    if not known:
        result.warnings.append("a [gallery] with no known images was removed")
        return ""
    if len(known) < len(ids):
        result.warnings.append(f"a [gallery] lost {len(ids) - len(known)} unknown image(s)")
    return "".join(
        _figure(
            f'<img src="{escape(image.url)}" alt="{escape(image.alt)}">',
            escape(image.caption),
        )
        for image in known
    )


def _embed_shortcode(match: re.Match[str], result: Converted) -> str:
    url = html.unescape(_TAGS.sub("", match[1])).strip()
    canonical = _canonical(url)
    if canonical:
        result.embeds.setdefault(canonical, EmbedMetadata())
        return _embed_paragraph(canonical)
    if url.lower().startswith(("http://", "https://")):
        return f'\n\n<p><a href="{escape(url)}">{escape(url)}</a></p>\n\n'
    result.warnings.append("an [embed] without a web address was removed")
    return ""


def convert(
    content: str,
    images: dict[int, Image] | None = None,
    children: list[int] | None = None,
) -> Converted:
    """``content`` of a WordPress post as article body HTML, with what the
    export says about its embeds and warnings for what could not be kept.

    ``images`` are the export's attachments by id (for ``[gallery]``);
    ``children`` the ids of the images attached to this post (a gallery
    without ``ids`` shows those).
    """
    result = Converted(body="")
    text = content or ""
    text = _SCRIPT.sub("", text)
    text = _BLOCKQUOTE.sub(lambda m: _blockquote(m, result), text)
    text = _IFRAME.sub(lambda m: _iframe(m, result), text)
    # [[caption]] is WordPress's way of writing a shortcode as text.
    escaped: list[str] = []

    def protect(m: re.Match[str]) -> str:
        escaped.append(m[1])
        return f"\x00{len(escaped) - 1}\x00"

    text = _ESCAPED.sub(protect, text)
    text = _EMBED_SHORTCODE.sub(lambda m: _embed_shortcode(m, result), text)
    text = _CAPTION.sub(_caption, text)
    text = _GALLERY.sub(lambda m: _gallery(m, result, images or {}, children or []), text)
    prose = _CODE.sub("", text)  # a[i] in a code sample is no shortcode
    unknown = sorted({m[1] for m in _ANY_SHORTCODE.finditer(prose)})
    if unknown:
        names = ", ".join(f"[{name}]" for name in unknown)
        result.warnings.append(f"unknown shortcode(s) kept as text: {names}")
    text = re.sub(r"\x00(\d+)\x00", lambda m: escaped[int(m[1])], text)
    result.body = wpautop(text)
    return result
