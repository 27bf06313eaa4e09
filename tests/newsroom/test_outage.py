"""Database outages against real gunicorn: a SQLite file moved away, a write lock
held by another connection, and a PostgreSQL server of the test's own that is
stopped and started again.

Readers get a friendly 503 with Retry-After (or the last copy of the page),
/readyz says 503 with a reason and never creates a file, and everything comes
back on its own, without restarting the app.
"""

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.newsroom.processes import (
    Response,
    fetch,
    gunicorn,
    manage,
    postgres_cluster,
    production_env,
    publish,
)

pytestmark = pytest.mark.process

# /readyz promises an answer within 3 s, whatever is wrong (see test_health).
PROBE_BUDGET = 3.0


def wait_for(base_url: str, path: str, condition: Callable[[Response], bool]) -> Response:
    """Ask again until the answer meets ``condition``; fail after 30 s."""
    deadline = time.monotonic() + 30
    while True:
        response = fetch(base_url, path)
        if condition(response):
            return response
        assert time.monotonic() < deadline, f"{path}: still {response.status} {response.body[:300]}"
        time.sleep(0.1)


def assert_friendly_503(response: Response) -> None:
    assert response.status == 503, response.body[:500]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Type"].startswith("text/html")
    text = response.body.decode()
    assert "Back soon" in text
    assert 'class="site-header"' in text  # the site's own look
    for leak in ("Traceback", "OperationalError", "sqlite", "psycopg", "no such table"):
        assert leak not in text


def readiness(base_url: str) -> tuple[int, dict]:
    response = fetch(base_url, "/readyz", timeout=PROBE_BUDGET + 2)
    assert response.seconds < PROBE_BUDGET, f"/readyz took {response.seconds:.2f} s"
    return response.status, json.loads(response.body)


def test_readyz_reports_a_missing_sqlite_file_without_creating_one(
    tmp_path: Path, migrated_database_url: str
):
    database = Path(migrated_database_url.removeprefix("sqlite:///"))
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    with gunicorn(env, tmp_path) as server:
        assert readiness(server.url)[0] == 200

        away = database.rename(tmp_path / "moved-away.sqlite3")
        status, body = readiness(server.url)
        assert status == 503, body
        assert "missing" in body["problems"]["database"]
        assert not database.exists()  # the probe made no empty database in its place

        away.rename(database)
        status, body = readiness(server.url)
        assert status == 200, body


def test_readyz_reports_an_empty_database_without_the_schema(tmp_path: Path):
    # What a probe that created a file would have found: a database with no tables.
    database = tmp_path / "empty.sqlite3"
    sqlite3.connect(database).close()
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    with gunicorn(env, tmp_path) as server:
        status, body = readiness(server.url)
        assert status == 503, body
        assert "schema is missing" in body["problems"]["database"]


def test_readyz_reports_a_held_sqlite_write_lock_and_recovers_when_it_is_released(
    tmp_path: Path, migrated_database_url: str
):
    database = migrated_database_url.removeprefix("sqlite:///")
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    with gunicorn(env, tmp_path) as server:
        assert readiness(server.url)[0] == 200

        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # what a 15 s transaction looks like to others
            status, body = readiness(server.url)
            assert status == 503, body
            assert "write lock" in body["problems"]["database"]
            # Readers are not held up by it (WAL): the site still answers.
            assert fetch(server.url, "/").status == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        status, body = readiness(server.url)
        assert status == 200, body


def test_reader_pages_answer_503_while_the_sqlite_file_is_gone_and_recover_without_restart(
    tmp_path: Path, migrated_database_url: str
):
    database = Path(migrated_database_url.removeprefix("sqlite:///"))
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    path = publish(env, "still-here", "Still here after the outage")
    # Every request opens its own connection, so each one meets the missing file.
    env.update(NEWSROOM_PAGE_CACHE="false", DJANGO_CONN_MAX_AGE="0")
    with gunicorn(env, tmp_path) as server:
        assert fetch(server.url, path).status == 200

        # Fragments cached before it would still serve this page: a save
        # elsewhere retires them (the generation beside the SQLite file).
        Path(f"{database}.generation").write_text("a-save-made-elsewhere-0.0")
        away = database.rename(tmp_path / "moved-away.sqlite3")
        for page in ("/", path, "/category/news/"):
            assert_friendly_503(fetch(server.url, page))
        assert not database.exists()

        away.rename(database)
        response = fetch(server.url, path)
        assert response.status == 200, response.body[:300]
        assert b"Still here after the outage" in response.body


def test_a_page_cached_before_the_outage_is_served_stale_and_others_answer_503(
    tmp_path: Path, migrated_database_url: str
):
    database = Path(migrated_database_url.removeprefix("sqlite:///"))
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url, DJANGO_CONN_MAX_AGE="0")
    path = publish(env, "kept-copy", "A copy kept for bad days")
    with gunicorn(env, tmp_path) as server:
        assert fetch(server.url, path).status == 200

        # A save elsewhere retires every fresh page (the generation beside the
        # SQLite file changes), then the database goes away.
        Path(f"{database}.generation").write_text("a-save-made-elsewhere-0.0")
        away = database.rename(tmp_path / "moved-away.sqlite3")
        try:
            stale = fetch(server.url, path)
            assert stale.status == 200, stale.body[:300]
            assert b"A copy kept for bad days" in stale.body
            assert stale.headers["Cache-Control"] == "no-cache"  # no proxy keeps it as fresh
            assert_friendly_503(fetch(server.url, "/author/nobody-cached-this/"))
        finally:
            away.rename(database)


def test_postgresql_stopped_gives_503_and_pages_come_back_when_it_restarts(tmp_path: Path):
    with postgres_cluster() as postgres:
        env = production_env(tmp_path, DATABASE_URL=postgres.url, NEWSROOM_PAGE_CACHE="false")
        # The default connection lifetime (600 s): a broken connection must be
        # dropped, not kept for it.
        with gunicorn(env, tmp_path) as server:
            status, body = readiness(server.url)  # an empty database: not ready
            assert status == 503 and "schema is missing" in body["problems"]["database"], body

            migrated = manage("migrate", "--noinput", env=env, timeout=300)
            assert migrated.returncode == 0, migrated.stdout + migrated.stderr
            path = publish(env, "through-the-restart", "Through the restart")
            assert fetch(server.url, path).status == 200
            assert readiness(server.url)[0] == 200

            postgres.stop()
            # Pages not asked for before (their fragments are not cached yet).
            for page in ("/", "/category/news/"):
                assert_friendly_503(fetch(server.url, page))
            status, body = readiness(server.url)
            assert status == 503, body

            postgres.start()
            # Without restarting gunicorn: the next requests reconnect.
            page = wait_for(server.url, "/", lambda response: response.status == 200)
            assert b"Through the restart" in page.body
            assert readiness(server.url)[0] == 200
