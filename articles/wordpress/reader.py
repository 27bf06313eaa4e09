"""Read a WordPress eXtended RSS (WXR) export as a stream.

The file is fed to the parser in chunks and every top-level element of the
channel (an author, a term, an item) is handed out and then dropped, so a
500 MB export never sits in memory. Parsing goes through defusedxml with a
DTD refused outright: a WXR file never has one, and without a DTD there is
no entity to expand (XML bombs) and no external entity to fetch.

Any problem becomes one ``WXRError`` whose message names the line and column.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLPullParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

CHUNK_SIZE = 64 * 1024
WP_NAMESPACE_PREFIX = "{http://wordpress.org/export/"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
# WordPress 3.x wrote 1.0 and 1.1, every version since 1.2.
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
ZERO_DATE = "0000-00-00 00:00:00"


class WXRError(Exception):
    """The file cannot be imported; the message says where and why, on one line."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        # Parsers count columns from 0; people (and editors) from 1.
        where = f"line {line}, column {(column or 0) + 1}: " if line is not None else ""
        super().__init__(f"{where}{message}")
        self.line, self.column = line, column


@dataclass
class Site:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""

    @property
    def url(self) -> str:
        """The blog's address: where its permalinks live."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclass
class Author:
    login: str
    display_name: str
    email: str = ""


@dataclass
class Term:
    """A category or tag from the channel; ``parent`` is the parent's slug."""

    taxonomy: str  # "category" or "post_tag"
    slug: str
    name: str
    parent: str = ""
    description: str = ""
    term_id: int = 0


@dataclass
class Item:
    """One ``<item>``: a post, page, attachment, menu item or anything else."""

    post_id: int
    post_type: str
    status: str
    title: str = ""
    link: str = ""
    content: str = ""
    excerpt: str = ""
    slug: str = ""
    date_gmt: str = ""
    date_local: str = ""
    creator: str = ""
    sticky: bool = False
    parent_id: int = 0
    attachment_url: str = ""
    # (taxonomy, slug, name) in the export's order.
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    line: int = 0

    def meta_int(self, key: str) -> int | None:
        return _number(self.meta.get(key, "")) or None


Entry = Site | Author | Term | Item


def _local(tag: str) -> tuple[str, str]:
    """``(namespace kind, local name)``: kind is "wp" for any WXR version's namespace."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        if tag.startswith(WP_NAMESPACE_PREFIX):
            return ("excerpt" if namespace.endswith("/excerpt/") else "wp"), name
        return namespace, name
    return "", tag


def _text(element: Element | None) -> str:
    return (element.text or "") if element is not None else ""


def _children(element: Element) -> dict[str, str]:
    """Text of ``element``'s simple children by local name (first of each)."""
    found: dict[str, str] = {}
    for child in element:
        kind, name = _local(child.tag)
        key = f"{kind}:{name}" if kind in ("wp", "excerpt") else name
        if child.tag == CONTENT:
            key = "content"
        elif child.tag == DC_CREATOR:
            key = "creator"
        found.setdefault(key, child.text or "")
    return found


def _int(value: str, what: str, line: int) -> int:
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        raise WXRError(f"{what} is not a number: {value[:40]!r}", line, 0)
    return int(value)


def _number(value: str) -> int:
    """A number WordPress wrote, or 0 for anything else (it is only a reference)."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else 0


def _item(element: Element, line: int) -> Item:
    values = _children(element)
    item = Item(
        post_id=_int(values.get("wp:post_id", ""), "wp:post_id", line),
        post_type=values.get("wp:post_type", "").strip(),
        status=values.get("wp:status", "").strip(),
        title=values.get("title", ""),
        link=values.get("link", "").strip(),
        content=values.get("content", ""),
        excerpt=values.get("excerpt:encoded", ""),
        slug=values.get("wp:post_name", "").strip(),
        date_gmt=values.get("wp:post_date_gmt", "").strip(),
        date_local=values.get("wp:post_date", "").strip(),
        creator=values.get("creator", "").strip(),
        sticky=values.get("wp:is_sticky", "0").strip() == "1",
        parent_id=_number(values.get("wp:post_parent", "")),
        attachment_url=values.get("wp:attachment_url", "").strip(),
        line=line,
    )
    for child in element:
        kind, name = _local(child.tag)
        if name == "category" and kind == "":
            domain = child.get("domain", "")
            if domain in ("category", "post_tag"):
                item.terms.append((domain, child.get("nicename", ""), child.text or ""))
        elif kind == "wp" and name == "postmeta":
            meta = _children(child)
            item.meta.setdefault(meta.get("wp:meta_key", ""), meta.get("wp:meta_value", ""))
    return item


def _term(element: Element, name: str) -> Term:
    values = _children(element)
    term = _term_fields(values, name)
    term.term_id = _number(values.get("wp:term_id", ""))
    return term


def _term_fields(values: dict[str, str], name: str) -> Term:
    if name == "category":
        return Term(
            taxonomy="category",
            slug=values.get("wp:category_nicename", "").strip(),
            name=values.get("wp:cat_name", ""),
            parent=values.get("wp:category_parent", "").strip(),
            description=values.get("wp:category_description", ""),
        )
    if name == "tag":
        return Term(
            taxonomy="post_tag",
            slug=values.get("wp:tag_slug", "").strip(),
            name=values.get("wp:tag_name", ""),
            description=values.get("wp:tag_description", ""),
        )
    return Term(
        taxonomy=values.get("wp:term_taxonomy", "").strip(),
        slug=values.get("wp:term_slug", "").strip(),
        name=values.get("wp:term_name", ""),
        parent=values.get("wp:term_parent", "").strip(),
        description=values.get("wp:term_description", ""),
    )


def read(source: str | Path | BinaryIO) -> Iterator[Entry]:
    """The export's entries in file order: the ``Site`` first (before any
    author, term or item), then ``Author``, ``Term`` and ``Item`` objects.

    Raises ``WXRError`` for anything that is not a well-formed WXR file,
    possibly after some entries were yielded (a truncated file fails at its
    end), so callers write nothing until the whole file has been read or
    roll back.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield from read(stream)
        return
    parser = DefusedXMLParser(
        target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    pull = XMLPullParser(events=("start", "end"), _parser=parser)
    site = Site()
    site_sent = False
    depth = 0
    channel: Element | None = None

    def where() -> tuple[int, int]:
        return expat.CurrentLineNumber, expat.CurrentColumnNumber

    def events() -> Iterator[tuple[str, Element]]:
        try:
            while chunk := source.read(CHUNK_SIZE):
                pull.feed(chunk)
                yield from pull.read_events()
            pull.close()
            yield from pull.read_events()
        except ParseError as error:
            line, column = error.position
            message = str(error).split(":", 1)[0]
            raise WXRError(f"not well-formed XML ({message})", line, column) from None
        except DefusedXmlException as error:
            raise WXRError(f"refused: {_refusal(error)}", *where()) from None

    for event, element in events():
        if event == "start":
            depth += 1
            if depth == 1 and element.tag != "rss":
                raise WXRError(
                    f"not a WordPress export: the root element is <{element.tag}>, not <rss>",
                    *where(),
                )
            if depth == 2:
                if element.tag != "channel":
                    raise WXRError("not a WordPress export: <rss> has no <channel>", *where())
                channel = element
            continue
        depth -= 1
        if depth != 2 or channel is None:
            continue
        line = expat.CurrentLineNumber
        kind, name = _local(element.tag)
        if kind == "" and name in ("title", "link"):
            setattr(site, name, (element.text or "").strip())
        elif kind == "wp" and name == "wxr_version":
            site.wxr_version = _text(element).strip()
        elif kind == "wp" and name in ("base_site_url", "base_blog_url"):
            setattr(site, name, _text(element).strip())
        elif kind == "wp" and name in ("author", "category", "tag", "term"):
            if not site_sent:
                yield _checked(site, *where())
                site_sent = True
            if name == "author":
                values = _children(element)
                yield Author(
                    login=values.get("wp:author_login", "").strip(),
                    display_name=values.get("wp:author_display_name", "").strip(),
                    email=values.get("wp:author_email", "").strip(),
                )
            else:
                yield _term(element, name)
        elif kind == "" and name == "item":
            if not site_sent:
                yield _checked(site, *where())
                site_sent = True
            yield _item(element, line)
        channel.remove(element)
    if channel is None:
        raise WXRError("not a WordPress export: no <channel>", *where())
    if not site_sent:
        yield _checked(site, *where())


def _checked(site: Site, line: int, column: int) -> Site:
    if not site.wxr_version:
        raise WXRError("not a WordPress export: no <wp:wxr_version> before the content", line, 0)
    if site.wxr_version not in SUPPORTED_VERSIONS:
        raise WXRError(f"unsupported WXR version {site.wxr_version!r}", line, 0)
    return site


def _refusal(error: DefusedXmlException) -> str:
    name = type(error).__name__
    return {
        "DTDForbidden": "the file has a DTD (<!DOCTYPE>), which a WordPress export never has",
        "EntitiesForbidden": "the file declares entities (a possible XML bomb)",
        "ExternalReferenceForbidden": "the file refers to an external entity",
    }.get(name, name)


def parse_date(value: str) -> datetime.datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` as a naive datetime; ``None`` for WordPress's zero date."""
    value = value.strip()
    if not value or value == ZERO_DATE:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
