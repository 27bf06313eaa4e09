"""Print, as JSON, the paths bench/run.py measures and facts about the database.

Run by bench/run.py as ``python -m bench.discover`` with the benchmark's
environment, after ``generate_articles``. The choices are stable as the data
grows from 1k to 100k articles, so each page is the same page at every size:
the oldest generated article with Instagram embeds, the first section's
category, the most used tag, the month a year ago.
"""

import datetime
import json
import os
import sys

import django


def discover() -> dict:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone
    from taggit.models import Tag

    from articles.management.commands.generate_articles import COMMON_WORD, RARE_WORD
    from articles.models import Article, Category
    from bench.urls import CONSTANT_PATH

    published = Article.objects.published()
    article = (
        published.filter(body__contains="instagram.com/").order_by("pk").first()
        or published.order_by("pk").first()
    )
    if article is None:
        sys.exit("discover: no published article; did generate_articles run?")
    category = (
        Category.objects.filter(parent=None, children__isnull=False).order_by("pk").first()
        or article.category
    )
    tag = Tag.objects.annotate(uses=Count("articles_taggedarticle_items")).order_by("-uses").first()
    a_year_ago = timezone.localdate() - datetime.timedelta(days=365)
    month = (
        published.filter(
            published_at__year=a_year_ago.year, published_at__month=a_year_ago.month
        ).first()
        or published.order_by("published_at").first()
    )
    month_day = timezone.localdate(month.published_at)

    if connection.vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        connection.ensure_connection()
        version = connection.cursor().connection.info.server_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    return {
        "articles": Article.objects.count(),
        "published": published.count(),
        "database": database,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "paths": {
            "constant": CONSTANT_PATH,
            "article": article.get_absolute_url(),
            "home": "/",
            "home-last": "/?page=last",
            "category": category.get_absolute_url(),
            "category-last": category.get_absolute_url() + "?page=last",
            "tag": f"/tag/{tag.slug}/",
            "month": f"/{month_day.year:04d}/{month_day.month:02d}/",
            "search-common": f"/search/?q={COMMON_WORD}",
            "search-rare": f"/search/?q={RARE_WORD}",
            "feed": "/feed/",
            "sitemap": "/sitemap.xml",
            "sitemap-articles": "/sitemap-articles.xml",
            "api-articles": "/api/v1/articles",
        },
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    print(json.dumps(discover()))
