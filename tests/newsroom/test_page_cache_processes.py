"""The page cache across processes: real gunicorn, a real Redis stopped or hung
mid-test, and two instances sharing one database and one cache.

On CI's PostgreSQL pass the two instances share a fresh PostgreSQL database
and CI's Redis; on the SQLite pass, one SQLite file and a throwaway Redis, and
then one SQLite file and the local-memory cache with the generation file.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from newsroom import cache as content
from tests.factories import make_article
from tests.newsroom.processes import (
    ROOT,
    fetch,
    gunicorn,
    manage,
    production_env,
    redis_server,
    stop,
)

pytestmark = pytest.mark.process

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def write(env: dict[str, str], *args: str) -> tuple[str, float]:
    """Publish or edit from a process of its own, as an editor would: the
    article's URL and publish time."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.newsroom.content_writer", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    url, published = result.stdout.strip().splitlines()[-1].split()
    return url, float(published)


@pytest.fixture
def shared_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database for both instances and the writer: a fresh PostgreSQL database
    on a PostgreSQL run (the test database is inside the test's transaction),
    else this test's copy of a migrated SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        yield request.getfixturevalue("migrated_database_url")
        return
    import psycopg

    parts = urlsplit(url)
    name = f"newsroom_coherence_{uuid.uuid4().hex[:8]}"
    server = {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": parts.username,
        "password": parts.password,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    shared = parts._replace(path=f"/{name}").geturl()
    try:
        result = manage("migrate", "--noinput", env=production_env(tmp_path, DATABASE_URL=shared))
        assert result.returncode == 0, result.stdout + result.stderr
        yield shared
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fetch_everywhere(servers, path: str, times: int = 4) -> list[bytes]:
    """``path`` several times from each instance (so from each of its workers, most likely)."""
    bodies = []
    for server in servers:
        for _ in range(times):
            response = fetch(server.url, path)
            assert response.status == 200, (path, response.status, server.output()[-2000:])
            bodies.append(response.body)
    return bodies


@pytest.mark.parametrize("shared_cache", ["redis", "local memory and the generation file"])
def test_two_instances_serve_a_change_made_elsewhere_on_the_next_request(
    shared_cache: str, request: pytest.FixtureRequest, tmp_path: Path, shared_database_url: str
):
    overrides = {"DATABASE_URL": shared_database_url, "WEB_CONCURRENCY": "2"}
    if shared_cache == "redis":
        overrides["REDIS_URL"] = request.getfixturevalue("redis_url")
        overrides["CACHE_KEY_PREFIX"] = f"coherence-{uuid.uuid4().hex[:8]}"
    else:
        overrides["CONTENT_GENERATION_FILE"] = str(tmp_path / "content.generation")
    env = production_env(tmp_path, **overrides)
    first_url, _ = write(env, "publish", "first-story", "First story")

    with gunicorn(env, tmp_path) as one, gunicorn(env, tmp_path) as two:
        servers = (one, two)
        assert all(b"First story" in body for body in fetch_everywhere(servers, "/"))
        fetch_everywhere(servers, first_url)

        breaking_url, _ = write(env, "publish", "breaking-story", "Breaking story")
        assert all(b"Breaking story" in body for body in fetch_everywhere(servers, "/"))
        fetch_everywhere(servers, breaking_url)

        write(env, "retitle", "first-story", "First story, corrected")
        assert all(b"First story, corrected" in b for b in fetch_everywhere(servers, first_url))
        assert all(b"First story, corrected" in b for b in fetch_everywhere(servers, "/"))

        # Scheduled: goes live with no write at all, on every instance at once.
        _, goes_live = write(env, "publish", "scheduled-story", "Scheduled story", "4")
        assert not any(b"Scheduled story" in body for body in fetch_everywhere(servers, "/"))
        assert time.time() < goes_live, "too slow to see the page before its time"
        time.sleep(max(0.0, goes_live + 0.2 - time.time()))
        assert all(b"Scheduled story" in body for body in fetch_everywhere(servers, "/"))
        assert all(b"Scheduled story" in b for b in fetch_everywhere(servers, "/feed/"))


def test_pages_answer_200_under_gunicorn_when_redis_stops_mid_test(
    tmp_path: Path, migrated_database_url: str
):
    with redis_server(tmp_path) as (redis_url, redis_process):
        env = production_env(tmp_path, DATABASE_URL=migrated_database_url, REDIS_URL=redis_url)
        article_url, _ = write(env, "publish", "outage-story", "Outage story")
        with gunicorn(env, tmp_path) as server:
            for path in ("/", article_url, "/feed/"):
                assert fetch(server.url, path).status == 200
                assert fetch(server.url, path).status == 200  # from the cache

            stop(redis_process)
            for path in ("/", article_url, "/feed/", "/category/news/", "/sitemap.xml"):
                response = fetch(server.url, path)
                assert response.status == 200, (path, server.output()[-3000:])
                assert response.headers["Cache-Control"].startswith("public, ")
            assert fetch(server.url, "/no-such-page/").status == 404

            # An edit while Redis is down still saves, and shows at once.
            write(env, "retitle", "outage-story", "Outage story, updated")
            assert b"Outage story, updated" in fetch(server.url, "/").body
            assert b"Outage story, updated" in fetch(server.url, article_url).body
        assert "the cache does not answer: pages are served uncached" in server.output()


@pytest.fixture
def private_redis(tmp_path: Path, settings) -> Iterator[subprocess.Popen]:
    """This test's own redis-server as the cache, configured as settings.py does
    for REDIS_URL, with short timeouts so a hung server costs little."""
    with redis_server(tmp_path) as (url, process):
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "newsroom",
                "OPTIONS": {
                    "IGNORE_EXCEPTIONS": True,
                    "SOCKET_CONNECT_TIMEOUT": 0.3,
                    "SOCKET_TIMEOUT": 0.3,
                },
            }
        }
        settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
        content.reset_process_state()
        try:
            yield process
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
            stop(process)
            content.reset_process_state()


@pytest.mark.django_db
def test_pages_answer_200_when_redis_stops_and_say_so_in_one_line(
    private_redis, caplog, django_assert_num_queries
):
    story = make_article(title="Redis story")
    client = Client()
    assert client.get("/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200
    assert cache.get(content.GENERATION_KEY) is not None  # it really is in Redis

    stop(private_redis)
    with caplog.at_level("WARNING", logger="newsroom.cache"):
        for url in ("/", story.get_absolute_url(), "/feed/"):
            assert client.get(url).status_code == 200
    assert b"Redis story" in client.get("/").content
    warnings = [r for r in caplog.records if r.name == "newsroom.cache"]
    assert [r.getMessage() for r in warnings] == [
        "the cache does not answer: pages are served uncached for the next 10 s"
    ]


@pytest.mark.django_db
def test_a_save_while_redis_hangs_never_leaves_a_stale_page_behind(private_redis, time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 10, 12, tzinfo=datetime.UTC), tick=False)
    story = make_article(title="Before the hang")
    client = Client()
    assert b"Before the hang" in client.get("/").content  # stored in Redis

    os.kill(private_redis.pid, signal.SIGSTOP)  # up, holding its data, answering nothing
    try:
        story.title = "Saved during the hang"
        story.save()  # the generation bump is lost
        response = client.get("/")
        assert response.status_code == 200
        assert b"Saved during the hang" in response.content
    finally:
        os.kill(private_redis.pid, signal.SIGCONT)

    # Redis is back with the old generation and the old page under it.
    time_machine.shift(datetime.timedelta(seconds=content.RETRY_SECONDS + 1))
    for _ in range(2):
        body = client.get("/").content
        assert b"Saved during the hang" in body
        assert b"Before the hang" not in body


@pytest.mark.parametrize("shared_cache", ["redis", "local memory and the generation file"])
def test_a_renamed_category_reaches_the_header_menu_of_every_instance(
    shared_cache: str, request: pytest.FixtureRequest, tmp_path: Path, shared_database_url: str
):
    # The menu is cached per process (each instance's own local memory, or
    # one Redis), keyed by the shared content generation: a rename made by a
    # third process retires it everywhere on the next request.
    overrides = {"DATABASE_URL": shared_database_url, "WEB_CONCURRENCY": "2"}
    if shared_cache == "redis":
        overrides["REDIS_URL"] = request.getfixturevalue("redis_url")
        overrides["CACHE_KEY_PREFIX"] = f"menu-{uuid.uuid4().hex[:8]}"
    else:
        overrides["CONTENT_GENERATION_FILE"] = str(tmp_path / "content.generation")
    env = production_env(tmp_path, **overrides)
    url, _ = write(env, "publish", "menu-story", "A story in a section")

    with gunicorn(env, tmp_path) as one, gunicorn(env, tmp_path) as two:
        servers = (one, two)
        for path in ("/", url, "/search/?q=story"):
            assert all(b">News<" in body for body in fetch_everywhere(servers, path))

        write(env, "rename-category", "news", "Dispatches")
        for path in ("/", url, "/search/?q=story"):
            bodies = fetch_everywhere(servers, path)
            assert all(b">Dispatches<" in body for body in bodies), path
            assert not any(b">News<" in body for body in bodies), path
