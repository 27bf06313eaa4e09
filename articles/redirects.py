"""301s from earlier URLs: recorded when an article moves, answered on a 404.

One mechanism for every old address: an article's previous permalinks (its
slug or date changed; ``services.save_article`` records them) and legacy URLs
an importer records. A redirect to an article always points at the
article's current permalink, so chains of moves never build up, and it
answers only while the article is published: a 301 must not reveal a
draft's address.
"""

from __future__ import annotations

import datetime
from urllib.parse import unquote

from articles.models import Article, Redirect


def permalink_path(published_on: datetime.date, slug: str) -> str:
    """The permalink as ``request.path`` spells it (Unicode, not %-encoded)."""
    return unquote(Article(published_on=published_on, slug=slug).get_absolute_url())


def stored_permalink(article: Article) -> str | None:
    """Where ``article`` lives in the database now, before a save moves it."""
    if article.pk is None:
        return None
    row = Article.objects.filter(pk=article.pk).values_list("published_on", "slug").first()
    return permalink_path(*row) if row is not None else None


def record_move(article: Article, previous: str | None) -> None:
    """Leave a 301 behind when a save moved the article from ``previous``."""
    if previous is None:
        return
    current = permalink_path(article.published_on, article.slug)
    if previous == current:
        return
    add_redirect(previous, article=article)
    # Back at an address it once left: that old redirect would never answer.
    Redirect.objects.filter(old_path=current).delete()


def add_redirect(old_path: str, *, article: Article | None = None, new_path: str = "") -> Redirect:
    """Send ``old_path`` to ``article`` (or to ``new_path``); replaces an older
    redirect from the same path. For importers' legacy URLs too."""
    redirect, _created = Redirect.objects.update_or_create(
        old_path=unquote(old_path), defaults={"article": article, "new_path": new_path}
    )
    return redirect


def resolve(path: str) -> str | None:
    """Where ``path`` now lives, or ``None``. One query, and none for a path no
    URL could have had (PostgreSQL refuses NUL in a text parameter)."""
    if "\x00" in path:
        return None
    redirect = Redirect.objects.filter(old_path=path).select_related("article").first()
    if redirect is None:
        return None
    if redirect.article_id is not None:
        article = redirect.article
        return article.get_absolute_url() if article and article.is_published else None
    return redirect.new_path or None
