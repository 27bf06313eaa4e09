"""The article admin's history views: history, compare, revert, recover, and
revoking preview links. A mixin, so ``ArticleAdmin`` keeps to its forms,
lists and actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles import preview, revisions
from articles.models import Article

# Form fields that are bookkeeping, never news to whoever reads the history.
HIDDEN_FROM_HISTORY = {"loaded_version", "_autosave_draft"}
# What a revert keeps of the article as it is, unless the editor asks for
# that version's too: whether and when it is live, and so its address, and
# the embargo that goes with that time.
KEPT_ON_REVERT = ["status", "published_at", "slug", "embargo_until"]
# What a revert always keeps: live coverage is never rewound, so coverage
# that has ended stays frozen.
ALWAYS_KEPT_ON_REVERT = ["is_live", "coverage_started_at", "coverage_ended_at"]
RESTORE_STATUS_FIELD = "_restore_status"


class ArticleHistoryMixin:
    """For a ``VersionAdmin`` of articles. Reverting and recovering can publish
    or unpublish, so they are editors' moves (``has_publish_permission``)."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/revoke-previews/",
                self.admin_site.admin_view(self.revoke_previews_view),
                name="{}_{}_revoke_previews".format(*info),
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request: HttpRequest, object_id: str) -> Article:
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404(_("No such article."))
        return article

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        article = self._article_or_404(request, object_id)
        versions = list(revisions.article_versions(article.pk))
        pairs = [
            (version, versions[i + 1] if i + 1 < len(versions) else None)
            for i, version in enumerate(versions)
        ]
        context = {"version_pairs": pairs, "can_revert": self.has_publish_permission(request)}
        context.update(extra_context or {})
        return super().history_view(request, object_id, context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = revisions.article_versions(article.pk)
        try:
            newer = (
                versions.get(pk=int(request.GET["to"])) if "to" in request.GET else versions.first()
            )
            older = (
                versions.get(pk=int(request.GET["from"]))
                if "from" in request.GET
                else versions.filter(pk__lt=newer.pk).first()
            )
        except (ValueError, OverflowError, AttributeError, versions.model.DoesNotExist):
            raise Http404(_("No such version of this article.")) from None
        if newer is None or older is None:
            raise Http404(_("This article has no earlier version to compare with."))
        if older.pk > newer.pk:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Changes to “%(title)s”") % {"title": article.title},
            "older": older,
            "newer": newer,
            "changes": revisions.compare(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert to a kept version: its text, byline, tags and images, saved
        through the write path. The article keeps its status, publish time and
        address (a live article stays live at its URL) unless the editor ticks
        the box to restore that version's too."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        request._newsroom_reverting = True
        if not (object_id.isascii() and object_id.isdigit() and len(object_id) < 19):
            raise Http404(_("No such article."))
        if not (version_id.isascii() and version_id.isdigit() and len(version_id) < 19):
            raise Http404(_("No such version of this article."))
        current = Article.objects.filter(pk=int(object_id)).first()
        version = revisions.article_versions(int(object_id)).filter(pk=int(version_id)).first()
        if current is not None and version is not None:
            # Reverting writes the old version's number over the row before the
            # form saves: the save continues from the number it had.
            request._newsroom_version_before = current.version
            restore_status = request.method == "POST" and bool(
                request.POST.get(RESTORE_STATUS_FIELD)
            )
            source = version.field_dict if restore_status else current.__dict__
            request._newsroom_revert_keep = {
                **{name: source.get(name) for name in KEPT_ON_REVERT},
                **{name: getattr(current, name) for name in ALWAYS_KEPT_ON_REVERT},
            }
            extra_context = {**revert_summary(current, version), **(extra_context or {})}
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        keep = getattr(request, "_newsroom_revert_keep", None)
        if article is not None and keep:
            for name, value in keep.items():
                setattr(article, name, value)
        return article

    def construct_change_message(self, request, form, formsets, add=False):
        if not add:
            # Django names every changed form field; bookkeeping is left out.
            changed = [name for name in form.changed_data if name not in HIDDEN_FROM_HISTORY]
            form.__dict__["changed_data"] = changed
        return super().construct_change_message(request, form, formsets, add)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        request._newsroom_reverting = True
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def revoke_previews_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article_or_404(request, object_id)
        if not (
            self.has_publish_permission(request) and self.has_change_permission(request, article)
        ):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if request.method == "POST":
            preview.revoke_previews(article)
            self.message_user(
                request,
                _("Every preview link of “%(title)s” given out so far has stopped working.")
                % {"title": article.title},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Revoke preview links"),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/articles/article/revoke_previews.html", context)


def revert_summary(current: Article, version: Version) -> dict:
    """What the revert confirmation page says: the fields it changes (as a
    diff from the article as it is now), what it keeps, and whether readers
    will see it at once."""
    newest = revisions.latest_version(current.pk)
    kept_labels = {revisions.label(name) for name in KEPT_ON_REVERT}
    changes = [
        change
        for change in (revisions.compare(newest, version) if newest is not None else [])
        if change.label not in kept_labels
    ]
    old = version.field_dict
    old_status = old.get("status")
    old_published_at = old.get("published_at")
    status_differs = (old_status, old_published_at, old.get("slug")) != (
        current.status,
        current.published_at,
        current.slug,
    )
    if current.is_published:
        audience = _("This article is live: readers will see the restored text immediately.")
    elif current.is_scheduled:
        audience = _(
            "This article is scheduled: readers will see the restored text when it goes "
            "live on %(when)s."
        ) % {"when": date_format(timezone.localtime(current.published_at), "DATETIME_FORMAT")}
    else:
        audience = _("This article is not published: readers will not see the restored text.")

    def describe(status, published_at) -> str:
        label = Article.Status(status).label if status in Article.Status.values else status
        if published_at is None:
            return str(label)
        return f"{label}, {date_format(timezone.localtime(published_at), 'DATETIME_FORMAT')}"

    return {
        "revert_changes": changes,
        "revert_audience": audience,
        "revert_current_status": describe(current.status, current.published_at),
        "revert_version_status": describe(old_status, old_published_at),
        "revert_status_differs": status_differs,
        "revert_restore_field": RESTORE_STATUS_FIELD,
    }
