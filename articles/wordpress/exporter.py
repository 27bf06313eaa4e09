"""Write every article as a WordPress export (WXR 1.2), so a newsroom is never locked in.

WordPress's importer and ``import_wordpress`` both read the file. Embeds go
out as their URLs on lines of their own, which WordPress turns into embeds
again; every library image an article shows (lead and body) as one
attachment, the lead with ``_thumbnail_id``, body images by their absolute
URL, which ``import_wordpress`` maps back to the attachment. What WordPress has
no place for rides along in postmeta that WordPress keeps and ignores:
every author of a byline (``_newsroom_bylines``) and the embeds' metadata
(``_newsroom_embeds``), which ``import_wordpress`` reads back.

Articles are read in chunks and written as they come: memory stays flat.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from taggit.models import Tag

from articles import images
from articles.models import Article, Author, Byline, Category, TaggedArticle
from embeds import providers
from embeds.models import Embed
from embeds.rendering import embed_urls

# Attachments need post ids of their own, apart from the articles'.
ATTACHMENT_ID_OFFSET = 1_000_000_000
CHUNK_SIZE = 500
ZERO_DATE = "0000-00-00 00:00:00"
_EMBED_PARAGRAPH = re.compile(r"<p>\s*([^<\s]+)\s*</p>")
EMBED_FIELDS = ("author_name", "author_handle", "title", "player_id")


def cdata(text: str) -> str:
    """``text`` as CDATA; a ``]]>`` inside is split the way WordPress does it."""
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_out(text: str) -> str:
    """Plain text as WordPress stores titles and names: HTML, so ``&`` is ``&amp;``."""
    return html.escape(text or "", quote=False)


def slug_out(slug: str) -> str:
    """WordPress stores non-ASCII slugs percent-encoded (lowercase)."""
    return quote(slug, safe="-_").lower()


def body_out(body: str) -> str:
    """The stored body with each embed paragraph as a bare URL line."""

    def line(match: re.Match[str]) -> str:
        url = match[1].replace("&amp;", "&")
        return f"\n{url}\n" if providers.match(url) else match[0]

    return _EMBED_PARAGRAPH.sub(line, body or "")


def _date(value) -> tuple[str, str]:
    """(local, GMT) as WordPress writes them."""
    if value is None:
        return ZERO_DATE, ZERO_DATE
    local = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return local, value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _status(article: Article) -> str:
    if article.status == Article.Status.DRAFT:
        return "draft"
    if article.status == Article.Status.REVIEW:
        return "pending"
    return "future" if article.is_scheduled else "publish"


def _meta(key: str, value: str) -> str:
    return (
        f"\t\t<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>\n"
    )


def _ordered_categories() -> list[Category]:
    """Parents before children, as WordPress's importer needs them."""
    categories = list(Category.objects.order_by("pk"))
    by_id = {c.pk: c for c in categories}
    done: set[int] = set()
    ordered: list[Category] = []

    def visit(category: Category, path: set[int]) -> None:
        if category.pk in done or category.pk in path:
            return
        parent = by_id.get(category.parent_id)
        if parent is not None:
            visit(parent, path | {category.pk})
        done.add(category.pk)
        ordered.append(category)

    for category in categories:
        visit(category, set())
    return ordered


def export(out: TextIO, articles: Iterable[Article] | None = None) -> int:
    """Write the WXR file to ``out``; returns how many articles it holds."""
    site = settings.SITE_URL.rstrip("/")
    write = out.write
    write('<?xml version="1.0" encoding="UTF-8" ?>\n')
    write(
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
    )
    write(f"\t<title>{escape(settings.SITE_NAME)}</title>\n\t<link>{escape(site)}</link>\n")
    write("\t<description></description>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n")
    write(f"\t<wp:base_site_url>{escape(site)}</wp:base_site_url>\n")
    write(f"\t<wp:base_blog_url>{escape(site)}</wp:base_blog_url>\n")
    for author in Author.objects.order_by("pk"):
        write(
            f"\t<wp:author><wp:author_id>{author.pk}</wp:author_id>"
            f"<wp:author_login>{cdata(author.slug)}</wp:author_login>"
            f"<wp:author_email>{cdata('')}</wp:author_email>"
            f"<wp:author_display_name>{cdata(author.name)}</wp:author_display_name>"
            "</wp:author>\n"
        )
    categories = _ordered_categories()
    slugs = {c.pk: c.slug for c in categories}
    for category in categories:
        write(
            f"\t<wp:category><wp:term_id>{category.pk}</wp:term_id>"
            f"<wp:category_nicename>{cdata(slug_out(category.slug))}</wp:category_nicename>"
            f"<wp:category_parent>{cdata(slug_out(slugs.get(category.parent_id, '')))}"
            f"</wp:category_parent><wp:cat_name>{cdata(text_out(category.name))}</wp:cat_name>"
            f"<wp:category_description>{cdata(text_out(category.description))}"
            "</wp:category_description></wp:category>\n"
        )
    used = TaggedArticle.objects.values("tag_id")
    for tag in Tag.objects.filter(pk__in=used).order_by("pk"):
        write(
            f"\t<wp:tag><wp:term_id>{tag.pk}</wp:term_id>"
            f"<wp:tag_slug>{cdata(slug_out(tag.slug))}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(text_out(tag.name))}</wp:tag_name></wp:tag>\n"
        )
    if articles is None:
        articles = (
            Article.objects.select_related("category", "image")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author")),
                "tags",
            )
            .order_by("pk")
            .iterator(chunk_size=CHUNK_SIZE)
        )
    count = 0
    written: set[int] = set()  # each image is one attachment, however many use it
    for article in articles:
        _item(write, site, article, written)
        count += 1
    write("</channel>\n</rss>\n")
    return count


def _body_images(body: str) -> list[images.Image]:
    names = images.body_image_names(body)
    if not names:
        return []
    return list(images.Image.objects.filter(file__in=names).order_by("pk"))


def _item(write, site: str, article: Article, written: set[int]) -> None:
    local, gmt = _date(article.published_at)
    if article.published_at is None:
        local = _date(article.created_at)[0]
    authors = [byline.author for byline in article.bylines.all()]
    link = f"{site}{article.get_absolute_url()}"
    write("\t<item>\n")
    write(f"\t\t<title>{cdata(text_out(article.title))}</title>\n\t\t<link>{escape(link)}</link>\n")
    write(f"\t\t<dc:creator>{cdata(authors[0].slug if authors else '')}</dc:creator>\n")
    write(f'\t\t<guid isPermaLink="false">{escape(site)}/?p={article.pk}</guid>\n')
    body = images.absolute_sources(body_out(article.body))
    write(f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n")
    write(f"\t\t<excerpt:encoded>{cdata(text_out(article.summary))}</excerpt:encoded>\n")
    write(f"\t\t<wp:post_id>{article.pk}</wp:post_id>\n")
    write(f"\t\t<wp:post_date>{cdata(local)}</wp:post_date>\n")
    write(f"\t\t<wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>\n")
    write(f"\t\t<wp:post_name>{cdata(slug_out(article.slug))}</wp:post_name>\n")
    write(f"\t\t<wp:status>{cdata(_status(article))}</wp:status>\n")
    write("\t\t<wp:post_parent>0</wp:post_parent>\n")
    write(f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n")
    write(
        f'\t\t<category domain="category" nicename={quoteattr(slug_out(article.category.slug))}>'
        f"{cdata(text_out(article.category.name))}</category>\n"
    )
    for tag in article.tags.all():
        write(
            f'\t\t<category domain="post_tag" nicename={quoteattr(slug_out(tag.slug))}>'
            f"{cdata(text_out(tag.name))}</category>\n"
        )
    if len(authors) > 1:
        write(_meta("_newsroom_bylines", ",".join(author.slug for author in authors)))
    urls = embed_urls(article.body)
    if urls:
        rows = {
            row.url: {name: getattr(row, name) for name in EMBED_FIELDS if getattr(row, name)}
            for row in Embed.objects.for_urls(urls)
        }
        rows = {url: fields for url, fields in rows.items() if fields}
        if rows:
            write(_meta("_newsroom_embeds", json.dumps(rows, sort_keys=True)))
    if article.image is not None:
        write(_meta("_thumbnail_id", str(ATTACHMENT_ID_OFFSET + article.image.pk)))
    write("\t</item>\n")
    shown = [article.image] if article.image is not None else []
    for image in shown + _body_images(article.body):
        if image.pk not in written:
            written.add(image.pk)
            _attachment(write, site, article, image)


def _attachment(write, site: str, article: Article, image: images.Image) -> None:
    # The library image's stored original is the attachment's file.
    url = image.file.url if "://" in image.file.url else f"{site}{image.file.url}"
    write("\t<item>\n")
    write(f"\t\t<title>{cdata(image.alt or image.file.name.rpartition('/')[2])}</title>\n")
    write(f"\t\t<excerpt:encoded>{cdata(text_out(image.caption))}</excerpt:encoded>\n")
    write(f"\t\t<wp:post_id>{ATTACHMENT_ID_OFFSET + image.pk}</wp:post_id>\n")
    write(f"\t\t<wp:post_parent>{article.pk}</wp:post_parent>\n")
    write(f"\t\t<wp:status>{cdata('inherit')}</wp:status>\n")
    write(f"\t\t<wp:post_type>{cdata('attachment')}</wp:post_type>\n")
    write(f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n")
    write(_meta("_wp_attached_file", image.file.name))
    if image.alt:
        write(_meta("_wp_attachment_image_alt", image.alt))
    write("\t</item>\n")
