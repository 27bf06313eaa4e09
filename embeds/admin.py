from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from embeds import oembed
from embeds.models import Embed


class MissingMetadataFilter(admin.SimpleListFilter):
    title = _("metadata")
    parameter_name = "metadata"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("complete", _("Complete"))]

    def queryset(self, request, queryset):
        missing = Embed.objects.missing_metadata()
        if self.value() == "missing":
            return queryset.filter(pk__in=missing.values("pk"))
        if self.value() == "complete":
            return queryset.exclude(pk__in=missing.values("pk"))
        return queryset


@admin.register(Embed)
class EmbedAdmin(admin.ModelAdmin):
    list_display = ["url", "provider", "author_name", "author_handle", "title", "fetched_at"]
    list_filter = ["provider", MissingMetadataFilter, "kind"]
    search_fields = ["url", "author_name", "author_handle", "title"]
    readonly_fields = [
        "provider",
        "kind",
        "provider_id",
        "fetched_at",
        "fetch_error",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["url", "provider", "kind", "provider_id"]}),
        (
            _("Shown on the card"),
            {"fields": ["author_name", "author_handle", "title", "caption", "thumbnail"]},
        ),
        (_("Player"), {"fields": ["player_id"]}),
        (_("History"), {"fields": ["fetched_at", "fetch_error", "created_at", "updated_at"]}),
    ]
    actions = ["fetch_metadata"]
    date_hierarchy = "created_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request: HttpRequest, obj: Embed | None = None) -> list[str]:
        # The URL is the row's identity: change it by adding a new embed.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "url"] if obj is not None else fields

    @admin.action(description=_("Fill metadata from the provider (oEmbed)"))
    def fetch_metadata(self, request: HttpRequest, queryset: QuerySet[Embed]) -> None:
        results = [oembed.refresh(embed) for embed in queryset]
        filled = sum(result.ok for result in results)
        if filled:
            self.message_user(
                request,
                ngettext("Filled %d embed.", "Filled %d embeds.", filled) % filled,
                messages.SUCCESS,
            )
        for result in results:
            if not result.ok:
                self.message_user(request, f"{result.url}: {result.message}", messages.WARNING)
