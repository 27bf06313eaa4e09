"""Small builders for test rows: ``make_article(**overrides)`` and friends."""

import datetime
import itertools

from django.utils import timezone

from articles import search
from articles.models import Article, Author, Byline, Category

_sequence = itertools.count(1)


def make_category(**overrides) -> Category:
    n = next(_sequence)
    fields = {"name": f"Category {n}", "slug": f"category-{n}"} | overrides
    return Category.objects.create(**fields)


def make_author(**overrides) -> Author:
    n = next(_sequence)
    fields = {"name": f"Author {n}", "slug": f"author-{n}"} | overrides
    return Author.objects.create(**fields)


def make_article(
    *,
    authors: list[Author] | tuple = (),
    tags: list[str] | tuple = (),
    **overrides,
) -> Article:
    """A published article from an hour ago unless ``overrides`` say otherwise."""
    n = next(_sequence)
    fields = {
        "title": f"Article number {n}",
        "slug": f"article-number-{n}",
        "body": f"<p>Body of article {n}. It has two sentences.</p>",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - datetime.timedelta(hours=1),
    } | overrides
    if "category" not in fields:
        fields["category"] = make_category()
    article = Article.objects.create(**fields)
    if tags:
        article.tags.add(*tags)
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    # Rows made here skip services.save_article; index them as it would.
    search.index_articles([article.pk])
    return article


def make_draft(**overrides) -> Article:
    return make_article(**({"status": Article.Status.DRAFT, "published_at": None} | overrides))


def make_scheduled(delay: datetime.timedelta = datetime.timedelta(hours=2), **overrides):
    """Published, with a publish time ``delay`` from now."""
    return make_article(**({"published_at": timezone.now() + delay} | overrides))
