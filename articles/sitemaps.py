"""Sitemaps for search engines, all fed by ``Article.objects.published()``.

Aggregates over every published article (the newest change, the categories,
tags and authors in use) are computed once per content generation, not per
request: on a large archive each is a scan.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, Category, TaggedArticle
from newsroom.cache import remember

NEWS_WINDOW = datetime.timedelta(hours=48)
AGGREGATE_TIMEOUT = 60 * 60
# How many of the newest changes to look through for a live article's.
WINDOWS = (100, 10_000)


def remembered(name: str, compute):
    """``compute()``, kept under the content generation."""
    return remember(compute, "sitemap", name, timeout=AGGREGATE_TIMEOUT)


def latest_change() -> datetime.datetime | None:
    return remembered("latest", newest_published_change)


def newest_published_change(candidates: tuple[int, ...] = WINDOWS) -> datetime.datetime | None:
    """``MAX(updated_at)`` of published articles, without reading them all.

    With the gate's date condition, databases pick the publish-date index and
    read every published row. The newest changes of articles with the
    published status come first through (status, -updated_at); the newest
    of those the gate lets through is the answer. Scheduled articles changed
    since the newest live one can fill the first window, so a wider one is
    tried, and only then the full aggregate.
    """
    published = Article.objects.published()
    recent = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-updated_at")
    for window in candidates:
        newest = published.filter(pk__in=recent.values("pk")[:window]).aggregate(
            latest=Max("updated_at")
        )["latest"]
        if newest is not None:
            return newest
    return published.aggregate(latest=Max("updated_at"))["latest"]


def used_by_published(links: QuerySet, field: str, article: str) -> Exists:
    """Whether a published article is among ``links`` (tagged items, bylines)
    whose ``field`` is the outer row: a probe of the link table's index per
    row, instead of a DISTINCT over every link of every published article."""
    published = Article.objects.published().filter(pk=OuterRef(article))
    return Exists(links.filter(**{field: OuterRef(OuterRef("pk"))}).filter(Exists(published)))


class SiteUrlSitemap(Sitemap):
    """Absolute URLs from SITE_URL, not from whatever Host the request had."""

    # Search engines take up to 50,000 addresses a file; 1,000 keeps each file
    # small to render, cache and fetch, and the same size on any archive.
    limit = 1000

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.published()
            .only("pk", "slug", "published_on", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article: Article) -> datetime.datetime:
        return article.updated_at

    def get_latest_lastmod(self) -> datetime.datetime | None:
        # One aggregate instead of Sitemap's default walk over every item.
        return latest_change()


class CategorySitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        # A category page lists its newest articles: it last changed when the
        # newest of them was published. Through (category, status,
        # -published_at), that is one index probe per category.
        newest = (
            Article.objects.published()
            .filter(category=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return remembered(
            "categories",
            lambda: list(
                Category.objects.annotate(lastmod=Subquery(newest))
                .filter(lastmod__isnull=False)
                .order_by("name")
            ),
        )

    def lastmod(self, category: Category) -> datetime.datetime:
        return category.lastmod

    def get_latest_lastmod(self) -> datetime.datetime | None:
        return latest_change()


class TagSitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        return remembered(
            "tags",
            lambda: list(
                Tag.objects.filter(
                    used_by_published(TaggedArticle.objects.all(), "tag", "content_object")
                ).order_by("name")
            ),
        )

    def location(self, tag: Tag) -> str:
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        return remembered(
            "authors",
            lambda: list(
                Author.objects.filter(
                    used_by_published(Byline.objects.all(), "author", "article")
                ).order_by("name")
            ),
        )


sitemaps = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def news_articles():
    """Articles for the Google News sitemap: published in the last 48 hours."""
    return (
        Article.objects.published()
        .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        .with_tags()
        .order_by("-published_at")[:1000]
    )
