import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from articles.redirects import resolve

logger = logging.getLogger(__name__)


class RedirectFallbackMiddleware:
    """Answer a 404 with a 301 when the path is a recorded old address.

    It runs only for GET/HEAD requests that already failed, so a live page
    always wins over a redirect and found pages cost nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        try:
            target = resolve(request.path)
        except DatabaseError:
            # The 404 page renders without the database; keep it that way.
            logger.exception("redirect lookup failed for %s", request.path)
            return response
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
