"""Health checks and error pages: wiring, not domain."""

import contextlib
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

from django.apps import apps
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, ProgrammingError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from newsroom import sqlite

READY_TIMEOUT = 2.0  # seconds for all checks together; /readyz must answer well within 3 s
# How long the probe waits for SQLite's write lock. Admin saves wait a few
# seconds at most; a lock not granted within this is starving them.
WRITE_LOCK_TIMEOUT_MS = 1000
# What readers are told to wait before trying again while the database is down.
RETRY_AFTER_SECONDS = 30

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


class NotReady(Exception):
    """A check found the database there but not usable."""


def _check_database() -> None:
    """The database answers, holds the schema and, on SQLite, grants the write lock.

    Never creates anything: a missing SQLite file is reported, not made.
    """
    connection = connections["default"]
    try:
        name = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite" and sqlite.is_file_path(name) and not os.path.exists(name):
            # The file's name, not its path: /readyz answers anyone who can reach it.
            raise NotReady(f"the database file {os.path.basename(name)} is missing")
        table = connection.ops.quote_name(apps.get_model("articles", "Article")._meta.db_table)
        with connection.cursor() as cursor:
            try:
                cursor.execute(f"SELECT 1 FROM {table} WHERE 1 = 0")  # noqa: S608 - a model's table
            except OperationalError as exc:
                if connection.vendor == "sqlite" and "no such table" in str(exc):
                    raise NotReady(f"the schema is missing ({exc}); run migrate") from exc
                raise
            except ProgrammingError as exc:
                # PostgreSQL: an undefined table is a ProgrammingError.
                raise NotReady(f"the schema is missing ({exc}); run migrate") from exc
            if connection.vendor == "sqlite":
                _check_write_lock(cursor)
    finally:
        # This runs in a pool thread: close its connection rather than leak one per probe.
        connections.close_all()


def _check_write_lock(cursor) -> None:
    """Take SQLite's write lock and let it go at once, waiting a bounded time.

    WAL readers never wait for a writer, so reads alone would stay green while
    a long transaction keeps every save waiting.
    """
    cursor.execute(f"PRAGMA busy_timeout = {WRITE_LOCK_TIMEOUT_MS}")
    try:
        cursor.execute("BEGIN IMMEDIATE")
    except OperationalError as exc:
        raise NotReady(
            f"the write lock was not granted within {WRITE_LOCK_TIMEOUT_MS / 1000:g} s ({exc}):"
            " a long transaction is starving writers"
        ) from exc
    cursor.execute("ROLLBACK")


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


def _is_database_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) says the database is unreachable."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _drop_connections() -> None:
    """Close this thread's connections: one broken by an outage must not be
    reused for CONN_MAX_AGE seconds, nor one opened to the wrong file."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):
            connection.close()


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database outage is a 503 that says when to come back.

    The page cache (newsroom/middleware.py) answers with its last copy of the
    page instead when it has one.
    """
    if not _is_database_outage(sys.exc_info()[1]):
        return defaults.server_error(request)
    _drop_connections()
    # The footer's fragment cache would look the generation up in the database.
    response = render(request, "503.html", {"CONTENT_GENERATION": "unavailable"}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.database_unavailable = True
    return response
