"""Lists of article cards: narrow rows, deep pages that stay cheap, and pages
cached with the content.

A list page's data (its articles, the total, the page number) changes only
with the content, so it is kept under the content generation
(``newsroom.cache``) and a warm list page needs no query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cached_property

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Model, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from articles.models import Article, Byline
from newsroom.cache import content_key, current, remember

# What a card shows; the body (kilobytes each) stays in the database.
CARD_FIELDS = (
    "pk",
    "title",
    "slug",
    "dek",
    "summary",
    "published_on",
    "published_at",
    "category__name",
    "category__slug",
)
# Below this offset a plain OFFSET is as cheap as anything else.
SEEK_FROM = 120
LIST_TIMEOUT = 60 * 60


def cards(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` as list cards: narrow rows, category and ordered authors."""
    return (
        articles.select_related("category")
        .only(*CARD_FIELDS)
        .prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author")
                .only("article_id", "position", "author__name", "author__slug")
                .order_by("position"),
            )
        )
    )


class ArticlePaginator(Paginator):
    """Deep pages fetch their keys first, so OFFSET walks an index, not whole
    rows; pages past the middle walk from the other end, so the last page is
    as cheap as the first."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < SEEK_FROM:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom > self.count - top:
            # The list's ordering is total (it ends in the key), so reversed
            # it holds the same rows back to front.
            reversed_keys = self.object_list.reverse().values_list("pk", flat=True)
            keys = list(reversed_keys[self.count - top : self.count - bottom])[::-1]
        else:
            keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {article.pk: article for article in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[pk] for pk in keys if pk in rows], number, self)


class StoredArticles(Sequence):
    """A page's articles, read from the cache only if the template asks: a page
    whose list is a cached fragment never unpickles them."""

    def __init__(self, key: str) -> None:
        self.key = key

    @cached_property
    def articles(self) -> list[Article]:
        # Stored together with the page's numbers; gone only if evicted since.
        return cache.get(self.key) or []

    def __getitem__(self, index):
        return self.articles[index]

    def __len__(self) -> int:
        return len(self.articles)


def cached_page(
    paginator: Paginator, number: str | int, key: str, prepare=None
) -> tuple[Paginator, Page]:
    """``paginator.page(number)``, kept under the content generation by ``key``.

    ``prepare`` gets the page's articles before they are stored, to load
    anything the template will need (so a cached page never queries).
    """
    if not current().shared:  # the cache does not answer: ask it nothing
        return paginator, paginator.page(paginator.num_pages if number == "last" else number)
    stored = cache.get(key)
    if stored is not None:
        count, number = stored
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
        return paginator, Page(StoredArticles(f"{key}:articles"), number, paginator)
    page = paginator.page(paginator.num_pages if number == "last" else number)
    articles = list(page.object_list)
    if prepare is not None:
        prepare(articles, page)
    cache.set_many({f"{key}:articles": articles, key: (paginator.count, page.number)}, LIST_TIMEOUT)
    return paginator, Page(articles, page.number, paginator)


def list_key(*parts: object) -> str:
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:32]
    return content_key("list", digest)


def by_slug(model: type[Model], slug: str) -> Model:
    """The row of ``model`` with ``slug``, or a 404; cached with the content."""
    digest = hashlib.sha256(slug.encode()).hexdigest()[:32]
    return remember(
        lambda: get_object_or_404(model, slug=slug),
        "slug",
        model._meta.label_lower,
        digest,
        timeout=LIST_TIMEOUT,
    )
