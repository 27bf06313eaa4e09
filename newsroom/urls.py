import re

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from articles.api.views import api
from newsroom import views

# A database outage is a 503 with Retry-After, not a 500 (newsroom/views.py).
handler500 = "newsroom.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # The link a new writer or editor gets by email (articles/admin/accounts.py).
    path(
        "admin/password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    # Read-only content API; breaking changes go to /api/v2/ (docs/api.md).
    path("api/v1/", api.urls),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # One-box convenience (make run sets it): Django serves uploads itself.
    # Behind nginx or with object storage, leave it off (docs/deploy.md).
    from django.views.static import serve

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
