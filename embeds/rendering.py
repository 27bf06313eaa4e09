"""Embeds in article bodies and templates, rendered as privacy-first cards.

A body is the articles app's sanitized HTML (nh3 output, so its markup is
regular). A paragraph that holds only a supported URL, as text or as one link
whose text is its address, becomes an embed; so does ``[embed]URL[/embed]``
inside a paragraph. Every other URL stays as it is. The card is plain HTML
from ``embeds/embed.html``: it loads nothing from the provider until the
reader asks, which ``static/js/embeds.js`` handles.
"""

from __future__ import annotations

import html
import re
import uuid

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from embeds import providers
from embeds.models import Embed
from embeds.providers import EmbedMatch

PARAGRAPH = re.compile(r"<p(\s[^>]*)?>(.*?)</p>", re.DOTALL | re.IGNORECASE)
SHORTCODE = re.compile(r"\[embed\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
LINK = re.compile(r"<a\s[^>]*?\bhref=\"([^\"]*)\"[^>]*>([^<]*)</a>", re.IGNORECASE)
# Padding editors leave around a pasted URL: spaces, no-break spaces, <br>.
PADDING = re.compile(r"^(?:\s|&nbsp;|<br\s*/?>)+|(?:\s|&nbsp;|<br\s*/?>)+$", re.IGNORECASE)
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
VOID_TAGS = frozenset({"br", "hr", "img", "wbr"})

GENERATION_KEY = "embeds:generation"

Segment = str | EmbedMatch


def _url_in(fragment: str) -> str | None:
    """The URL a paragraph fragment consists of, or ``None`` if it has more."""
    fragment = PADDING.sub("", fragment)
    if "<" not in fragment:
        text = html.unescape(fragment).strip()
        return text if text and not any(c.isspace() for c in text) else None
    if link := LINK.fullmatch(fragment):
        href, text = html.unescape(link[1]), html.unescape(link[2]).strip()
        return href if text in (href, href.rstrip("/")) else None
    return None


def _match_in(fragment: str) -> EmbedMatch | None:
    url = _url_in(fragment)
    return providers.match(url) if url else None


def _balanced(fragment: str) -> bool:
    """Whether cutting a paragraph here leaves no inline element open."""
    depth = 0
    for closing, name in TAG.findall(fragment):
        if name.lower() not in VOID_TAGS:
            depth += -1 if closing else 1
            if depth < 0:
                return False
    return depth == 0


def _paragraph(inner: str) -> list[Segment] | None:
    """A paragraph's content as text and embeds, or ``None`` if it has no embed."""
    if not SHORTCODE.search(inner):
        found = _match_in(inner)
        return [found] if found else None
    pieces: list[Segment] = []
    position = 0
    for shortcode in SHORTCODE.finditer(inner):
        before = inner[position : shortcode.start()]
        found = _match_in(shortcode[1])
        if found is None or not _balanced(before):
            continue
        pieces += [before, found]
        position = shortcode.end()
    if not pieces:
        return None
    pieces.append(inner[position:])
    return pieces


def _segments(body: str) -> list[Segment]:
    """``body`` cut into HTML strings and the embeds between them."""
    segments: list[Segment] = []
    position = 0
    for paragraph in PARAGRAPH.finditer(body):
        pieces = _paragraph(paragraph[2])
        if pieces is None:
            continue
        segments.append(body[position : paragraph.start()])
        for piece in pieces:
            if isinstance(piece, EmbedMatch):
                segments.append(piece)
            elif PADDING.sub("", piece):
                # Text beside a mid-paragraph [embed] keeps its own paragraph.
                segments.append(f"<p{paragraph[1] or ''}>{piece}</p>")
        position = paragraph.end()
    segments.append(body[position:])
    return segments


def embed_matches(body: str) -> list[EmbedMatch]:
    """The embeds ``body`` renders, in order, the first of each canonical URL;
    what ``Embed.objects.ensure()`` and ``for_urls()`` take without matching again."""
    unique: dict[str, EmbedMatch] = {}
    for segment in _segments(body or ""):
        if isinstance(segment, EmbedMatch):
            unique.setdefault(segment.url, segment)
    return list(unique.values())


def embed_urls(body: str) -> list[str]:
    """The canonical URLs of the embeds ``body`` renders, in order, once each."""
    return [match.url for match in embed_matches(body)]


def render_body(body: str) -> SafeString:
    """``body`` (sanitized HTML) with its embeds rendered as cards.

    Runs one query, for all the body's ``Embed`` rows, and none if the body
    has no embeds. A URL without a row still renders, as a card without
    metadata.
    """
    segments = _segments(body or "")
    found = [segment for segment in segments if isinstance(segment, EmbedMatch)]
    if not found:
        return mark_safe(body or "")  # noqa: S308 - sanitized by the caller, see the docstring
    rows = {row.url: row for row in Embed.objects.for_urls(found)}
    # The body was sanitized on save and is only cut at tag boundaries here;
    # the cards come from the template. Nothing else enters the output.
    return mark_safe(  # noqa: S308
        "".join(
            render_match(segment, rows.get(segment.url))
            if isinstance(segment, EmbedMatch)
            else segment
            for segment in segments
        )
    )


def render_bodies(bodies: list[str]) -> list[SafeString]:
    """``render_body`` for several bodies with one query for all their embeds
    (a page of live posts), and none when they have no embeds."""
    split = [_segments(body or "") for body in bodies]
    found = [seg for segments in split for seg in segments if isinstance(seg, EmbedMatch)]
    rows = {row.url: row for row in Embed.objects.for_urls(found)} if found else {}
    # As in render_body: sanitized bodies cut at tag boundaries, and template-built cards.
    return [
        mark_safe(  # noqa: S308
            "".join(
                render_match(seg, rows.get(seg.url)) if isinstance(seg, EmbedMatch) else seg
                for seg in segments
            )
        )
        for segments in split
    ]


def render_body_cached(body: str, key: str, timeout: int | None = 60 * 60 * 24) -> SafeString:
    """``render_body`` cached under the caller's ``key`` (e.g. article pk and
    updated time). Saving or deleting any ``Embed`` bumps a generation in the
    key, so edited metadata shows at once; the language is in the key too."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = bump_generation()
    full_key = f"embeds:body:{generation}:{translation.get_language()}:{key}"
    rendered = cache.get(full_key)
    if rendered is None:
        rendered = str(render_body(body))
        cache.set(full_key, rendered, timeout)
    return mark_safe(rendered)  # noqa: S308 - it was rendered by render_body above


def bump_generation() -> str:
    """Invalidate every cached body; called when an ``Embed`` changes."""
    # A random value, not a counter or a clock: after an eviction a counter
    # restarting from 0 could meet old entries again, and two bumps within one
    # clock tick (or under a frozen test clock) would not invalidate anything.
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation


def render_match(found: EmbedMatch, embed: Embed | None = None) -> SafeString:
    """The card for one recognised URL, with ``embed``'s metadata if given."""
    if embed is not None:
        found = found.with_player_id(embed.player_id)
    name = embed.author_name if embed else ""
    handle = embed.author_handle if embed else ""
    title = embed.title if embed else ""
    author = name or (f"@{handle}" if handle else "")
    context = {
        "match": found,
        "embed": embed,
        "icon": f"embeds/icons/{found.kind}.svg",
        "title": title,
        "caption": embed.caption if embed else "",
        "author_name": name,
        "author_handle": handle,
        "author": author,
        "thumbnail": embed.thumbnail if embed and embed.thumbnail else None,
        "frame_title": _frame_title(found, title, author),
    }
    return render_to_string("embeds/embed.html", context)


def _frame_title(found: EmbedMatch, title: str, author: str) -> str:
    """The iframe's accessible name: what it shows and where from."""
    if title:
        return f"{found.provider_name}: {title}"
    if author:
        return _("%(provider)s post by %(author)s") % {
            "provider": found.provider_name,
            "author": author,
        }
    return _("%(provider)s content") % {"provider": found.provider_name}


def render_url(url: str) -> SafeString:
    """The card for ``url`` (one query), or a plain link if it is no embed."""
    found = providers.match(url)
    if found is None:
        # escape(), not format_html's conditional escape: template literals
        # arrive marked safe, but a URL is never markup.
        text = escape(url)
        if url.lower().startswith(("http://", "https://")):
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', text, text)
        return text
    return render_match(found, Embed.objects.for_urls([found]).first())
