"""Autosaves: what an editor had in the change form, kept aside every half
minute and when they leave the page, so a closed tab or a crash loses
nothing. An autosave is its user's alone, never the article: it does not
touch the saved version or the live page, and a normal save deletes it.

An article not saved yet has no id: its autosave is keyed by a draft token
the page makes up and sends along with the form.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What one autosave may hold; larger requests are refused before parsing.
MAX_REQUEST_BYTES = 512 * 1024
MAX_FIELDS = 200
MAX_NAME_LENGTH = 100
MAX_LIST_ITEMS = 200
# Autosaves of new articles a user keeps; older ones are dropped.
MAX_DRAFTS_PER_USER = 20
DRAFT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class Autosave(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_autosaves"
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="autosaves",
    )
    draft_token = models.CharField(_("draft token"), max_length=64, blank=True)
    data = models.JSONField(_("form data"), default=dict)
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(article__isnull=False),
                name="autosave_one_per_user_and_article",
            ),
            models.UniqueConstraint(
                fields=["user", "draft_token"],
                condition=Q(article__isnull=True),
                name="autosave_one_per_user_and_draft",
            ),
            models.CheckConstraint(
                condition=Q(article__isnull=False) | ~Q(draft_token=""),
                name="autosave_has_article_or_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.article_id or self.draft_token} {self.saved_at:%H:%M}"


class InvalidFields(ValueError):
    """Form data that is not what the change form sends."""


def _check_text(value: str) -> None:
    # PostgreSQL's jsonb refuses NUL and lone surrogates: refused here with a reason.
    if "\x00" in value:
        raise InvalidFields(_("The form data contains a NUL character."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidFields(_("The form data contains invalid Unicode.")) from None


def check_fields(fields: Any) -> dict[str, str | list]:
    """The form data as the change form's script sends it: names to a text,
    or to a list of texts or of [value, label] pairs (chosen options)."""
    if not isinstance(fields, dict):
        raise InvalidFields(_("“fields” must be an object of form field names to values."))
    if len(fields) > MAX_FIELDS:
        raise InvalidFields(_("Too many form fields (at most %(n)d).") % {"n": MAX_FIELDS})
    for name, value in fields.items():
        _check_text(name)
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InvalidFields(_("A form field name is empty or too long."))
        if isinstance(value, str):
            _check_text(value)
            continue
        if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
            raise InvalidFields(
                _("The value of “%(name)s” must be a text or a short list.") % {"name": name[:40]}
            )
        for item in value:
            pair = item if isinstance(item, list) else [item]
            if not 1 <= len(pair) <= 2 or not all(isinstance(part, str) for part in pair):
                raise InvalidFields(
                    _("The value of “%(name)s” holds something other than texts.")
                    % {"name": name[:40]}
                )
            for part in pair:
                _check_text(part)
    return fields


def _mine(user, article=None, draft: str = ""):
    rows = Autosave.objects.filter(user=user)
    if article is not None:
        return rows.filter(article=article)
    return rows.filter(article__isnull=True, draft_token=draft)


def store(user, fields: dict, *, article=None, draft: str = "") -> Autosave:
    """Keep ``fields`` as the user's autosave of ``article`` (or of the new
    article ``draft``), replacing the one before."""
    now = timezone.now()
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                updated = _mine(user, article, draft).update(data=fields, saved_at=now)
                if updated:
                    return _mine(user, article, draft).get()
                autosave = Autosave.objects.create(
                    user=user,
                    article=article,
                    draft_token="" if article is not None else draft,
                    data=fields,
                    saved_at=now,
                )
                break
        except IntegrityError:
            # Two autosaves of the same form crossed: the second updates.
            if attempt == 2:
                raise
    if article is None:
        older = Autosave.objects.filter(user=user, article__isnull=True).order_by("-saved_at")
        stale = older.values_list("pk", flat=True)[MAX_DRAFTS_PER_USER:]
        Autosave.objects.filter(pk__in=list(stale)).delete()
    return autosave


def discard(user, *, article=None, draft: str = "") -> int:
    if article is None and not draft:
        return 0
    return _mine(user, article, draft).delete()[0]


def latest(user, article=None) -> Autosave | None:
    """The user's autosave of ``article``, or of a new article when None."""
    if article is not None:
        return Autosave.objects.filter(user=user, article=article).first()
    return Autosave.objects.filter(user=user, article__isnull=True).order_by("-saved_at").first()


def when(autosave: Autosave) -> str:
    """ "14:05 (UTC)": the time of day it was kept, in the site's time zone."""
    local = timezone.localtime(autosave.saved_at)
    return f"{local:%H:%M} ({local.tzname()})"
