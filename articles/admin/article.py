"""The article admin: roles, badges, actions, revisions, previews and embeds."""

from __future__ import annotations

from urllib.parse import quote

from csp.constants import NONCE
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from js_asset import Media as NonceMedia
from reversion.admin import VersionAdmin

from articles import preview, revisions, services
from articles.admin.widgets import SafeAutocompleteAdmin, SafeAutocompleteSelectMultiple
from articles.forms import ArticleAdminForm
from articles.models import Article, Byline
from embeds.models import Embed
from embeds.rendering import embed_urls

ADMIN_MEDIA = {"css": {"all": ["admin-newsroom/admin.css"]}}

# What the change form adds to the site's strict policy, for the rich-text
# editor only: a nonce for its <script type="importmap">, and the hash of the
# one <style> element Tiptap injects (django-prose-editor 0.28). Inline style
# attributes stay forbidden. The browser tests fail on any CSP violation, so
# an upgrade that changes the style shows up there.
EDITOR_CSP = {
    "script-src": [NONCE],
    "style-src": ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
}


class StatusFilter(admin.SimpleListFilter):
    """The four states editors think in; "scheduled" is published with a future time."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.filter(status=Article.Status.REVIEW)
            case "scheduled":
                return queryset.scheduled()
            case "published":
                return queryset.published()
        return queryset


def badge(article: Article) -> tuple[str, str]:
    if article.status == Article.Status.DRAFT:
        return "draft", _("Draft")
    if article.status == Article.Status.REVIEW:
        return "review", _("In review")
    if article.is_scheduled:
        return "scheduled", _("Scheduled")
    return "published", _("Published")


class BylineInline(SafeAutocompleteAdmin, admin.TabularInline):
    model = Byline
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = _("author")
    verbose_name_plural = _("byline")


@admin.register(Article)
class ArticleAdmin(SafeAutocompleteAdmin, VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline]
    list_display = [
        "title",
        "status_badge",
        "published_at",
        "category",
        "author_names",
        "updated_at",
    ]
    list_filter = [StatusFilter, "category", "authors", "tags", "published_at"]
    search_fields = ["title", "dek", "body"]
    date_hierarchy = "published_at"
    list_select_related = ["category"]
    list_per_page = 50
    show_full_result_count = False
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category"]
    readonly_fields = ["embed_panel", "created_at", "updated_at"]
    actions = ["publish_now", "unpublish", "submit_for_review"]
    save_on_top = True
    object_history_template = "admin/articles/article/object_history.html"
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        css = ADMIN_MEDIA["css"]
        js = ["admin-newsroom/admin.js"]

    # Rows and columns ---------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # Category and ordered bylines, as the reader pages fetch them.
        return super().get_queryset(request).for_listing()

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, article: Article) -> str:
        state, label = badge(article)
        return format_html('<span class="nr-badge nr-badge--{}">{}</span>', state, label)

    @admin.display(description=_("Authors"))
    def author_names(self, article: Article) -> str:
        return ", ".join(author.name for author in article.ordered_authors)

    # Roles --------------------------------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        # Asked several times per page; the byline lookup is a query.
        cache = request.__dict__.setdefault("_article_edit_rights", {})
        key = (obj.pk, obj.status)
        if key not in cache:
            cache[key] = services.can_edit_article(request.user, obj)
        return cache[key]

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return services.can_publish(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None):
        publishing = ["status", "published_at", "category", "tags", "new_tags"]
        if not services.can_publish(request.user):
            publishing.remove("published_at")
        if not request.user.has_perm("taggit.add_tag"):
            publishing.remove("new_tags")
        return [
            (None, {"fields": ["title", "slug", "dek", "body", "embed_panel", "version"]}),
            (_("Publishing"), {"fields": publishing}),
            (
                _("Lead image"),
                {
                    "fields": [
                        "lead_image",
                        "lead_image_alt",
                        "lead_image_caption",
                        "lead_image_credit",
                    ]
                },
            ),
            (
                _("Search engines and sharing"),
                {"classes": ["collapse"], "fields": ["seo_title", "seo_description", "summary"]},
            ),
            (
                _("Import and record"),
                {
                    "classes": ["collapse"],
                    "fields": ["source", "source_id", "created_at", "updated_at"],
                },
            ),
        ]

    def get_form(self, request: HttpRequest, obj: Article | None = None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "tags" in form.base_fields:
            form.base_fields["tags"].widget = SafeAutocompleteSelectMultiple(
                Article._meta.get_field("tags"), self.admin_site
            )
        attributes = {"request": request}
        if getattr(request, "_newsroom_reverting", False):
            attributes["check_version"] = False
        return type(form.__name__, (form,), attributes)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            return None  # the form declares its own autocomplete field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _ensure_embeds(form.instance)
        if not services.can_publish(request.user):
            # A writer's article carries its writer: that is what makes it theirs.
            article = form.instance
            author = services.author_for(request.user)
            if not article.bylines.filter(author=author).exists():
                position = max([b.position for b in article.bylines.all()], default=-1) + 1
                Byline.objects.create(article=article, author=author, position=position)

    # Panels -------------------------------------------------------------

    @admin.display(description=_("Embeds"))
    def embed_panel(self, article: Article) -> str:
        urls = embed_urls(article.body) if article.pk else []
        if not urls:
            return _("No addresses in the body render as embeds.")
        rows = {embed.url: embed for embed in Embed.objects.for_urls(urls)}
        items = []
        for url in urls:
            row = rows.get(url)
            if row is None:
                link = reverse("admin:embeds_embed_add") + "?" + f"url={_quote(url)}"
                note, css = _("no metadata yet: add it"), "missing"
            elif row.lacks_metadata:
                link = reverse("admin:embeds_embed_change", args=[row.pk])
                note, css = _("metadata incomplete: fill it in"), "missing"
            else:
                link = reverse("admin:embeds_embed_change", args=[row.pk])
                note, css = _("metadata complete"), "ok"
            items.append((url, css, link, note))
        return format_html(
            '<p class="nr-help">{}</p><ul class="nr-embeds">{}</ul>',
            _("These addresses in the saved body show as embeds on the page:"),
            format_html_join(
                "",
                '<li><code>{}</code> — <a class="nr-embed--{}" href="{}">{}</a></li>',
                items,
            ),
        )

    def render_change_form(self, request: HttpRequest, context, *args, obj=None, **kwargs):
        # The editor's import map is an inline script: it gets this page's nonce.
        nonce = getattr(request, "csp_nonce", "")
        context["media"] = NonceMedia.from_media(context["media"], nonce=nonce)
        if obj is not None and obj.pk and not obj.is_published:
            if services.can_publish(request.user):
                context["preview_url"] = preview.preview_url(obj)
                context["preview_days"] = preview.max_age().days
                context["shareable_preview"] = True
            else:
                context["preview_url"] = obj.get_absolute_url()
        response = super().render_change_form(request, context, *args, obj=obj, **kwargs)
        response._csp_update = EDITOR_CSP
        return response

    # Actions ------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not _sane_date_hierarchy(request.GET, self.date_hierarchy):
            # Django would pass an overflowing year to the database (a 500);
            # ?e=1 is its own answer to impossible lookups.
            return HttpResponseRedirect(f"{request.path}?e=1")
        # Skip VersionAdmin's one revision around the whole request: each
        # article an action touches gets a revision of its own, so reverting
        # one never reverts the others.
        context = {
            "has_change_permission": self.has_change_permission(request),
            "can_recover": self.has_publish_permission(request)
            and self.has_add_permission(request),
        }
        context.update(extra_context or {})
        return admin.ModelAdmin.changelist_view(self, request, context)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Article]):
        requested = request.POST.get("action", "")
        if requested in {"publish_now", "unpublish"} and not self.has_publish_permission(request):
            self.message_user(
                request,
                _("You do not have permission to publish or unpublish articles. Nothing changed."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def _transition(self, request, queryset, transition, done: str) -> None:
        changed, refused = 0, []
        for article in queryset.order_by("pk"):
            try:
                transition(article, request.user)
                changed += 1
            except services.TransitionRefused as refusal:
                refused.append(str(refusal))
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, reason, messages.WARNING)
        if len(refused) > 10:
            self.message_user(request, _("…and %(n)d more not changed.") % {"n": len(refused) - 10})

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(request, queryset, services.publish_now, _("Published %(count)d."))

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(request, queryset, services.unpublish, _("Unpublished %(count)d."))

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(
            request, queryset, services.submit_for_review, _("Submitted %(count)d for review.")
        )

    # Views: history, compare, revert, recover, previews ------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{info[0]}_{info[1]}_compare",
            ),
            path(
                "<path:object_id>/revoke-previews/",
                self.admin_site.admin_view(self.revoke_previews_view),
                name=f"{info[0]}_{info[1]}_revoke_previews",
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
        # Reverting can publish or unpublish, so it is an editor's move.
        if not self.has_publish_permission(request):
            raise PermissionDenied
        request._newsroom_reverting = True
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


DATE_PARTS = {"year": (1, 9999), "month": (1, 12), "day": (1, 31)}


def _sane_date_hierarchy(query, field: str) -> bool:
    for part, (low, high) in DATE_PARTS.items():
        value = query.get(f"{field}__{part}")
        if value is not None and not (value.isdigit() and low <= int(value) <= high):
            return False
    return True


def _ensure_embeds(article: Article) -> None:
    """Give every embed in the body a metadata row, so it shows in the embeds
    admin and ``fetch_embeds --missing`` can fill it."""
    Embed.objects.ensure(embed_urls(article.body))


def _quote(value: str) -> str:
    return quote(value, safe="")
