"""Categories, authors, tags and redirects."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from articles import search
from articles.admin.article import ADMIN_MEDIA
from articles.admin.widgets import SafeAutocompleteAdmin
from articles.forms import CategoryAdminForm, TagAdminForm, TagMergeForm, stale_notice
from articles.models import Author, Byline, Category, Redirect, TaggedArticle
from articles.services import StaleVersion, merge_tags

TREE_DEPTH = 3


@admin.register(Category)
class CategoryAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["tree_name", "slug", "is_public", "article_count"]
    list_filter = ["is_public"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_per_page = 200

    class Media:
        css = ADMIN_MEDIA["css"]

    def get_queryset(self, request: HttpRequest):
        # Ancestors to TREE_DEPTH levels come with the row: no query per row.
        return (
            super()
            .get_queryset(request)
            .select_related("__".join(["parent"] * TREE_DEPTH))
            .annotate(article_total=Count("articles"))
            # Aggregating drops Meta.ordering; autocomplete pages need an order.
            .order_by("name", "pk")
        )

    @admin.display(description=_("name"), ordering="name")
    def tree_name(self, category: Category) -> str:
        """The name after its ancestors' (Music › Reviews › Albums)."""
        ancestors, node, deeper = [], category, False
        for _level in range(TREE_DEPTH):
            node = node.parent  # loaded by select_related
            if node is None:
                break
            ancestors.insert(0, node.name)
        else:
            deeper = node.parent_id is not None
        if not ancestors:
            return format_html("<strong>{}</strong>", category.name)
        return format_html(
            '<span class="nr-tree-path">{}{} › </span>{}',
            "… › " if deeper else "",
            " › ".join(ancestors),
            category.name,
        )

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, category: Category) -> int:
        return category.article_total


@admin.register(Author)
class AuthorAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "user", "is_public", "article_count"]
    list_filter = ["is_public"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(article_total=Count("bylines"))
            .order_by("name", "pk")
        )

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, author: Author) -> int:
        return author.article_total

    def save_model(self, request: HttpRequest, author: Author, form, change: bool) -> None:
        super().save_model(request, author, form, change)
        if change and "name" in form.changed_data:  # bylines are searched by name
            search.index_articles(
                Byline.objects.filter(author=author).values_list("article_id", flat=True)
            )


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    # Not taggit's TagAdmin: its merge knows only the generic TaggedItem and
    # would leave this project's TaggedArticle rows behind.
    form = TagAdminForm
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    actions = ["merge_tags"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(article_total=Count("articles_taggedarticle_items"))
            .order_by("name", "pk")
        )

    @admin.display(description=_("articles"), ordering="article_total")
    def article_count(self, tag: Tag) -> int:
        return tag.article_total

    def save_model(self, request: HttpRequest, tag: Tag, form, change: bool) -> None:
        super().save_model(request, tag, form, change)
        if change and "name" in form.changed_data:  # tags are searched by name
            search.index_articles(
                TaggedArticle.objects.filter(tag=tag).values_list("content_object_id", flat=True)
            )

    @admin.action(description=_("Merge selected tags"), permissions=["change", "delete"])
    def merge_tags(self, request: HttpRequest, queryset: QuerySet[Tag]):
        tags = queryset.order_by("name")
        if tags.count() < 2:
            self.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
            return None
        if "merge" in request.POST:
            form = TagMergeForm(request.POST, tags=tags)
            if form.is_valid():
                target = form.cleaned_data["target"]
                try:
                    merged = merge_tags(
                        target, [t for t in tags if t.pk != target.pk], user=request.user
                    )
                except StaleVersion as stale:
                    self.message_user(
                        request, stale_notice(stale.article, stale.conflict), messages.ERROR
                    )
                    return None
                self.message_user(
                    request,
                    ngettext(
                        "Merged %(n)d tag into “%(target)s”.",
                        "Merged %(n)d tags into “%(target)s”.",
                        merged,
                    )
                    % {"n": merged, "target": target.name},
                    messages.SUCCESS,
                )
                return None
        else:
            form = TagMergeForm(tags=tags, initial={"target": tags.first()})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Merge tags"),
            "tags": tags,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge.html", context)


@admin.register(Redirect)
class RedirectAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    list_display = ["old_path", "article", "new_path", "created_at"]
    search_fields = ["old_path", "new_path", "article__title"]
    autocomplete_fields = ["article"]
    list_select_related = ["article"]
