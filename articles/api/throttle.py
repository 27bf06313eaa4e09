"""A per-client request budget for the content API.

Each address may make ``API_RATE_LIMIT`` requests a minute to ``/api/``
(0 turns the limit off); past it, a 429 problem with ``Retry-After``. A
partner sending a valid API key (``articles.api.keys``) has that key's own
budget instead, whatever its address; a key that is not valid (unknown,
revoked, malformed) gets a 401 problem, never the anonymous budget. The
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

from articles.api import keys
from newsroom.auth import client_ip

WINDOW = 60
logger = logging.getLogger(__name__)


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.API_RATE_LIMIT

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/") or request.method == "OPTIONS":
            return self.get_response(request)
        api_key = keys.authenticate(request)
        if api_key is None:
            return self.unauthorized()
        if api_key is keys.MISSING:
            # The client's address, past the proxies in FORWARDED_ALLOW_IPS (as
            # the login lock-out reads it): behind nginx every request would
            # otherwise count against the proxy's one address.
            limit, bucket = self.limit, f"ip:{client_ip(request) or ''}"
        else:
            limit, bucket = api_key.rate_limit, f"key:{api_key.pk}"
        if limit:
            now = time.time()
            window = int(now // WINDOW)
            key = f"api-rate:{window}:{bucket}"
            try:
                cache.add(key, 0, WINDOW + 10)
                used = cache.incr(key)
            except Exception:  # noqa: BLE001 - a cache outage must not take the API down
                logger.warning("API rate limit not counted: the cache failed", exc_info=True)
                used = 0
            if used > limit:
                return self.refused(limit, int((window + 1) * WINDOW - now) + 1)
        return self.get_response(request)

    def refused(self, limit: int, retry_after: int) -> HttpResponse:
        response = problem(
            429, "Too Many Requests", f"At most {limit} requests a minute; try again later."
        )
        response["Retry-After"] = str(retry_after)
        return response

    def unauthorized(self) -> HttpResponse:
        response = problem(
            401,
            "Unauthorized",
            "The API key is not valid or has been revoked. Send none for the anonymous limit.",
        )
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response


def problem(status: int, title: str, detail: str) -> HttpResponse:
    response = JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
