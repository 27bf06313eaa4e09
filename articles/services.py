"""Article writes: the one write path, the status transitions, tag merges.

``save_article`` is where an article write has its effects, whoever makes
it: the admin, the transitions below, management commands and importers.
``Article.save()`` only normalises the row's own fields (sanitized body,
slug, permalink date); everything that reaches beyond the row happens here.
Signals are left to cache invalidation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles import images, notifications, redirects, search
from articles.html import clean_text, sanitize
from articles.models import Article, Author, Byline, Correction, TaggedArticle
from articles.permissions import User, can_edit_article, can_publish
from articles.revisions import Conflict, find_conflict
from embeds.models import Embed
from embeds.rendering import embed_matches


class TransitionRefused(Exception):
    """A transition the user may not make, or that makes no sense for the article."""


class MissingAltText(TransitionRefused):
    """An article would go live with an image that has no alt text."""


class EmbargoBreach(TransitionRefused):
    """The article would go live before its embargo ends, and no one said to."""


class StaleVersion(Exception):
    """The article was saved by someone else since the caller loaded it."""

    def __init__(self, conflict: Conflict, article: Article | None = None) -> None:
        super().__init__(f"Saved by {conflict.saved_by} at {conflict.saved_at.isoformat()}.")
        self.conflict = conflict
        self.article = article

    @classmethod
    def of(cls, article: Article) -> StaleVersion:
        return cls(find_conflict(article.pk, article.version), article)


def author_for(user: AbstractBaseUser, name: str = "") -> Author:
    """The user's author profile, created on first need so a writer's article
    always carries its writer on the byline (that is what makes it theirs).
    A new profile is named ``name``, else the user's full name or username."""
    try:
        return user.author
    except Author.DoesNotExist:
        pass
    name = clean_text(name).strip() or user.get_full_name() or user.get_username()
    base = slugify(name, allow_unicode=True)[:140] or "author"
    slug, n = base, 1
    while Author.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Author.objects.create(user=user, name=name, slug=slug)


# The write path ----------------------------------------------------------------


def save_article(
    article: Article,
    *,
    user: User | None = None,
    comment: str = "",
    authors: Iterable[Author] | None = None,
    tags: Iterable[str | Tag] | None = None,
    save_related: Callable[[], None] | None = None,
    force: bool = False,
    break_embargo: bool = False,
) -> Article:
    """Save ``article`` with every effect of a write, in one transaction.

    The row is sanitized and saved (``Article.save()``); ``authors`` replace
    the byline and ``tags`` the tags when given, and ``save_related`` (the
    admin's inlines and many-to-many fields) runs next. Then, whoever wrote:
    every embed URL in the body gets its metadata row, a writer who cannot
    publish is on the byline, an earlier permalink answers with a 301, and
    one revision records it all, and the search index takes the new text.

    An article saved since ``article`` was loaded (its ``version`` is behind
    the row's) is refused with ``StaleVersion`` and nothing is written, unless
    ``force`` says to replace that newer save (it stays in the history).

    Publishing or scheduling before the article's embargo ends is refused
    with ``EmbargoBreach`` unless ``break_embargo`` says so; then the embargo
    is lifted (the revision keeps it).
    """
    with _version_restored_on_failure(article), transaction.atomic(), reversion.create_revision():
        if article.pk and not article._state.adding and not article.claim_version(force=force):
            raise StaleVersion.of(article)
        _check_embargo(article, break_embargo=break_embargo)
        _place_images(article)
        previous_path = redirects.stored_permalink(article)
        article.save()
        if authors is not None:
            _set_byline(article, list(authors))
        if tags is not None:
            article.tags.set([clean_text(t) if isinstance(t, str) else t for t in tags])
        if save_related is not None:
            save_related()
        # Tags and byline are saved: the article's search row can be written.
        search.index_articles([article.pk])
        Embed.objects.ensure(embed_matches(article.body))
        if user is not None and user.is_authenticated and not can_publish(user):
            _add_to_byline(article, author_for(user))
        redirects.record_move(article, previous_path)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
    return article


@contextmanager
def _version_restored_on_failure(article: Article) -> Iterator[None]:
    """A write that fails leaves nothing written, so the copy is again the
    version it was loaded at (a retry is not refused as stale)."""
    loaded = article.version
    try:
        yield
    except BaseException:
        article.version = loaded
        article.__dict__.pop("_version_claimed", None)
        raise


def _place_images(article: Article) -> None:
    """Body images from the library get their size and alt text, a lead image
    set the old way moves into the library, and an article going live must
    have alt text on every image (``MissingAltText``)."""
    article.body = images.resolve_body(sanitize(article.body))
    if article.lead_image and article.image_id is None:
        images.adopt_lead_image(article)
    if article.status != Article.Status.PUBLISHED:
        return
    reason = images.missing_alt_text(article.image, article.body)
    if reason and not Article.objects.filter(pk=article.pk, status=article.status).exists():
        raise MissingAltText(reason)


def _check_embargo(article: Article, *, break_embargo: bool) -> None:
    """An embargo ends no later than the publish time (a database constraint
    too); going live before it ends is an explicit choice."""
    if article.embargo_until is None:
        return
    going_live = article.status == Article.Status.PUBLISHED
    when = article.published_at or (timezone.now() if going_live else None)
    if when is None or article.embargo_until.replace(microsecond=0) <= when.replace(microsecond=0):
        return
    if not going_live:
        raise EmbargoBreach(_("The embargo must end no later than the publish time."))
    if not break_embargo:
        raise EmbargoBreach(
            _(
                "“%(title)s” is embargoed until %(until)s. Publishing it earlier breaks the "
                "embargo: confirm that you mean to."
            )
            % {"title": article.title, "until": embargo_label(article.embargo_until)}
        )
    article.embargo_until = None


def embargo_label(moment: datetime.datetime) -> str:
    """The embargo's end as people read it, with its time zone."""
    return date_format(timezone.localtime(moment), "F jS, Y, H:i T")


def _set_byline(article: Article, authors: list[Author]) -> None:
    article.bylines.exclude(author__in=authors).delete()
    for position, author in enumerate(authors):
        Byline.objects.update_or_create(
            article=article, author=author, defaults={"position": position}
        )


def _add_to_byline(article: Article, author: Author) -> None:
    """A writer's article carries its writer: that is what makes it theirs."""
    positions = list(article.bylines.values_list("author_id", "position"))
    if any(author_id == author.pk for author_id, _ in positions):
        return
    position = max((p for _, p in positions), default=-1) + 1
    Byline.objects.create(article=article, author=author, position=position)


# Transitions -----------------------------------------------------------------


def _locked(article: Article, *, force: bool = False) -> Article:
    """The article's current row, locked until the transaction ends, so a
    transition never works from a stale copy. A caller whose copy is behind
    it is told with ``StaleVersion`` (it decided on what it had loaded),
    unless it ``force``s the transition."""
    current = Article.objects.select_for_update().get(pk=article.pk)
    if current.version != article.version and not force:
        raise StaleVersion.of(article)
    return current


@transaction.atomic
def submit_for_review(
    article: Article, user: User, *, note: str = "", force: bool = False
) -> Article:
    """Hand a draft to the editors; they get an email (with ``note``) once
    the transaction commits."""
    article = _locked(article, force=force)
    if not can_edit_article(user, article):
        raise TransitionRefused(_("You may not change “%(title)s”.") % {"title": article.title})
    if article.status != Article.Status.DRAFT:
        raise TransitionRefused(
            _("“%(title)s” is not a draft (it is %(status)s).")
            % {"title": article.title, "status": article.get_status_display().lower()}
        )
    article.status = Article.Status.REVIEW
    save_article(article, user=user, comment=_("Submitted for review."))
    notifications.on_commit(notifications.submitted, article, user, note)
    return article


@transaction.atomic
def publish_now(
    article: Article,
    user: User,
    now: datetime.datetime | None = None,
    *,
    note: str = "",
    force: bool = False,
    break_embargo: bool = False,
) -> Article:
    """Make the article live now. A scheduled or never-published article gets
    the current time; one published before and since unpublished keeps its
    date, and so its URL. Before its embargo ends, only with ``break_embargo``.
    Its writers get an email (with ``note``)."""
    if not can_publish(user):
        raise TransitionRefused(_("You do not have permission to publish articles."))
    article = _locked(article, force=force)
    now = now or timezone.now()
    if article.is_published:
        raise TransitionRefused(_("“%(title)s” is already live.") % {"title": article.title})
    article.status = Article.Status.PUBLISHED
    if article.published_at is None or article.published_at > now:
        article.published_at = now
    comment = _("Published.")
    if break_embargo and article.embargo_until and article.published_at < article.embargo_until:
        comment = _("Published ahead of the embargo (until %(until)s).") % {
            "until": embargo_label(article.embargo_until)
        }
    save_article(article, user=user, comment=comment, break_embargo=break_embargo)
    notifications.on_commit(notifications.published, article, user, note)
    return article


# How far ahead a story may be scheduled: beyond this a date is a typo.
SCHEDULE_HORIZON = datetime.timedelta(days=5 * 366)


def check_schedule_time(at: datetime.datetime, now: datetime.datetime | None = None) -> None:
    """Refuse a publish time that is not in the future, or absurdly far in it."""
    now = now or timezone.now()
    if at <= now:
        raise TransitionRefused(
            _("The time to publish at has passed. Choose a later time, or publish now.")
        )
    if at > now + SCHEDULE_HORIZON:
        raise TransitionRefused(_("Schedule at most five years ahead."))


@transaction.atomic
def schedule(
    article: Article,
    user: User,
    at: datetime.datetime,
    *,
    note: str = "",
    now: datetime.datetime | None = None,
    force: bool = False,
) -> Article:
    """Publish the article at ``at``, a future time: until then it is
    scheduled, seen by no reader. A live article is unpublished first."""
    if not can_publish(user):
        raise TransitionRefused(_("You do not have permission to schedule articles."))
    check_schedule_time(at, now)
    article = _locked(article, force=force)
    if article.is_published:
        raise TransitionRefused(
            _("“%(title)s” is live: unpublish it before scheduling it.") % {"title": article.title}
        )
    article.status = Article.Status.PUBLISHED
    article.published_at = at
    save_article(article, user=user, comment=_("Scheduled."))
    notifications.on_commit(notifications.scheduled, article, user, note)
    return article


@transaction.atomic
def return_for_changes(
    article: Article, user: User, *, note: str = "", force: bool = False
) -> Article:
    """Send an article in review back to its writers as a draft, with ``note``."""
    if not can_publish(user):
        raise TransitionRefused(_("Only editors can return an article for changes."))
    article = _locked(article, force=force)
    if article.status != Article.Status.REVIEW:
        raise TransitionRefused(_("“%(title)s” is not in review.") % {"title": article.title})
    article.status = Article.Status.DRAFT
    save_article(article, user=user, comment=_("Returned for changes."))
    notifications.on_commit(notifications.returned, article, user, note)
    return article


def publish_ahead_of_embargo(article: Article, user: User, **kwargs) -> Article:
    """``publish_now``, confirmed for an article whose embargo has not ended."""
    return publish_now(article, user, break_embargo=True, **kwargs)


# Corrections -------------------------------------------------------------------


def add_correction(
    article: Article, user: User, *, text: str, kind: str = Correction.Kind.CORRECTION
) -> Correction:
    """A dated correction, update or clarification on ``article``, saved through
    the write path (one revision, a new article version, caches retired)."""
    if not can_edit_article(user, article) or not user.has_perm("articles.add_correction"):
        raise TransitionRefused(_("You may not change “%(title)s”.") % {"title": article.title})
    correction = Correction(article=article, kind=kind, text=text, author=user)
    correction.full_clean(exclude=["article"])
    label = correction.get_kind_display()
    save_article(
        article,
        user=user,
        save_related=correction.save,
        comment=_("%(kind)s added.") % {"kind": label},
    )
    return correction


@transaction.atomic
def unpublish(article: Article, user: User, *, force: bool = False) -> Article:
    """Take a live or scheduled article off the site; it keeps its date."""
    if not can_publish(user):
        raise TransitionRefused(_("You do not have permission to unpublish articles."))
    article = _locked(article, force=force)
    if article.status != Article.Status.PUBLISHED:
        raise TransitionRefused(_("“%(title)s” is not published.") % {"title": article.title})
    article.status = Article.Status.DRAFT
    save_article(article, user=user, comment=_("Unpublished."))
    return article


# Tags ------------------------------------------------------------------------


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
    # Locked first, in one order: an edit committed meanwhile is never saved over.
    articles = list(Article.objects.select_for_update().filter(pk__in=affected).order_by("pk"))
    for tag in others:
        already = TaggedArticle.objects.filter(tag=target).values("content_object_id")
        TaggedArticle.objects.filter(tag=tag).exclude(content_object_id__in=already).update(
            tag=target
        )
        TaggedArticle.objects.filter(tag=tag).delete()
        redirects.add_redirect(
            reverse("articles:tag", kwargs={"slug": tag.slug}),
            new_path=reverse("articles:tag", kwargs={"slug": target.slug}),
        )
        tag.delete()
    names = ", ".join(f"“{tag.name}”" for tag in others)
    for article in articles:
        save_article(article, user=user, comment=f"Tags {names} merged into “{target.name}”.")
    return len(others)
