"""Emails about the review workflow: editors hear of a submission, writers of
their article going live, being scheduled or coming back for changes.

Sent through Django's email backend (console unless ``EMAIL_URL`` names an
SMTP server) once the transaction that made the change commits, so a
rolled-back transition sends nothing. Plain text, one message per person,
with the article's admin address. A mail server that fails is logged; the
change stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.models import Article
from articles.roles import EDITOR

logger = logging.getLogger(__name__)

SUBJECT_TITLE_LENGTH = 120
NOTE_MAX_LENGTH = 2000


def on_commit(send: Callable[[Article, object, str], None], article: Article, actor, note: str):
    """Run ``send`` when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _safely(send, article, actor, note))


def _safely(send, article, actor, note) -> None:
    try:
        send(article, actor, note)
    except Exception:  # a mail server failing must not undo or break the change
        logger.exception("could not send the %s email for article %s", send.__name__, article.pk)


def one_line(text: str, limit: int = SUBJECT_TITLE_LENGTH) -> str:
    """``text`` on one line (no CR/LF or other breaks can reach a header), shortened."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def admin_url(article: Article) -> str:
    return settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])


def editors(actor=None):
    users = get_user_model().objects.filter(is_active=True, groups__name=EDITOR).exclude(email="")
    if actor is not None and actor.pk:
        users = users.exclude(pk=actor.pk)
    return users.distinct().order_by("pk")


def writers(article: Article, actor=None):
    users = (
        get_user_model()
        .objects.filter(is_active=True, author__bylines__article=article)
        .exclude(email="")
    )
    if actor is not None and actor.pk:
        users = users.exclude(pk=actor.pk)
    return users.distinct().order_by("pk")


def _name(user) -> str:
    return one_line(user.get_full_name() or user.get_username(), 80) if user else ""


def _send(users, subject: str, lines: list[str], article: Article, note: str) -> int:
    body = [*lines, "", admin_url(article)]
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    if note:
        body += ["", _("Note:"), note]
    text = "\n".join(body) + "\n"
    messages = [
        EmailMessage(one_line(subject, 200), text, settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in users
    ]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def submitted(article: Article, actor, note: str = "") -> int:
    title = one_line(article.title)
    return _send(
        editors(actor),
        _("In review: %(title)s") % {"title": title},
        [
            _("%(who)s submitted “%(title)s” for review.") % {"who": _name(actor), "title": title},
        ],
        article,
        note,
    )


def published(article: Article, actor, note: str = "") -> int:
    title = one_line(article.title)
    return _send(
        writers(article, actor),
        _("Published: %(title)s") % {"title": title},
        [_("%(who)s published “%(title)s”.") % {"who": _name(actor), "title": title}],
        article,
        note,
    )


def scheduled(article: Article, actor, note: str = "") -> int:
    from articles.timezones import local_time_label

    title = one_line(article.title)
    return _send(
        writers(article, actor),
        _("Scheduled: %(title)s") % {"title": title},
        [
            _("%(who)s scheduled “%(title)s” to go live at %(when)s.")
            % {"who": _name(actor), "title": title, "when": local_time_label(article.published_at)}
        ],
        article,
        note,
    )


def returned(article: Article, actor, note: str = "") -> int:
    title = one_line(article.title)
    return _send(
        writers(article, actor),
        _("Returned for changes: %(title)s") % {"title": title},
        [
            _("%(who)s returned “%(title)s” to you for changes. It is a draft again.")
            % {"who": _name(actor), "title": title}
        ],
        article,
        note,
    )
