"""Health checks and error pages: wiring, not domain."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

READY_TIMEOUT = 2.0  # seconds for all checks together; /readyz must answer well within 3 s

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def _check_database() -> None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # This runs in a pool thread: close its connection rather than leak one per probe.
        connections.close_all()


def _check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise ConnectionError("a value written to the cache did not read back")
    finally:
        cache.delete(key)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive. Touches neither database nor cache."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the cache both answer in time, else 503 with the reasons."""
    futures = {
        "database": _executor.submit(_check_database),
        "cache": _executor.submit(_check_cache),
    }
    # One deadline for all checks: waiting READY_TIMEOUT for each in turn would
    # let a network partition that hangs both push the answer past 3 s.
    deadline = time.monotonic() + READY_TIMEOUT
    problems: dict[str, str] = {}
    for name, future in futures.items():
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FuturesTimeout:
            problems[name] = f"no answer within {READY_TIMEOUT:g} s"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            problems[name] = f"{type(exc).__name__}: {exc}".strip()[:300]
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok", "checks": list(futures)})
