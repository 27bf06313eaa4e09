"""The admin's "Live posts" page of an article: editors start and end the
coverage and write the key points; writers on the byline and editors post
and correct posts. The rules are in ``articles.live.services``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles.html import first_sentences
from articles.live import pages, services
from articles.live.models import LivePost
from articles.models import Article
from articles.services import TransitionRefused

ADMIN_PAGE_SIZE = 50


class LivePostForm(forms.Form):
    headline = forms.CharField(label=_("Headline"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=services.MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_(
            "HTML like the article body: paragraphs, links, lists. A paragraph holding only "
            "a link to a post or video (Instagram, YouTube…) becomes an embed."
        ),
    )
    pinned = forms.BooleanField(label=_("Pinned on top"), required=False)


class KeyPointsForm(forms.Form):
    key_points = forms.CharField(
        label=_("Key points"),
        max_length=services.MAX_KEY_POINTS_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("One point a line, shown above the posts."),
    )


class LiveAdminMixin:
    """Adds ``<id>/live/`` and ``<id>/live/<post id>/`` to the article admin."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/live/",
                self.admin_site.admin_view(self.live_view),
                name="{}_{}_live".format(*info),
            ),
            path(
                "<path:object_id>/live/<int:post_id>/",
                self.admin_site.admin_view(self.live_post_view),
                name="{}_{}_live_post".format(*info),
            ),
            *super().get_urls(),
        ]

    def _live_article(self, request: HttpRequest, object_id: str) -> Article:
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404(_("No such article."))
        # Whoever may open the article reads its posts; writing is for those
        # who may post or manage the coverage (the services check again).
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        if request.method == "POST" and not (
            services.can_post(request.user, article) or services.can_manage_coverage(request.user)
        ):
            raise PermissionDenied
        return article

    def _live_context(self, request: HttpRequest, article: Article, **context) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "change_url": reverse("admin:articles_article_change", args=[article.pk]),
            "live_url": reverse("admin:articles_article_live", args=[article.pk]),
            "can_manage": services.can_manage_coverage(request.user),
            "can_post": services.can_post(request.user, article),
            "ended": article.coverage_ended_at is not None,
            **context,
        }

    def live_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._live_article(request, object_id)
        live_url = reverse("admin:articles_article_live", args=[article.pk])
        post_form = LivePostForm()
        key_form = KeyPointsForm(initial={"key_points": article.key_points})
        status = 200
        if request.method == "POST":
            action = request.POST.get("action", "")
            try:
                if action == "post":
                    post_form = LivePostForm(request.POST)
                    if post_form.is_valid():
                        data = post_form.cleaned_data
                        services.add_post(
                            article,
                            request.user,
                            body=data["body"],
                            headline=data["headline"],
                            pinned=data["pinned"],
                        )
                        self.message_user(request, _("Posted."), messages.SUCCESS)
                        return HttpResponseRedirect(live_url)
                elif action == "key_points":
                    key_form = KeyPointsForm(request.POST)
                    if key_form.is_valid():
                        services.set_key_points(
                            article, request.user, key_form.cleaned_data["key_points"]
                        )
                        self.message_user(request, _("Key points saved."), messages.SUCCESS)
                        return HttpResponseRedirect(live_url)
                elif action == "start":
                    services.start_coverage(article, request.user)
                    self.message_user(request, _("Live coverage started."), messages.SUCCESS)
                    return HttpResponseRedirect(live_url)
                elif action == "end":
                    services.end_coverage(article, request.user)
                    self.message_user(
                        request,
                        _("Live coverage ended: the posts are now frozen."),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(live_url)
                else:
                    self.message_user(
                        request, _("Unknown action: nothing changed."), messages.ERROR
                    )
                status = 400
            except TransitionRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                status = 400
                article.refresh_from_db()
        paginator = Paginator(
            LivePost.objects.filter(article=article).in_page_order().select_related("author"),
            ADMIN_PAGE_SIZE,
        )
        page = paginator.get_page(request.GET.get("page"))
        rows = [
            {
                "post": post,
                "excerpt": first_sentences(post.body, 160),
                "edit_url": reverse("admin:articles_article_live_post", args=[article.pk, post.pk]),
                "view_url": pages.post_url(article, post),
            }
            for post in page.object_list
        ]
        context = self._live_context(
            request,
            article,
            title=_("Live posts: %(title)s") % {"title": article.title},
            post_form=post_form,
            key_form=key_form,
            rows=rows,
            page_obj=page,
        )
        response = TemplateResponse(request, "admin/articles/article/live.html", context)
        response.status_code = status
        return response

    def live_post_view(self, request: HttpRequest, object_id: str, post_id: int) -> HttpResponse:
        article = self._live_article(request, object_id)
        post = LivePost.objects.filter(article=article, pk=post_id).first()
        if post is None:
            raise Http404(_("No such post."))
        live_url = reverse("admin:articles_article_live", args=[article.pk])
        form = LivePostForm(
            initial={"headline": post.headline, "body": post.body, "pinned": post.is_pinned}
        )
        status = 200
        if request.method == "POST":
            form = LivePostForm(request.POST)
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.edit_post(
                        post,
                        request.user,
                        body=data["body"],
                        headline=data["headline"],
                        pinned=data["pinned"],
                    )
                except TransitionRefused as refusal:
                    self.message_user(request, str(refusal), messages.ERROR)
                    post.refresh_from_db()
                else:
                    self.message_user(request, _("Post saved."), messages.SUCCESS)
                    return HttpResponseRedirect(live_url)
        context = self._live_context(
            request,
            article,
            title=_("Edit live post"),
            form=form,
            post=post,
        )
        response = TemplateResponse(request, "admin/articles/article/live_post.html", context)
        response.status_code = status
        return response
