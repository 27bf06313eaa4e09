"""Sitemaps for search engines, all fed by ``Article.objects.published()``.

Aggregates over every published article (the newest change, the categories,
tags and authors in use) are computed once per content generation, not per
request: on a large archive each is a scan.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Category
from newsroom.cache import remember

NEWS_WINDOW = datetime.timedelta(hours=48)
AGGREGATE_TIMEOUT = 60 * 60


def remembered(name: str, compute):
    """``compute()``, kept under the content generation."""
    return remember(compute, "sitemap", name, timeout=AGGREGATE_TIMEOUT)


def latest_change() -> datetime.datetime | None:
    return remembered(
        "latest",
        lambda: Article.objects.published().aggregate(latest=Max("updated_at"))["latest"],
    )


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
        published = Article.objects.published()
        return remembered(
            "categories",
            lambda: list(
                Category.objects.filter(articles__in=published)
                .annotate(lastmod=Max("articles__updated_at"))
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
        published = Article.objects.published().values("pk")
        return remembered(
            "tags",
            lambda: list(
                Tag.objects.filter(articles_taggedarticle_items__content_object__in=published)
                .distinct()
                .order_by("name")
            ),
        )

    def location(self, tag: Tag) -> str:
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        published = Article.objects.published().values("pk")
        return remembered(
            "authors",
            lambda: list(Author.objects.filter(articles__in=published).distinct().order_by("name")),
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
        .prefetch_related("tags")
        .order_by("-published_at")[:1000]
    )
