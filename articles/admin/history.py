"""The article admin's history views: history, compare, revert, recover, and
revoking preview links. A mixin, so ``ArticleAdmin`` keeps to its forms,
lists and actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles import preview, revisions
from articles.models import Article


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
        if not self.has_publish_permission(request):
            raise PermissionDenied
        request._newsroom_reverting = True
        # Reverting writes the old version's number over the row before the
        # form saves: the save continues from the number it had.
        if request.method == "POST" and object_id.isascii() and object_id.isdigit():
            current = Article.objects.filter(pk=int(object_id)).values_list("version", flat=True)
            request._newsroom_version_before = current.first() or 0
        return super().revision_view(request, object_id, version_id, extra_context)

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
