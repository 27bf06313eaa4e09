"""What an article page shows besides the article row, cached with the content.

The byline, tags, rendered body, reading time, related and neighbouring
articles, "More in" the section, the share block and the JSON-LD change only
when content changes, so they are built once per article version and content
generation (``newsroom.cache``) and a warm article page costs one query: the
article itself.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from taggit.models import Tag

from articles.html import word_count
from articles.links import absolute_url
from articles.models import Article, Author, Correction
from articles.rendering import render_article_body
from articles.templatetags.articles import article_ld, share_links
from newsroom.cache import remember

RELATED_SIZE = 4
# "More in <section>": the newest published articles of the same category.
MORE_IN_SIZE = 3
# Words a minute for the reading time: a common estimate for adults reading prose.
READING_SPEED = 230
# Retired with the generation anyway; this only bounds memory for quiet articles.
PARTS_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class ArticleParts:
    """Named as the article template's context names them."""

    canonical_url: str
    lead_image_url: str
    description: str
    authors: list[Author]
    tags: list[Tag]
    related: list[Article]
    more_in_category: list[Article]
    reading_minutes: int
    previous_article: Article | None
    next_article: Article | None
    body: SafeString
    json_ld: SafeString
    # Corrections, updates and clarifications, oldest first; the newest one's
    # time is the "Updated" of the meta line.
    corrections: list[Correction]
    last_updated: datetime.datetime | None
    # Rendered once here rather than on every request: the byline, the tags
    # with the share block, and the pager with the related articles.
    byline: SafeString
    footer: SafeString
    more: SafeString


def published_article_at(day: datetime.date, slug: str) -> Article:
    """The published article at a permalink, with its category, or a 404.

    Cached with the content: a scheduled article going live starts a new
    generation, so it is found at its time (``newsroom.cache``).
    """
    permalink = hashlib.sha256(f"{day.isoformat()}/{slug}".encode()).hexdigest()[:32]
    return remember(
        lambda: get_object_or_404(
            Article.objects.published().select_related("category", "image").with_neighbours(),
            published_on=day,
            slug=slug,
        ),
        "article-at",
        permalink,
        timeout=PARTS_TIMEOUT,
    )


def article_parts(article: Article) -> ArticleParts:
    """The page's parts for ``article`` (fetched with its category), cached."""
    return remember(
        lambda: _build(article),
        # Named anew whenever ArticleParts changes shape: entries pickled by
        # the previous release are then never read.
        "article-page-2",
        article.pk,
        f"{article.updated_at.timestamp():.6f}",
        get_language(),
        timeout=PARTS_TIMEOUT,
    )


def _build(article: Article) -> ArticleParts:
    canonical_url = absolute_url(article.get_absolute_url())
    # The 1200×630 social crop: what OpenGraph, Twitter and JSON-LD show.
    lead_image_url = absolute_url(article.image.social_url) if article.image else ""
    authors = [
        byline.author
        for byline in article.bylines.select_related("author").order_by("position", "pk")
    ]
    tags = list(article.tags.order_by("name"))
    related, previous, following = related_and_neighbours(article, [tag.pk for tag in tags])
    corrections = list(article.corrections.order_by("created_at", "pk"))
    more_in_category = newest_in_category(article)
    return ArticleParts(
        canonical_url=canonical_url,
        lead_image_url=lead_image_url,
        description=article.meta_description,
        authors=authors,
        tags=tags,
        related=related,
        more_in_category=more_in_category,
        reading_minutes=reading_minutes(article.body),
        previous_article=previous,
        next_article=following,
        body=render_article_body(article),
        json_ld=article_ld(article, authors, lead_image_url, corrections),
        corrections=corrections,
        last_updated=max((c.created_at for c in corrections), default=None),
        byline=_render("includes/article_byline.html", authors=authors),
        footer=_render(
            "includes/article_footer.html",
            tags=tags,
            links=share_links(canonical_url, article.title, lead_image_url),
            url=canonical_url,
            title=article.title,
        ),
        more=_render(
            "includes/article_more.html",
            category=article.category,
            more_in_category=more_in_category,
            related=related,
            previous_article=previous,
            next_article=following,
        ),
    )


def reading_minutes(body: str) -> int:
    """Minutes to read ``body`` at ``READING_SPEED``, rounded up; at least one."""
    return max(1, math.ceil(word_count(body) / READING_SPEED))


def newest_in_category(article: Article) -> list[Article]:
    """The newest published articles filed in ``article``'s category, itself left out."""
    return list(
        Article.objects.published()
        .filter(category_id=article.category_id)
        .exclude(pk=article.pk)
        .order_by("-published_at", "-pk")
        .only("pk", "title", "slug", "published_on", "published_at")[:MORE_IN_SIZE]
    )


def _render(template_name: str, **context) -> SafeString:
    # Templates autoescape; their output is safe HTML.
    return SafeString(render_to_string(template_name, context))


def related_and_neighbours(
    article: Article, tag_ids: list[int]
) -> tuple[list[Article], Article | None, Article | None]:
    """Related articles and the previous and next published articles, in one
    query given the ``with_neighbours()`` annotations (two without)."""
    if hasattr(article, "previous_pk"):
        previous_pk, next_pk = article.previous_pk, article.next_pk
    else:
        previous_pk, next_pk = (
            Article.objects.filter(pk=article.pk)
            .with_neighbours()
            .values_list("previous_pk", "next_pk")
            .get()
        )
    neighbours = [pk for pk in (previous_pk, next_pk) if pk]
    candidates = (
        Article.objects.published()
        .related_to(article, tag_ids, neighbours)
        .only("pk", "title", "slug", "published_on", "published_at")[: RELATED_SIZE + 2]
    )
    by_pk = {}
    related = []
    for candidate in candidates:
        by_pk[candidate.pk] = candidate
        if candidate.pk not in neighbours and len(related) < RELATED_SIZE:
            related.append(candidate)
    return related, by_pk.get(previous_pk), by_pk.get(next_pk)
