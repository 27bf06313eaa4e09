"""The article admin: roles, badges, actions, previews and the embed panel.
History, compare, revert and recover live in ``history.py``."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from urllib.parse import urlencode

from csp.constants import NONCE
from django.contrib import admin, messages
from django.db import InterfaceError, OperationalError, connections, router
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from js_asset import Media as NonceMedia
from reversion.admin import VersionAdmin

from articles import preview, search, services
from articles.admin.autosave import ArticleAutosaveMixin, discard_after_save
from articles.admin.corrections import CorrectionInline
from articles.admin.editor import EditorToolsMixin
from articles.admin.history import ArticleHistoryMixin
from articles.admin.live import LiveAdminMixin
from articles.admin.publishing import PublishingMixin
from articles.admin.widgets import SafeAutocompleteAdmin, SafeAutocompleteSelectMultiple
from articles.forms import ArticleAdminForm, stale_notice
from articles.models import Article, Byline, State
from articles.permissions import can_edit_article, can_publish
from embeds.models import Embed
from embeds.rendering import embed_urls

logger = logging.getLogger(__name__)

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


DATABASE_UNAVAILABLE = _(
    "The database is busy or unavailable: your changes were not saved. "
    "Everything you wrote is still in the form below; save again in a moment."
)
MEDIA_UNWRITABLE = _(
    "The image could not be stored (the media storage is not writable), so nothing was "
    "saved. Your text is still in the form below; choose the image again and save, or "
    "save without it. If this keeps happening, tell whoever runs the site."
)
RETRY_AFTER_SECONDS = 5


class MediaUnwritable(Exception):
    """An upload could not be written to the media storage."""


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        return queryset.in_state(self.value()) if self.value() in State.values else queryset


class BylineInline(SafeAutocompleteAdmin, admin.TabularInline):
    model = Byline
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = _("author")
    verbose_name_plural = _("byline")


@admin.register(Article)
class ArticleAdmin(
    ArticleAutosaveMixin,
    LiveAdminMixin,
    PublishingMixin,
    ArticleHistoryMixin,
    EditorToolsMixin,
    SafeAutocompleteAdmin,
    VersionAdmin,
):
    form = ArticleAdminForm
    inlines = [BylineInline, CorrectionInline]
    list_display = [
        "title",
        "status_badge",
        "published_time",
        "category",
        "author_names",
        "updated_time",
    ]
    list_filter = [StatusFilter, "category", "authors", "tags", "published_at"]
    # Searched through the full-text index (get_search_results), not LIKE.
    search_fields = ["title"]
    search_help_text = _('Words in the title, dek, body, tags or authors; "a phrase" in quotes.')
    date_hierarchy = "published_at"
    list_select_related = ["category"]
    list_per_page = 50
    show_full_result_count = False
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "image"]
    readonly_fields = ["embed_panel", "created_with_zone", "updated_with_zone"]
    actions = ["publish_now", "publish_ahead_of_embargo", "unpublish", "submit_for_review"]
    save_on_top = True
    object_history_template = "admin/articles/article/object_history.html"
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        css = {
            "all": [
                *ADMIN_MEDIA["css"]["all"],
                "css/embeds.css",
                "admin-newsroom/editor.css",
                "admin-newsroom/autosave.css",
            ]
        }
        js = ["admin-newsroom/admin.js", "admin-newsroom/editor.js", "admin-newsroom/autosave.js"]

    # Rows and columns ---------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # Only what this user may open (writers: their bylines and published
        # articles); the change, history and compare views find nothing else.
        # Category and ordered bylines, as the reader pages fetch them.
        return super().get_queryset(request).visible_to(request.user).for_listing()

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Article], search_term):
        """Articles in any state matching ``search_term`` in the search index,
        within what this user's changelist already shows."""
        if not search_term.strip():
            return queryset, False
        found = search.matching(search_term)
        if found is None:  # no words in it: nothing can match
            return queryset.none(), False
        return queryset.filter(pk__in=found), False

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, article: Article) -> str:
        state = article.state
        return format_html('<span class="nr-badge nr-badge--{}">{}</span>', state, state.label)

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
            cache[key] = can_edit_article(request.user, obj)
        return cache[key]

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can_publish(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None):
        publishing = [*self.publishing_fields(request.user), "category", "tags", "new_tags"]
        if can_publish(request.user):
            publishing[publishing.index("publish_at") + 1 : 0] = ["embargo_until", "break_embargo"]
        if not request.user.has_perm("taggit.add_tag"):
            publishing.remove("new_tags")
        return [
            (None, {"fields": ["title", "slug", "dek", "body", "embed_panel", "loaded_version"]}),
            (_("Publishing"), {"fields": publishing}),
            (
                _("Lead image"),
                {
                    "fields": [
                        "image",
                        "image_upload",
                        "image_alt",
                        "image_caption",
                        "image_credit",
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
                    "fields": ["source", "source_id", "created_with_zone", "updated_with_zone"],
                },
            ),
        ]

    def get_form(self, request: HttpRequest, obj: Article | None = None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "tags" in form.base_fields:
            form.base_fields["tags"].widget = SafeAutocompleteSelectMultiple(
                Article._meta.get_field("tags"), self.admin_site
            )
        attributes = {
            "request": request,
            "save_error": getattr(request, "_newsroom_save_error", None),
        }
        if getattr(request, "_newsroom_reverting", False):
            attributes["check_version"] = False
        return type(form.__name__, (form,), attributes)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            return None  # the form declares its own autocomplete field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        """Saved with its inlines in ``save_related``, through the one write path."""

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        reverting = getattr(request, "_newsroom_reverting", False)
        if reverting:
            # The revert wrote the old version's number over the row; the save
            # after it continues from the newest (``revision_view``).
            before = getattr(request, "_newsroom_version_before", 0)
            form.instance.version = max(form.instance.version, before)
            # What a revert keeps of the article as it was (``revision_view``).
            for name, value in getattr(request, "_newsroom_revert_keep", {}).items():
                setattr(form.instance, name, value)
        try:
            form.attach_upload(request.user)
            services.save_article(
                form.instance,
                user=request.user,
                save_related=lambda: super(ArticleAdmin, self).save_related(
                    request, form, formsets, change
                ),
                force=reverting,
                break_embargo=form.cleaned_data.get("break_embargo", False),
            )
            self.apply_publishing(request, form)
            discard_after_save(request, form.instance)
        except OSError as error:
            if not request.FILES:
                raise
            # Storing the upload failed: the only files a save writes.
            raise MediaUnwritable from error

    # Saving when something outside the form fails ------------------------

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        return self._saved_or_reshown(
            request,
            None,
            form_url,
            extra_context,
            lambda: super(ArticleAdmin, self).add_view(request, form_url, extra_context),
        )

    def create_revision(self, request: HttpRequest):
        if request.method in ("GET", "HEAD"):
            # Showing a form saves nothing: no revision block, and so no
            # transaction, which on SQLite would wait for the write lock.
            return nullcontext()
        return super().create_revision(request)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        return self._saved_or_reshown(
            request,
            object_id,
            form_url,
            extra_context,
            lambda: super(ArticleAdmin, self).change_view(
                request, object_id, form_url, extra_context
            ),
        )

    def _saved_or_reshown(self, request, object_id, form_url, extra_context, save):
        """Run ``save`` (the whole POST, in its transaction); when the database,
        the media storage or a newer save refuses it, nothing was written, and
        the form comes back with everything the editor sent and the reason."""
        if request.method != "POST":
            return save()
        status, retry_after = 200, None
        try:
            return save()
        except services.StaleVersion:
            # Someone saved in the instant between the form's check and the
            # save: the re-shown form's own check names them.
            request._newsroom_save_error = ""
        except services.TransitionRefused as refusal:
            # A button refused in the save itself (the form checks first):
            # rolled back whole, the form says why.
            request._newsroom_save_error = str(refusal)
        except (OperationalError, InterfaceError):
            logger.warning("admin save failed: database unavailable", exc_info=True)
            # A connection an outage broke is dropped, so re-reading reconnects.
            database = connections[router.db_for_write(Article)]
            if not database.in_atomic_block:
                database.close_if_unusable_or_obsolete()
            request._newsroom_save_error = DATABASE_UNAVAILABLE
            status, retry_after = 503, RETRY_AFTER_SECONDS
        except MediaUnwritable:
            logger.error("admin save failed: media storage unwritable", exc_info=True)
            request._newsroom_save_error = MEDIA_UNWRITABLE
            status = 503
        # Outside any transaction: reading needs no write lock. Should reading
        # fail too, the admin's fault page keeps the editor's text instead.
        response = self._changeform_view(request, object_id, form_url, extra_context)
        response.render()
        response.status_code = status
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response

    # Panels -------------------------------------------------------------

    @admin.display(description=_("Embeds"))
    def embed_panel(self, article: Article) -> str:
        urls = embed_urls(article.body) if article.pk else []
        stored = {embed.url: embed for embed in Embed.objects.for_urls(urls)} if urls else {}
        rows = []
        for url in urls:
            embed = stored.get(url)
            if embed is None:
                link = reverse("admin:embeds_embed_add") + "?" + urlencode({"url": url})
                note, css = _("no metadata yet: add it"), "missing"
            elif embed.lacks_metadata:
                link = f"#embed-metadata-{embed.pk}"  # the card text below the form
                note, css = _("metadata incomplete: fill it in below"), "missing"
            else:
                link = f"#embed-metadata-{embed.pk}"
                note, css = _("metadata complete"), "ok"
            rows.append({"url": url, "css": css, "link": link, "note": note})
        return render_to_string("admin/articles/article/embed_panel.html", {"rows": rows})

    def render_change_form(self, request: HttpRequest, context, *args, obj=None, **kwargs):
        # The editor's import map is an inline script: it gets this page's nonce.
        nonce = getattr(request, "csp_nonce", "")
        context["media"] = NonceMedia.from_media(context["media"], nonce=nonce)
        if obj is not None and obj.pk and not obj.is_published:
            if can_publish(request.user):
                context["preview_url"] = preview.preview_url(obj)
                context["preview_days"] = preview.max_age().days
                context["shareable_preview"] = True
            else:
                context["preview_url"] = obj.get_absolute_url()
        context["autosave"] = self.autosave_context(request, context, obj)
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
        if requested in {
            "publish_now",
            "publish_ahead_of_embargo",
            "unpublish",
        } and not self.has_publish_permission(request):
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
            except services.StaleVersion as stale:
                refused.append(stale_notice(article, stale.conflict))
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, reason, messages.WARNING)
        if len(refused) > 10:
            self.message_user(request, _("…and %(n)d more not changed.") % {"n": len(refused) - 10})

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(request, queryset, services.publish_now, _("Published %(count)d."))

    @admin.action(description=_("Publish now, ahead of any embargo"), permissions=["publish"])
    def publish_ahead_of_embargo(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(
            request, queryset, services.publish_ahead_of_embargo, _("Published %(count)d.")
        )

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(request, queryset, services.unpublish, _("Unpublished %(count)d."))

    @admin.action(description=_("Submit for review"), permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(
            request, queryset, services.submit_for_review, _("Submitted %(count)d for review.")
        )


DATE_PARTS = {"year": (1, 9999), "month": (1, 12), "day": (1, 31)}


def _sane_date_hierarchy(query, field: str) -> bool:
    for part, (low, high) in DATE_PARTS.items():
        value = query.get(f"{field}__{part}")
        if value is not None and not (value.isdigit() and low <= int(value) <= high):
            return False
    return True
