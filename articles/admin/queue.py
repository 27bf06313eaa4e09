"""The review queue on the admin index: what an editor looks at first
(articles in review, articles going live in the next 48 hours) and what a
writer has on the go (their drafts and articles in review).

Selected through ``Article.objects.visible_to()``, so nobody sees more here
than the article list shows them. Three queries, whatever the numbers.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.permissions import can_publish

SOON = datetime.timedelta(hours=48)
# Each list shows this many; the article list has the rest.
QUEUE_LENGTH = 15


def queue_for(user) -> list[dict]:
    """The queue's sections for ``user``: a heading, the articles, the time
    each shows, and a link to the whole list."""
    if not user.is_active or not user.has_perm("articles.view_article"):
        return []
    visible = Article.objects.visible_to(user).only(
        "pk", "title", "status", "published_at", "updated_at"
    )
    now = timezone.now()
    sections = []
    if can_publish(user):
        sections.append(
            {
                "key": "review",
                "title": _("In review"),
                "articles": visible.filter(status=Article.Status.REVIEW).order_by("updated_at"),
                "time": "updated_at",
                "empty": _("Nothing waits for review."),
                "query": "state=review",
            }
        )
        sections.append(
            {
                "key": "scheduled",
                "title": _("Going live in the next 48 hours"),
                "articles": visible.filter(
                    status=Article.Status.PUBLISHED,
                    published_at__gt=now,
                    published_at__lte=now + SOON,
                ).order_by("published_at"),
                "time": "published_at",
                "empty": _("Nothing is scheduled for the next 48 hours."),
                "query": "state=scheduled",
            }
        )
    else:
        sections.append(
            {
                "key": "review",
                "title": _("Your articles in review"),
                "articles": visible.filter(
                    status=Article.Status.REVIEW, bylines__author__user=user
                ).order_by("-updated_at"),
                "time": "updated_at",
                "empty": _("None of your articles is in review."),
                "query": "state=review",
            }
        )
    sections.append(
        {
            "key": "drafts",
            "title": _("Your drafts"),
            "articles": visible.filter(
                status=Article.Status.DRAFT, bylines__author__user=user
            ).order_by("-updated_at"),
            "time": "updated_at",
            "empty": _("You have no drafts."),
            "query": "state=draft",
        }
    )
    for section in sections:
        rows = list(section["articles"][: QUEUE_LENGTH + 1])
        section["more"] = len(rows) > QUEUE_LENGTH
        section["rows"] = [
            {"article": article, "time": getattr(article, section["time"])}
            for article in rows[:QUEUE_LENGTH]
        ]
    return sections


# The index page renders it with {% review_queue %} (articles/templatetags).
admin.site.index_template = "admin/newsroom_index.html"
