"""The change form's publishing buttons and the times shown with their zone.

The buttons (``name="_publishing"``) replace a status menu and a date widget:
the form checks the one pressed (``ArticleAdminForm._publishing_target``),
the article's text is saved as it is, and then the transition in
``articles.services`` moves it, in the same transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import services
from articles.models import Article
from articles.permissions import can_edit_article, can_publish
from articles.timezones import zone_label


def _column(label: str) -> str:
    return f"{label} ({zone_label()})"


column_label = lazy(_column, str)


def time_cell(moment) -> str:
    """A compact local time for a list column, which never wraps."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html(
        '<time class="nr-time" datetime="{}"><span class="nr-time-date">{},</span> '
        '<span class="nr-time-clock">{}</span></time>',
        local.isoformat(),
        date_format(local, "j M Y"),
        date_format(local, "H:i"),
    )


def buttons_for(user, article: Article | None) -> list[dict]:
    """The buttons this user gets for this article, the plain save first
    (Enter in a field saves; it never publishes)."""
    editor = can_publish(user)
    status = article.status if article is not None else Article.Status.DRAFT
    live = article is not None and article.is_published
    draft = status == Article.Status.DRAFT
    rows = [("save", _("Save draft") if draft else _("Save"))]
    if draft and (article is None or can_edit_article(user, article)):
        rows.append(("review", _("Submit for review")))
    if editor and status == Article.Status.REVIEW:
        rows.append(("return", _("Return for changes")))
    if editor and not live:
        rows.append(("publish", _("Publish now")))
    if editor and status == Article.Status.PUBLISHED:
        rows.append(("unpublish", _("Unpublish")))
    primary = "publish" if editor and status == Article.Status.REVIEW else "review"
    return [
        {"value": value, "label": label, "primary": value == primary or len(rows) == 1}
        for value, label in rows
    ]


DONE = {
    "review": gettext_lazy("Submitted for review: the editors have been told."),
    "publish": gettext_lazy("Published: it is live now."),
    "schedule": gettext_lazy("Scheduled: it goes live at %(when)s."),
    "unpublish": gettext_lazy("Unpublished: readers no longer see it."),
    "return": gettext_lazy("Returned to the writer for changes."),
}


class PublishingMixin:
    """For ``ArticleAdmin``: buttons on the form, transitions on save, zones on times."""

    @property
    def media(self):
        from django import forms

        return super().media + forms.Media(
            css={"all": ["admin-newsroom/publishing.css"]}, js=["admin-newsroom/publishing.js"]
        )

    @classmethod
    def publishing_fields(cls, user) -> list[str]:
        """The Publishing fieldset: status and time unseen, the schedule field
        for editors, the note for the email."""
        if can_publish(user):
            return ["status", "published_at", "publish_at", "publishing_note"]
        return ["status", "publishing_note"]

    def apply_publishing(self, request: HttpRequest, form) -> None:
        """After the text is saved: the transition of the button pressed."""
        action = form.publishing_action
        if action in (None, "save"):
            return
        article, user = form.instance, request.user
        note = form.cleaned_data.get("publishing_note", "")
        if action == "review":
            done = services.submit_for_review(article, user, note=note)
        elif action == "publish":
            done = services.publish_now(article, user, note=note)
        elif action == "schedule":
            done = services.schedule(article, user, form.schedule_at, note=note)
        elif action == "unpublish":
            done = services.unpublish(article, user)
        else:
            done = services.return_for_changes(article, user, note=note)
        for name in ("status", "published_at", "published_on", "version"):
            setattr(article, name, getattr(done, name))
        request._newsroom_published = action

    def _publishing_response(self, request: HttpRequest, obj: Article, respond):
        action = getattr(request, "_newsroom_published", None)
        if action is None and "_publishing" not in request.POST:
            return respond()
        # Every button stays on the form, like "Save and continue editing".
        request.POST = request.POST.copy()
        request.POST["_continue"] = "1"
        if action:
            message = DONE[action] % {"when": time_label(obj.published_at)}
            self.message_user(request, message, messages.SUCCESS)
        return respond()

    def response_add(self, request: HttpRequest, obj: Article, post_url_continue=None):
        return self._publishing_response(
            request, obj, lambda: super(PublishingMixin, self).response_add(request, obj)
        )

    def response_change(self, request: HttpRequest, obj: Article):
        return self._publishing_response(
            request, obj, lambda: super(PublishingMixin, self).response_change(request, obj)
        )

    def render_change_form(self, request: HttpRequest, context, *args, obj=None, **kwargs):
        article = obj if obj is not None and obj.pk else None
        context["publishing_buttons"] = buttons_for(request.user, article)
        context["can_schedule"] = can_publish(request.user) and not (
            article is not None and article.is_published
        )
        context["publishing_state"] = article.state.label if article else _("New")
        context["publishing_time"] = time_label(article.published_at) if article else ""
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    # List columns and record fields, with the zone ------------------------

    def published_time(self, article: Article) -> str:
        return time_cell(article.published_at)

    published_time.short_description = column_label(gettext_lazy("Publish time"))
    published_time.admin_order_field = "published_at"

    def updated_time(self, article: Article) -> str:
        return time_cell(article.updated_at)

    updated_time.short_description = column_label(gettext_lazy("Updated"))
    updated_time.admin_order_field = "updated_at"

    def created_with_zone(self, article: Article) -> str:
        return time_label(article.created_at)

    created_with_zone.short_description = gettext_lazy("Created")

    def updated_with_zone(self, article: Article) -> str:
        return time_label(article.updated_at)

    updated_with_zone.short_description = gettext_lazy("Updated")


def time_label(moment) -> str:
    from articles.timezones import local_time_label

    return local_time_label(moment) or "—"
