"""Sitemaps for search engines, all fed by ``Article.objects.published()``."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Category

NEWS_WINDOW = datetime.timedelta(hours=48)


class SiteUrlSitemap(Sitemap):
    """Absolute URLs from SITE_URL, not from whatever Host the request had."""

    limit = 5000

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
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class CategorySitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        published = Article.objects.published()
        return (
            Category.objects.filter(articles__in=published)
            .annotate(lastmod=Max("articles__updated_at"))
            .order_by("name")
        )

    def lastmod(self, category: Category) -> datetime.datetime:
        return category.lastmod

    def get_latest_lastmod(self) -> datetime.datetime | None:
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class TagSitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        published = Article.objects.published().values("pk")
        return (
            Tag.objects.filter(articles_taggedarticle_items__content_object__in=published)
            .distinct()
            .order_by("name")
        )

    def location(self, tag: Tag) -> str:
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        published = Article.objects.published().values("pk")
        return Author.objects.filter(articles__in=published).distinct().order_by("name")


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
