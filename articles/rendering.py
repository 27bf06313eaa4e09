"""The article body as readers get it."""

from django.utils.safestring import SafeString

from articles.images import body_pictures
from articles.models import Article
from embeds.rendering import render_body_cached
from newsroom.cache import content_key


def render_article_body(article: Article) -> SafeString:
    """The stored, sanitized body with its embeds as cards, cached per article version.

    The key carries the content generation (``newsroom.cache``), which every
    save of an article or an embed bumps in every process, and ``updated_at``
    besides, so an edit never serves a stale body.
    """
    key = content_key("article", article.pk, f"{article.updated_at.timestamp():.6f}")
    return render_body_cached(body_pictures(article.body), key=key)
