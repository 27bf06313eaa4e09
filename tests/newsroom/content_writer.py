"""An editor's write from a process of its own (see test_page_cache_processes).

    python -m tests.newsroom.content_writer publish SLUG TITLE [DELAY_SECONDS]
    python -m tests.newsroom.content_writer retitle SLUG TITLE
    python -m tests.newsroom.content_writer rename-category CATEGORY_SLUG NAME

Writes through ``articles.services.save_article``, the one write path, against
whatever DATABASE_URL and cache the environment names, and prints the
article's URL and its publish time (a Unix timestamp).
"""

import datetime
import sys

import django


def main(action: str, slug: str, title: str, delay: str = "0") -> None:
    django.setup()
    from django.utils import timezone

    from articles.models import Article, Category
    from articles.services import save_article

    if action == "publish":
        category, _ = Category.objects.get_or_create(slug="news", defaults={"name": "News"})
        article = Article(
            title=title,
            slug=slug,
            body=f"<p>{title}: the body.</p>",
            category=category,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() + datetime.timedelta(seconds=float(delay)),
        )
    elif action == "rename-category":
        # A category's own row, not an article: saved directly, as the admin does.
        category = Category.objects.get(slug=slug)
        category.name = title
        category.save()
        article = Article.objects.filter(category=category).earliest("published_at")
    elif action == "retitle":
        article = Article.objects.get(slug=slug)
        article.title = title
    else:
        sys.exit(f"unknown action {action!r}")
    if action != "rename-category":
        save_article(article, comment="content_writer")
    print(article.get_absolute_url(), article.published_at.timestamp())


if __name__ == "__main__":
    main(*sys.argv[1:])
