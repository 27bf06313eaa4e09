"""Editorial writes: who may do what to an article, the status transitions,
and the version check that keeps two people from overwriting each other.

The admin's forms and actions call these; so can importers and commands.
Every transition saves through ``Article.save()`` inside a reversion
revision, so it is sanitized, versioned and bumps ``updated_at`` like an
edit in the change form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import reversion
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Author, TaggedArticle
from articles.redirects import add_redirect

PUBLISH_PERMISSION = "articles.publish_article"

User = AbstractBaseUser | AnonymousUser


class TransitionRefused(Exception):
    """A transition the user may not make, or that makes no sense for the article."""


def can_publish(user: User) -> bool:
    """Editors: publish, schedule, unpublish, and edit any article."""
    return user.has_perm(PUBLISH_PERMISSION)


def is_on_byline(user: User, article: Article) -> bool:
    if article.pk is None or not user.is_authenticated:
        return False
    return article.bylines.filter(author__user=user).exists()


def can_edit_article(user: User, article: Article) -> bool:
    """Editors edit every article; writers their own drafts and articles in review."""
    if not user.has_perm("articles.change_article"):
        return False
    if can_publish(user):
        return True
    return article.status != Article.Status.PUBLISHED and is_on_byline(user, article)


def author_for(user: AbstractBaseUser) -> Author:
    """The user's author profile, created on first need so a writer's article
    always carries its writer on the byline (that is what makes it theirs)."""
    try:
        return user.author
    except Author.DoesNotExist:
        pass
    name = user.get_full_name() or user.get_username()
    base = slugify(name, allow_unicode=True)[:140] or "author"
    slug, n = base, 1
    while Author.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Author.objects.create(user=user, name=name, slug=slug)


# Transitions -----------------------------------------------------------------


def save_article(article: Article, *, user: User | None = None, comment: str = "") -> None:
    """Save with a revision, as the admin does. Importers and commands that
    write articles use this, so their writes show in the history and count
    as a newer version for anyone editing the article at the time."""
    with reversion.create_revision():
        article.save()
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)


def _save_transition(article: Article, user: User, comment: str) -> None:
    save_article(article, user=user, comment=comment)


def _locked(article: Article) -> Article:
    """The article's current row, locked until the transaction ends, so a
    transition never works from a stale copy."""
    return Article.objects.select_for_update().get(pk=article.pk)


@transaction.atomic
def submit_for_review(article: Article, user: User) -> Article:
    article = _locked(article)
    if not can_edit_article(user, article):
        raise TransitionRefused(_("You may not change “%(title)s”.") % {"title": article.title})
    if article.status != Article.Status.DRAFT:
        raise TransitionRefused(
            _("“%(title)s” is not a draft (it is %(status)s).")
            % {"title": article.title, "status": article.get_status_display().lower()}
        )
    article.status = Article.Status.REVIEW
    _save_transition(article, user, _("Submitted for review."))
    return article


@transaction.atomic
def publish_now(article: Article, user: User, now: datetime.datetime | None = None) -> Article:
    """Make the article live now. A scheduled or never-published article gets
    the current time; one published before and since unpublished keeps its
    date, and so its URL."""
    if not can_publish(user):
        raise TransitionRefused(_("You do not have permission to publish articles."))
    article = _locked(article)
    now = now or timezone.now()
    if article.is_published:
        raise TransitionRefused(_("“%(title)s” is already live.") % {"title": article.title})
    article.status = Article.Status.PUBLISHED
    if article.published_at is None or article.published_at > now:
        article.published_at = now
    _save_transition(article, user, _("Published."))
    return article


@transaction.atomic
def unpublish(article: Article, user: User) -> Article:
    """Take a live or scheduled article off the site; it keeps its date."""
    if not can_publish(user):
        raise TransitionRefused(_("You do not have permission to unpublish articles."))
    article = _locked(article)
    if article.status != Article.Status.PUBLISHED:
        raise TransitionRefused(_("“%(title)s” is not published.") % {"title": article.title})
    article.status = Article.Status.DRAFT
    _save_transition(article, user, _("Unpublished."))
    return article


# Versions --------------------------------------------------------------------


def latest_version(article_pk: int) -> Version | None:
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision__user")
        .order_by("-pk")
        .first()
    )


def version_token(updated_at: datetime.datetime, version: Version | None) -> str:
    """What a change form remembers of the article it loaded.

    ``updated_at`` moves on every save from any path; the version id also
    tells apart two saves within one clock tick (or under a frozen clock).
    """
    return f"{updated_at.isoformat()}|{version.pk if version else 0}"


def current_token(article: Article) -> str:
    return version_token(article.updated_at, latest_version(article.pk))


@dataclass(frozen=True)
class Conflict:
    """A newer save than the one a form was loaded from."""

    saved_at: datetime.datetime
    saved_by: str
    version_id: int | None


def find_conflict(article_pk: int, token: str) -> Conflict | None:
    """The newer save, if the article changed since ``token`` was issued.

    Locks the row (where the database can) until the caller's transaction
    ends, so nothing slips in between this check and the caller's save.
    """
    updated_at = (
        Article.objects.select_for_update()
        .filter(pk=article_pk)
        .values_list("updated_at", flat=True)
        .first()
    )
    if updated_at is None:
        return None
    version = latest_version(article_pk)
    if token == version_token(updated_at, version):
        return None
    if version is not None and version.revision.date_created >= updated_at - datetime.timedelta(
        seconds=5
    ):
        user = version.revision.user
        saved_by = (user.get_full_name() or user.get_username()) if user else _("someone")
    else:
        # Saved outside the admin (a command or an import): no revision says who.
        saved_by = _("someone outside the admin")
    return Conflict(
        saved_at=updated_at, saved_by=saved_by, version_id=version.pk if version else None
    )


# Tags ------------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def merge_tags(target: Tag, others: list[Tag], *, user: User | None = None) -> int:
    """Move every article from ``others`` to ``target``, delete ``others`` and
    send their tag pages to ``target``'s. Returns how many were merged.

    Each article whose tags changed gets a revision (and a new version, so an
    editor with it open is told rather than silently re-adding the old tag).
    """
    affected = set(
        TaggedArticle.objects.filter(tag__in=others).values_list("content_object_id", flat=True)
    )
    for tag in others:
        already = TaggedArticle.objects.filter(tag=target).values("content_object_id")
        TaggedArticle.objects.filter(tag=tag).exclude(content_object_id__in=already).update(
            tag=target
        )
        TaggedArticle.objects.filter(tag=tag).delete()
        add_redirect(
            reverse("articles:tag", kwargs={"slug": tag.slug}),
            new_path=reverse("articles:tag", kwargs={"slug": target.slug}),
        )
        tag.delete()
    names = ", ".join(f"“{tag.name}”" for tag in others)
    for article in Article.objects.filter(pk__in=affected):
        save_article(article, user=user, comment=f"Tags {names} merged into “{target.name}”.")
    return len(others)
