"""The content generation: one token that every cache of rendered content is keyed by.

Saving or deleting anything readers see (articles, bylines, tags, categories,
authors, embeds, redirects) bumps it (``articles/signals.py``), so one write
retires every cached page and fragment at once, in every process sharing it,
without knowing which keys exist. Old entries are never read again and expire
on their own.

Scheduling is a date, not a job: an article with a future publish time goes
live without any write. So each generation also has a schedule: the publish
times of the articles still scheduled when it began, looked up once per
generation (and shared through the cache). ``current()`` gives the key for
fragments, which counts how many of those times have passed
(``<token>.<n>``), and ``Generation.expires``, the next one, which bounds
every lifetime: the page cache stores it with each page, so a cache hit
needs the token alone and never the database. When the clock passes it,
every process moves on at that instant, with no write and no race.

The token lives in the cache when the cache is shared (Redis). With a
process-local cache (local memory) it lives in a small file beside the SQLite
database instead, read on every request, so all gunicorn workers of one box
agree on it.
"""

from __future__ import annotations

import bisect
import datetime
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "content:generation"
SCHEDULE_KEY = "content:schedule:{token}"
SCHEDULE_TIMEOUT = 24 * 60 * 60
# Publish times remembered per generation; passing the last of a longer list bumps it.
SCHEDULE_SIZE = 500
# Articles that went live up to this long before a generation began are in its
# schedule too (as already passed), so hosts whose clocks differ by less agree.
CLOCK_SKEW = 60
# How long a process stops asking a cache that did not answer.
RETRY_SECONDS = 10


@dataclass(frozen=True)
class Generation:
    """The content generation as of one moment."""

    key: str
    #: When readers' content last changed (a save, or a scheduled article going live).
    since: float
    #: When the next scheduled article goes live, if one is known.
    expires: float | None
    #: False while the store does not answer: nothing shared may be keyed by it.
    shared: bool = True

    def seconds_left(self, now: float) -> float | None:
        return None if self.expires is None else max(0.0, self.expires - now)


@dataclass(frozen=True)
class _Schedule:
    times: tuple[float, ...]
    complete: bool


class _CacheStore:
    """The token in the configured cache: shared by every host using it."""

    def read(self) -> str | None:
        return cache.get(GENERATION_KEY)

    def write(self, token: str) -> None:
        cache.set(GENERATION_KEY, token, None)

    def add(self, token: str) -> None:
        cache.add(GENERATION_KEY, token, None)


class _FileStore:
    """The token in a file, for caches that live inside one process.

    Reading a 40-byte file costs a few microseconds; comparing stat() results
    instead would be cheaper but can miss two replacements within one
    timestamp tick. Writes replace the file whole, so a read never sees half.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str | None:
        # os.open/os.read: a third of the cost of open().read() on every request.
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except OSError:
            return None
        try:
            return os.read(descriptor, 256).decode().strip() or None
        except (OSError, UnicodeDecodeError):
            return None
        finally:
            os.close(descriptor)

    def _temporary(self, token: str) -> Path:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_text(token)
        return temporary

    def write(self, token: str) -> None:
        os.replace(self._temporary(token), self.path)

    def add(self, token: str) -> None:
        # A hard link appears whole or not at all, and never replaces a file.
        temporary = None
        try:
            temporary = self._temporary(token)
            os.link(temporary, self.path)
        except FileExistsError:
            pass
        except OSError:
            logger.exception("could not create the content generation file")
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)


_pinned: ContextVar[tuple[str, bool] | None] = ContextVar("content_generation", default=None)
_schedules: dict[str, _Schedule] = {}
_down_until = 0.0
_fallback: str | None = None
_bump_pending = False


def _store() -> _CacheStore | _FileStore:
    path = settings.CONTENT_GENERATION_FILE
    return _FileStore(Path(path)) if path else _CacheStore()


def _new_token(now: float) -> str:
    # Random, not a counter: after an eviction a counter restarting from 0
    # could meet old entries again. The start time rides along for Last-Modified
    # and the schedule lookup.
    return f"{uuid.uuid4().hex[:16]}-{now:.6f}"


def _started(token: str) -> float:
    try:
        return float(token.rpartition("-")[2])
    except ValueError:
        return 0.0


def bump() -> None:
    """Start a new generation now: every cached page and fragment is retired."""
    global _bump_pending
    store = _store()
    previous = store.read()
    # Never start before the generation it replaces, even on a host whose clock
    # is behind: Last-Modified must not go back in time.
    start = max(time.time(), _started(previous) + 0.001 if previous else 0.0)
    token = _new_token(start)
    try:
        store.write(token)
    except OSError:
        logger.exception("could not write the content generation")
    # A cache that swallows errors (django-redis with IGNORE_EXCEPTIONS) loses
    # the write silently; try again once it answers, or pages could outlive it.
    _bump_pending = store.read() is None


def changed() -> None:
    """Content changed: bump now and again once the transaction commits.

    The first bump stops serving what is cached at once. A request that reads
    the new generation before the commit still sees the old rows and may cache
    them under it; the second bump retires those. Inside ``batched()`` it
    only notes the change.
    """
    pending = _batched.get()
    if pending is not None:
        pending[:] = [True]
        return
    bump()
    transaction.on_commit(bump)


_batched: ContextVar[list[bool] | None] = ContextVar("content_batched", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Many writes, one bump: for bulk writers such as importers. Inside, a
    change is only noted; leaving bumps once (and again on commit, if a
    transaction is still open), so a 100,000-article run neither writes the
    generation 500,000 times nor piles up as many commit callbacks."""
    pending: list[bool] = []
    token = _batched.set(pending)
    try:
        yield
    finally:
        _batched.reset(token)
        if pending:
            changed()


def token(now: float | None = None) -> tuple[str, bool]:
    """The current generation's token, and whether it is shared with other processes.

    One read of the store, no database: what a page-cache hit needs. While the
    store does not answer, a token of this process alone, marked not shared.
    """
    global _fallback, _bump_pending
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    now = time.time() if now is None else now
    if now < _down_until:
        return _unshared(now), False
    store = _store()
    value = store.read()
    if value is None:
        store.add(_new_token(now))
        value = store.read()
        if value is None:
            return _went_down(now), False
        _bump_pending = False  # what was lost, this new generation retires
    elif _bump_pending:
        bump()
        value = store.read() or value
    _fallback = None
    return value, True


def current(now: float | None = None) -> Generation:
    """The generation as of ``now``: with its schedule, so it reads the database
    once per generation and process (the schedule is shared through the cache)."""
    now = time.time() if now is None else now
    value, shared = token(now)
    schedule = _schedule(value, shared)
    if schedule is None:
        # The database did not answer, so which scheduled articles are live is
        # unknown: share nothing under this generation.
        return Generation(f"{value}.unknown", now, now + RETRY_SECONDS, shared=False)
    passed = bisect.bisect_right(schedule.times, now)
    if passed == len(schedule.times) and not schedule.complete:
        # More articles went live than the schedule holds: make them a new generation.
        bump()
        return Generation(f"{value}.{passed}", now, now + RETRY_SECONDS, shared=False)
    since = max(_started(value), schedule.times[passed - 1]) if passed else _started(value)
    expires = schedule.times[passed] if passed < len(schedule.times) else None
    return Generation(f"{value}.{passed}" if passed else value, since, expires, shared)


def _went_down(now: float) -> str:
    global _down_until
    _down_until = now + RETRY_SECONDS
    logger.warning(
        "the cache does not answer: pages are served uncached for the next %d s", RETRY_SECONDS
    )
    return _unshared(now)


def _unshared(now: float) -> str:
    """A token for this process alone, while the shared one cannot be read."""
    global _fallback, _bump_pending
    if _fallback is None:
        _fallback = _new_token(now)
        # Saves made elsewhere meanwhile may not have reached the cache.
        _bump_pending = True
    return _fallback


def _schedule(value: str, shared: bool) -> _Schedule | None:
    schedule = _schedules.get(value)
    if schedule is not None:
        return schedule
    key = SCHEDULE_KEY.format(token=value)
    schedule = cache.get(key) if shared else None
    if schedule is None:
        try:
            schedule = _lookup_schedule(_started(value) - CLOCK_SKEW)
        except DatabaseError:
            logger.exception("could not read the publishing schedule")
            return None
        if shared:
            cache.set(key, schedule, SCHEDULE_TIMEOUT)
    if len(_schedules) > 32:
        _schedules.clear()
    _schedules[value] = schedule
    return schedule


def _lookup_schedule(after: float) -> _Schedule:
    """Publish times of the articles ``scheduled()`` listed at ``after``.

    Taken at the generation's start rather than now, so every process that
    looks it up computes the same list.
    """
    from articles.models import Article

    moment = datetime.datetime.fromtimestamp(after, tz=datetime.UTC)
    times = list(
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=moment)
        .order_by("published_at")
        .values_list("published_at", flat=True)[: SCHEDULE_SIZE + 1]
    )
    return _Schedule(
        tuple(moment.timestamp() for moment in times[:SCHEDULE_SIZE]),
        complete=len(times) <= SCHEDULE_SIZE,
    )


@contextmanager
def pinned(value: str, shared: bool) -> Iterator[None]:
    """Serve one request with one generation: its page and fragments agree."""
    reset = _pinned.set((value, shared))
    try:
        yield
    finally:
        _pinned.reset(reset)


def content_key(*parts: object) -> str:
    """A cache key for content derived from the database, retired with the generation."""
    return ":".join(["content", current().key, *map(str, parts)])


_MISSING = object()


def remember(compute: Callable[[], T], *parts: object, timeout: int) -> T:
    """``compute()``, kept in the cache under ``parts`` and the generation.

    While the generation cannot be read (the cache does not answer), the
    value is computed every time: a hung cache would otherwise cost its
    socket timeout on every call.
    """
    generation = current()
    if not generation.shared:
        return compute()
    key = ":".join(["content", generation.key, *map(str, parts)])
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value


def last_modified(since: float, now: float) -> int:
    """A Last-Modified time, in whole seconds, for content unchanged ``since``.

    HTTP dates have one-second resolution, so two generations may begin within
    one second. Naming the second *after* the content's start means an
    If-Modified-Since that names it proves the client's copy is of this
    content (see ``modified_since``). Never later than now.
    """
    return min(math.floor(since) + 1, math.floor(now))


def modified_since(since: float, moment: int) -> bool:
    """Whether content unchanged ``since`` may differ from a copy ``moment`` names."""
    return moment < math.floor(since) + 1


def reset_process_state() -> None:
    """Forget what this process remembers (for tests that restart the cache)."""
    global _down_until, _fallback, _bump_pending
    _schedules.clear()
    _down_until, _fallback, _bump_pending = 0.0, None, False
