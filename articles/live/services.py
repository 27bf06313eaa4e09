"""Writes of live coverage. Starting and ending coverage and the key points
are article fields, saved through ``articles.services.save_article`` (so they
get a revision and a version); posts are rows of their own, sanitized on save,
their embeds registered as the article body's are. Each write bumps the
content generation (``articles/signals.py``), which retires the cached page
and JSON at once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import images
from articles.html import clean_text, plain_text, sanitize
from articles.live.models import LivePost
from articles.models import Article
from articles.permissions import User, can_publish, is_on_byline
from articles.services import TransitionRefused, author_for, save_article
from embeds.models import Embed
from embeds.rendering import embed_matches

MAX_BODY_LENGTH = 20_000
MAX_KEY_POINTS_LENGTH = 2_000


class CoverageEnded(TransitionRefused):
    """The article's live coverage has ended: its posts are frozen."""


def can_manage_coverage(user: User) -> bool:
    """Editors start and end coverage and write the key points."""
    return can_publish(user)


def can_post(user: User, article: Article) -> bool:
    """Editors post on every article, writers on those whose byline they are on
    (published or not: coverage goes on after publishing)."""
    if not user.has_perm("articles.add_livepost"):
        return False
    return can_publish(user) or is_on_byline(user, article)


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def start_coverage(article: Article, user: User, now: datetime.datetime | None = None) -> Article:
    if not can_manage_coverage(user):
        raise TransitionRefused(_("Only editors can start live coverage."))
    article = _locked(article)
    if article.coverage_ended_at is not None:
        raise CoverageEnded(_("The live coverage of this article has ended."))
    if article.is_live:
        raise TransitionRefused(_("The coverage of this article is already live."))
    article.is_live = True
    article.coverage_started_at = now or timezone.now()
    return save_article(article, user=user, comment=_("Live coverage started."))


@transaction.atomic
def end_coverage(article: Article, user: User, now: datetime.datetime | None = None) -> Article:
    if not can_manage_coverage(user):
        raise TransitionRefused(_("Only editors can end live coverage."))
    article = _locked(article)
    if not article.is_live:
        raise TransitionRefused(_("This article has no live coverage."))
    if article.coverage_ended_at is not None:
        raise CoverageEnded(_("The live coverage of this article has ended."))
    article.coverage_ended_at = max(now or timezone.now(), article.coverage_started_at)
    return save_article(article, user=user, comment=_("Live coverage ended."))


@transaction.atomic
def set_key_points(article: Article, user: User, text: str) -> Article:
    if not can_manage_coverage(user):
        raise TransitionRefused(_("Only editors can write the key points."))
    text = clean_text(text).replace("\r\n", "\n").strip()
    if len(text) > MAX_KEY_POINTS_LENGTH:
        raise TransitionRefused(
            _("Key points are limited to %(n)d characters.") % {"n": MAX_KEY_POINTS_LENGTH}
        )
    article = _locked(article)
    if article.coverage_ended_at is not None:
        raise CoverageEnded(_("The live coverage of this article has ended."))
    article.key_points = text
    return save_article(article, user=user, comment=_("Key points changed."))


def clean_body(body: str) -> str:
    """The post's body as it is stored: sanitized, library images resolved.
    Empty when nothing of it survives the sanitizer."""
    return images.resolve_body(sanitize(body))


@transaction.atomic
def add_post(
    article: Article,
    user: User,
    *,
    body: str,
    headline: str = "",
    pinned: bool = False,
    now: datetime.datetime | None = None,
) -> LivePost:
    """A new post on ``article``'s running coverage; refused when the coverage
    has not started or has ended, or the user may not post on it."""
    article = _locked(article)
    _check_open(article, user)
    post = LivePost(
        article=article,
        headline=headline,
        body=_checked_body(body),
        is_pinned=pinned,
        author=author_for(user) if user.is_authenticated else None,
        created_at=now or timezone.now(),
    )
    post.save()
    Embed.objects.ensure(embed_matches(post.body))
    return post


@transaction.atomic
def edit_post(
    post: LivePost, user: User, *, body: str, headline: str = "", pinned: bool = False
) -> LivePost:
    """Correct a post in place; its time and place in the list stay."""
    article = _locked(post.article)
    _check_open(article, user)
    post.headline, post.body, post.is_pinned = headline, _checked_body(body), pinned
    post.save()
    Embed.objects.ensure(embed_matches(post.body))
    return post


def _check_open(article: Article, user: User) -> None:
    if not can_post(user, article):
        raise TransitionRefused(_("You may not post on “%(title)s”.") % {"title": article.title})
    if article.coverage_ended_at is not None:
        raise CoverageEnded(_("The live coverage of this article has ended."))
    if not article.is_live:
        raise TransitionRefused(_("Start the live coverage before posting."))


def _checked_body(body: str) -> str:
    if len(body or "") > MAX_BODY_LENGTH:
        raise TransitionRefused(
            _("A post is limited to %(n)d characters.") % {"n": MAX_BODY_LENGTH}
        )
    cleaned = clean_body(body)
    if not plain_text(cleaned) and "<img" not in cleaned:
        raise TransitionRefused(_("The post has no text."))
    return cleaned
