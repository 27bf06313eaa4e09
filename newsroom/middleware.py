"""HTTP caching for reader pages: the page cache, validators, Cache-Control, compression.

Pages readers get are the same for every anonymous reader, so this middleware
keeps whole responses in the configured cache, keyed by the content generation
(``newsroom.cache``), and gives them what proxies and browsers need:
``Cache-Control: public`` with lifetimes that never pass the next scheduled
publish time, a weak ``ETag`` and a ``Last-Modified`` answered with 304, and
brotli or gzip. A cache hit touches neither the session nor the database.
Each public page's last copy is also kept for ``PAGE_STALE_IF_ERROR``
seconds, whatever the generation, and served in place of the 503 while the
database is down (``newsroom.views.server_error``).

Everything else — the admin, preview links, requests from logged-in users
(any session cookie), POSTs, responses that set cookies or use a CSRF token,
responses that set their own ``Cache-Control`` — is passed through untouched,
marked ``private, no-store`` and never compressed (BREACH: only responses
without secrets are compressed).
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Callable

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from newsroom import cache as content

# Statuses kept: pages, permanent redirects (old permalinks) and, briefly, misses.
STORED_STATUSES = frozenset({200, 301, 404})
NOT_FOUND_SECONDS = 60
# Statuses whose last copy is served while the database is down.
STALE_STATUSES = frozenset({200, 301})
COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
    "application/ld+json",
    "application/javascript",
    "image/svg+xml",
)
# Below this, compressing saves less than the header costs.
MIN_COMPRESS_LENGTH = 200
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
# Headers made afresh for every response from the cache (they depend on the clock).
PER_RESPONSE_HEADERS = frozenset({"cache-control", "last-modified", "expires", "date"})


def accepted_encoding(accept_encoding: str) -> str:
    """``br``, ``gzip`` or ``""`` (identity): the best the client accepts."""
    if not accept_encoding:
        return ""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, parameters = part.partition(";")
        quality = parameters.strip().removeprefix("q=")
        if parameters and quality.replace(".", "", 1).strip("0") == "":
            continue  # q=0 (or 0.0...) refuses it
        accepted.add(name.strip())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "x-gzip" in accepted or "*" in accepted:
        return "gzip"
    return ""


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    # mtime=0: the same page compresses to the same bytes on every host.
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """The weak comparison If-None-Match calls for (RFC 9110, 13.1.2)."""
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == ours for tag in parse_etags(if_none_match))


def _path(name: str, **kwargs: str) -> str:
    """The URL named ``name``, or "" where the URLconf has none (test URLconfs)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class PageCacheMiddleware:
    """Whole-page caching and HTTP caching headers for anonymous readers.

    Goes right after SecurityMiddleware and WhiteNoise, before the session:
    a hit returns before any other middleware runs. ``NEWSROOM_PAGE_CACHE``
    turns the stored pages off; headers, 304s and compression stay.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.store_pages = settings.NEWSROOM_PAGE_CACHE
        self.page_seconds = settings.PAGE_CACHE_SECONDS
        self.max_age = settings.PAGE_MAX_AGE
        self.s_maxage = settings.PAGE_S_MAXAGE
        self.extensions = "".join(
            f", {name}={seconds}"
            for name, seconds in (
                ("stale-while-revalidate", settings.PAGE_STALE_WHILE_REVALIDATE),
                ("stale-if-error", settings.PAGE_STALE_IF_ERROR),
            )
            if seconds
        )
        # Last copies for a database outage, kept as long as shared caches may
        # serve stale copies on error (stale-if-error).
        self.stale_seconds = settings.PAGE_STALE_IF_ERROR
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self._private_paths: tuple[tuple[str, ...], frozenset[str]] | None = None

    def private_paths(self) -> tuple[tuple[str, ...], frozenset[str]]:
        """Path prefixes and exact paths that are never public (resolved once)."""
        if self._private_paths is None:
            prefixes = (_path("admin:index"), _path("articles:preview", token="-")[:-2])
            paths = (_path("healthz"), _path("readyz"))
            # A name missing from the URLconf gives "", which must not match every path.
            self._private_paths = (tuple(filter(None, prefixes)), frozenset(filter(None, paths)))
        return self._private_paths

    def is_public_request(self, request: HttpRequest) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        prefixes, paths = self.private_paths()
        path = request.path_info
        if path.startswith(prefixes) or path in paths:
            return False
        # Any session may be a logged-in user; their pages are theirs alone.
        return self.session_cookie not in request.COOKIES and "HTTP_AUTHORIZATION" not in (
            request.META
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.is_public_request(request):
            return self.private(self.get_response(request))
        now = time.time()
        token, shared = content.token(now)
        encoding = accepted_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        key = stale_key = None
        if self.store_pages and shared:
            url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
            digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
            key = f"page:{token}:{encoding}:{digest}"
            stale_key = f"page:stale:{encoding}:{digest}"
            entry = cache.get(key)
            # Stored with the time the next scheduled article goes live (the
            # last item): past it, the page may lack that article; build it afresh.
            if entry is not None and (entry[-1] is None or now < entry[-1]):
                return self.from_entry(request, entry, now)
        with content.pinned(token, shared):
            response = self.get_response(request)
            if getattr(response, "database_unavailable", False) and stale_key is not None:
                stale = cache.get(stale_key)
                if stale is not None:
                    return self.from_stale_entry(stale)
            if not self.is_public_response(request, response):
                if "Cache-Control" not in response:
                    self.private(response)
                return response
            # As of the request's start: the page was built from what was live then.
            generation = content.current(now)
        self.prepare(response, encoding)
        entry = (
            response.status_code,
            [(k, v) for k, v in response.items() if k.lower() not in PER_RESPONSE_HEADERS],
            response.content,
            response.get("ETag", ""),
            generation.since,
            self.expires(response.status_code, generation.expires, now),
        )
        self.add_freshness(response, entry, now)
        if key is not None and generation.shared:
            expires = entry[-1]
            timeout = self.page_seconds
            if expires is not None:
                timeout = min(timeout, expires - now)
            if timeout >= 1:
                cache.set(key, entry, int(timeout))
            if self.stale_seconds and entry[0] in STALE_STATUSES:
                cache.set(stale_key, entry, self.stale_seconds)
        return self.conditional(request, response, entry)

    @staticmethod
    def from_stale_entry(entry: tuple) -> HttpResponse:
        """The last copy of a page, while the database is down: better than a 503.
        Marked so that no cache keeps it and browsers ask again next time."""
        status, headers, body, _etag, _since, _expires = entry
        response = HttpResponse(body, status=status, headers=dict(headers))
        response["Cache-Control"] = "no-cache"
        response["X-Newsroom-Stale"] = "database unavailable"
        return response

    def is_public_response(self, request: HttpRequest, response: HttpResponse) -> bool:
        return not (
            response.streaming
            or response.status_code not in STORED_STATUSES
            or response.cookies
            or "Cache-Control" in response
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        )

    @staticmethod
    def private(response: HttpResponse) -> HttpResponse:
        if not response.streaming:
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def prepare(response: HttpResponse, encoding: str) -> None:
        """ETag from the uncompressed page, then compression, once per stored page."""
        body = response.content
        if response.status_code == 200:
            # Weak: the brotli, gzip and plain variants share it.
            response["ETag"] = f'W/"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        if response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
            patch_vary_headers(response, ("Accept-Encoding",))
            if encoding and len(body) >= MIN_COMPRESS_LENGTH and "Content-Encoding" not in response:
                response.content = compress(body, encoding)
                response["Content-Encoding"] = encoding
        response["Content-Length"] = str(len(response.content))

    @staticmethod
    def expires(status: int, next_publish: float | None, now: float) -> float | None:
        """Until when this response holds: the next scheduled publish time, and
        a minute at most for a 404 (the address may be a draft about to go live)."""
        if status != 404:
            return next_publish
        limit = now + NOT_FOUND_SECONDS
        return limit if next_publish is None else min(next_publish, limit)

    def add_freshness(self, response: HttpResponse, entry: tuple, now: float) -> None:
        status, _headers, _body, _etag, since, expires = entry
        max_age, s_maxage = self.max_age, self.s_maxage
        if expires is not None:
            left = max(0, int(expires - now))
            max_age, s_maxage = min(max_age, left), min(s_maxage, left)
        response["Cache-Control"] = (
            f"public, max-age={max_age}, s-maxage={s_maxage}{self.extensions}"
        )
        if status == 200:
            response["Last-Modified"] = http_date(content.last_modified(since, now))

    def from_entry(self, request: HttpRequest, entry: tuple, now: float) -> HttpResponse:
        status, headers, body, _etag, _since, _expires = entry
        response = HttpResponse(body, status=status, headers=dict(headers))
        self.add_freshness(response, entry, now)
        return self.conditional(request, response, entry)

    @staticmethod
    def conditional(request: HttpRequest, response: HttpResponse, entry: tuple) -> HttpResponse:
        """304 when the client's copy is this page; never for a changed one.

        An If-None-Match decides alone when present (RFC 9110, 13.2.2); an
        If-Modified-Since only proves the copy is current when it names a
        second after this content began (see ``newsroom.cache.last_modified``).
        """
        status, _headers, _body, etag, since, _expires = entry
        if status != 200:
            return response
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            fresh = etag_matches(if_none_match, etag)
        elif if_modified_since := request.META.get("HTTP_IF_MODIFIED_SINCE"):
            moment = parse_http_date_safe(if_modified_since)
            fresh = (
                moment is not None
                and moment <= time.time()
                and not content.modified_since(since, moment)
            )
        else:
            return response
        if not fresh:
            return response
        not_modified = HttpResponseNotModified()
        for header in ("Cache-Control", "ETag", "Last-Modified", "Vary", "Content-Location"):
            if header in response:
                not_modified[header] = response[header]
        return not_modified


# Powerful features no page of ours uses: denied to the page and every frame.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "usb",
    "xr-spatial-tracking",
)
# Features the site's own pages use (copy link writes to the clipboard).
OWN_FEATURES = ("clipboard-write", "fullscreen")


def permissions_policy() -> str:
    """The Permissions-Policy header: powerful features off, and the few that
    embed frames ask for granted to this site and to exactly those frames'
    origins, so a consented embed still plays, full screen included."""
    from embeds.csp import delegated_features

    allowed: dict[str, list[str]] = {name: [] for name in OWN_FEATURES}
    for name, origins in delegated_features().items():
        allowed.setdefault(name, []).extend(origins)
    directives = [f"{name}=()" for name in DENIED_FEATURES if name not in allowed]
    for name, origins in sorted(allowed.items()):
        quoted = " ".join(f'"{origin}"' for origin in sorted(set(origins)))
        directives.append(f"{name}=(self {quoted})".replace(" )", ")"))
    return ", ".join(directives)


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` to every response: pages, cached pages,
    static files, the admin, errors. Goes first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = permissions_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
