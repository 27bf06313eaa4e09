"""The site's URLs plus a constant view, for benchmarks only (never in production)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

CONSTANT_PATH = "/bench/constant/"


def constant(request: HttpRequest) -> HttpResponse:
    """The framework's ceiling: every middleware runs, the view does nothing."""
    return HttpResponse(b"constant\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path(CONSTANT_PATH.strip("/") + "/", constant, name="bench-constant"),
    path("", include("newsroom.urls")),
]
