"""A per-client request budget for the content API.

Each address may make ``API_RATE_LIMIT`` requests a minute to ``/api/``
(0 turns the limit off); past it, a 429 problem with ``Retry-After``. The
count lives in the shared cache, so every worker and host shares it. It sits
before the page cache: a cached answer costs the client as much as a fresh one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

from newsroom.auth import client_ip

WINDOW = 60
logger = logging.getLogger(__name__)


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.API_RATE_LIMIT

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.limit and request.path_info.startswith("/api/") and request.method != "OPTIONS":
            now = time.time()
            window = int(now // WINDOW)
            # The client's address, past the proxies in FORWARDED_ALLOW_IPS (as
            # the login lock-out reads it): behind nginx every request would
            # otherwise count against the proxy's one address.
            key = f"api-rate:{window}:{client_ip(request) or ''}"
            try:
                cache.add(key, 0, WINDOW + 10)
                used = cache.incr(key)
            except Exception:  # noqa: BLE001 - a cache outage must not take the API down
                logger.warning("API rate limit not counted: the cache failed", exc_info=True)
                used = 0
            if used > self.limit:
                return self.refused(int((window + 1) * WINDOW - now) + 1)
        return self.get_response(request)

    def refused(self, retry_after: int) -> HttpResponse:
        response = JsonResponse(
            {
                "type": "about:blank",
                "title": "Too Many Requests",
                "status": 429,
                "detail": f"At most {self.limit} requests a minute; try again later.",
            },
            status=429,
            content_type="application/problem+json",
        )
        response["Retry-After"] = str(retry_after)
        patch_cache_control(response, private=True, no_store=True)
        return response
