from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.html import clean_text, sanitize
from articles.models import Article, Author


class LivePostQuerySet(models.QuerySet):
    def in_page_order(self) -> "LivePostQuerySet":
        """Pinned posts on top, then the newest first: the order readers see."""
        return self.order_by("-is_pinned", "-created_at", "-pk")


class LivePost(models.Model):
    """One timestamped update of an article's live coverage."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="live_posts"
    )
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Pinned posts stay on top of the list.")
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_posts",
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LivePostQuerySet.as_manager()

    class Meta:
        verbose_name = _("live post")
        verbose_name_plural = _("live posts")
        ordering = ["-is_pinned", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="live_post_body_not_empty"),
        ]
        indexes = [
            # A page of posts in reading order, and the posts after an id (polling).
            models.Index(
                fields=["article", "-is_pinned", "-created_at", "-id"], name="live_post_page_idx"
            ),
            models.Index(fields=["article", "-id"], name="live_post_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.headline or f"Post {self.pk} on {self.article_id}"

    def save(self, *args, **kwargs) -> None:
        # The row's own fields only, as Article.save(): sanitized body, clean headline.
        self.body = sanitize(self.body)
        self.headline = clean_text(self.headline)
        super().save(*args, **kwargs)

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"
