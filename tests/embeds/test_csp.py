import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View

from embeds.csp import allow_embed_frames, frame_src
from embeds.providers import frame_hosts


@allow_embed_frames
def page_with_embeds(request: HttpRequest) -> HttpResponse:
    return HttpResponse("embeds")


@method_decorator(allow_embed_frames, name="dispatch")
class ClassPageWithEmbeds(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("embeds")


def plain_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("plain")


urlpatterns = [
    path("embeds/", page_with_embeds),
    path("class-embeds/", ClassPageWithEmbeds.as_view()),
    path("plain/", plain_page),
]


def directive(response, name: str) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


# Pages read the publishing schedule once per content generation (newsroom/cache.py).
@pytest.mark.django_db
class FrameSrcTests:
    def test_frame_src_is_the_registry_hosts(self):
        assert frame_src() == frame_hosts()

    @pytest.mark.urls("tests.embeds.test_csp")
    @pytest.mark.parametrize("url", ["/embeds/", "/class-embeds/"])
    def test_pages_with_embeds_allow_exactly_the_registry_frames(self, client: Client, url):
        response = client.get(url)
        assert directive(response, "frame-src") == frame_hosts()
        # Nothing else is widened.
        assert directive(response, "script-src") == ["'self'"]

    @pytest.mark.urls("tests.embeds.test_csp")
    def test_other_pages_keep_frames_off(self, client: Client):
        assert directive(client.get("/plain/"), "frame-src") == ["'none'"]
