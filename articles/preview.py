"""Shareable preview links for unpublished articles.

A link carries the article's id and preview nonce, signed with SECRET_KEY
and timestamped (``django.core.signing``). It works without login until it
expires, is tampered with, or the article's nonce is replaced (revoking
every link given out so far). Once the article is live the link sends
readers to its permalink.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from articles.links import absolute_url
from articles.models import Article, new_preview_nonce
from articles.views import ArticleDetailView

SALT = "articles.preview"


def max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.ARTICLE_PREVIEW_MAX_AGE)


def preview_token(article: Article) -> str:
    return signing.dumps({"a": article.pk, "n": article.preview_nonce}, salt=SALT, compress=True)


def preview_url(article: Article) -> str:
    """An absolute, signed link to the article's preview."""
    return absolute_url(reverse("articles:preview", kwargs={"token": preview_token(article)}))


def article_for_token(token: str) -> Article:
    """The article a valid, unexpired, unrevoked token names; 404 otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
        pk, nonce = int(data["a"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        # SignatureExpired is a BadSignature: an old link looks like a bad one.
        raise Http404("No such preview") from None
    article = Article.objects.filter(pk=pk, preview_nonce=nonce).first()
    if article is None:
        raise Http404("No such preview")
    return article


def revoke_previews(article: Article) -> None:
    """Invalidate every preview link given out for ``article``.

    Written with ``update()``: it is not an edit of the article, so it makes
    no revision and does not count as a newer version in open change forms.
    """
    article.preview_nonce = new_preview_nonce()
    Article.objects.filter(pk=article.pk).update(preview_nonce=article.preview_nonce)


class ArticlePreviewView(ArticleDetailView):
    """The article page as readers will see it, under a "Preview" banner."""

    template_name = "articles/article_preview.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.token_article = article_for_token(self.kwargs["token"])
        if self.token_article.is_published:
            return HttpResponseRedirect(self.token_article.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def can_preview(self) -> bool:
        return True

    def visible_articles(self):
        # The signed token is the permission: the queryset spans every article.
        return Article.objects.all()

    def get_object(self, queryset=None) -> Article:
        return self.get_queryset().get(pk=self.token_article.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["not_published"] = False  # this page has its own banner
        return context

    def is_private(self, context) -> bool:
        return True

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        # The token is in the URL: never hand it on to another site.
        response["Referrer-Policy"] = "no-referrer"
        return response
