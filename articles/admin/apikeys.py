"""Partner API keys: made, limited and revoked by editors."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from articles.api.keys import new_key
from articles.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "is_active", "rate_limit", "last_used_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    fields = ["name", "is_active", "rate_limit", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    # Editors (who may publish) and superusers only: a key is a partner's access.
    def _editor(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm("articles.publish_article")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._editor(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editor(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._editor(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editor(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editor(request)

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if not change:
            # Kept on the request only, for response_add; never in the database.
            request._newsroom_api_key = new_key(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue=None):
        """The whole key, shown once on its own page (not in a message, which
        the message storage could keep in a cookie)."""
        response = TemplateResponse(
            request,
            "admin/articles/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "api_key": obj,
                "key": request._newsroom_api_key,
                "title": obj.name,
            },
        )
        add_never_cache_headers(response)
        return response
