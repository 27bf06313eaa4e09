"""The article body as readers get it."""

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article


def render_article_body(article: Article) -> SafeString:
    """The stored, sanitized body with embeds in place, cached per article version.

    The key carries ``updated_at``, so an edit never serves a stale body and
    old versions simply expire.
    """
    key = f"article-body:{article.pk}:{article.updated_at.timestamp():.6f}"
    html = cache.get(key)
    if html is None:
        # Safe because Article.save() stored it through the nh3 allowlist.
        html = mark_safe(article.body)  # noqa: S308
        cache.set(key, str(html), timeout=60 * 60 * 24)
    return mark_safe(html)  # noqa: S308 - the cached value is the sanitized body
