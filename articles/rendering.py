"""The article body as readers get it."""

from django.utils.safestring import SafeString

from articles.models import Article
from embeds.rendering import render_body_cached


def render_article_body(article: Article) -> SafeString:
    """The stored, sanitized body with its embeds as cards, cached per article version.

    The key carries ``updated_at``, so an edit never serves a stale body and
    old versions simply expire; the embeds app adds its own generation, so
    edited embed metadata shows at once.
    """
    return render_body_cached(
        article.body, key=f"article:{article.pk}:{article.updated_at.timestamp():.6f}"
    )
