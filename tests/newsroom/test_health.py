"""/healthz and /readyz, in process and against real gunicorn, PostgreSQL-shaped and Redis ports.

The failure tests use closed ports, silent listeners and a Redis that is
stopped mid-test: what a probe meets in production, not a patched function.
"""

import json
from pathlib import Path

import pytest
from django.test import Client

from tests.newsroom.processes import (
    closed_port,
    fetch,
    gunicorn,
    production_env,
    redis_server,
    silent_listener,
    stop,
)

# /readyz promises an answer within 3 s; a probe with a 3 s timeout must never see a hang.
# The view gives its checks 2 s (READY_TIMEOUT), leaving a second for the request
# around them, which holds with both cores busy: gunicorn() hands over a booted
# worker, so a worker's boot (seconds on a loaded machine) is not counted here.
PROBE_BUDGET = 3.0


def test_healthz_answers_without_touching_the_database(client: Client):
    # No django_db mark: pytest-django makes any database access here an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_never_cached(client: Client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_readyz_is_ok_when_database_and_cache_answer(client: Client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": ["database", "cache"]}


@pytest.mark.parametrize(
    "query",
    [
        "?%ff%fe=%00%c0%af",
        "?<script>alert(1)</script>=1",
        "?" + "a=b&" * 2000,
        "?q=" + "x" * 8000,
        "?%",
        "?=&=&&",
    ],
)
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.django_db(transaction=True)
def test_health_endpoints_ignore_hostile_query_strings(client: Client, path: str, query: str):
    response = client.get(path + query)
    assert response.status_code == 200
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    "host",
    ["evil.example", "127.0.0.1:8000@evil.example", "bad host", "[::1", "localhost:notaport", ""],
)
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.django_db  # the friendly 400 page shares base.html with the site
def test_health_endpoints_answer_400_not_500_to_a_bad_host_header(
    client: Client, path: str, host: str
):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 400
    assert b"Traceback" not in response.content


def test_healthz_answers_head_for_load_balancers(client: Client):
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_refuse_other_methods_with_405(client: Client, path: str, method: str):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def _assert_not_ready_in_time(base_url: str, *failing_checks: str) -> dict:
    response = fetch(base_url, "/readyz", timeout=PROBE_BUDGET + 2)
    assert response.seconds < PROBE_BUDGET, f"/readyz took {response.seconds:.2f} s"
    assert response.status == 503, response.body
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(response.body)
    assert body["status"] == "unavailable"
    assert sorted(body["problems"]) == sorted(failing_checks)
    assert all(body["problems"].values())  # a reason, not just a name
    return body


@pytest.mark.process
def test_readyz_answers_503_within_3_seconds_when_the_database_port_is_closed(tmp_path: Path):
    env = production_env(
        tmp_path, DATABASE_URL=f"postgres://newsroom@127.0.0.1:{closed_port()}/newsroom"
    )
    with gunicorn(env, tmp_path) as server:
        assert fetch(server.url, "/healthz").status == 200  # the process itself is fine
        body = _assert_not_ready_in_time(server.url, "database")
        assert "OperationalError" in body["problems"]["database"]
        # Probes keep answering: a failed check leaves nothing stuck behind.
        _assert_not_ready_in_time(server.url, "database")
        assert "Traceback" not in server.output()


@pytest.mark.process
def test_readyz_answers_503_within_3_seconds_when_the_database_accepts_but_never_answers(
    tmp_path: Path,
):
    with silent_listener() as port:
        env = production_env(tmp_path, DATABASE_URL=f"postgres://newsroom@127.0.0.1:{port}/news")
        with gunicorn(env, tmp_path) as server:
            _assert_not_ready_in_time(server.url, "database")


@pytest.mark.process
def test_readyz_answers_503_within_3_seconds_when_the_cache_port_is_closed(
    tmp_path: Path, migrated_database_url: str
):
    # A migrated database: /readyz checks the schema is there.
    env = production_env(
        tmp_path,
        DATABASE_URL=migrated_database_url,
        CACHE_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )
    with gunicorn(env, tmp_path) as server:
        _assert_not_ready_in_time(server.url, "cache")
        _assert_not_ready_in_time(server.url, "cache")


@pytest.mark.process
def test_readyz_answers_503_within_3_seconds_when_redis_accepts_but_never_answers(
    tmp_path: Path, migrated_database_url: str
):
    with silent_listener() as port:
        env = production_env(
            tmp_path, DATABASE_URL=migrated_database_url, REDIS_URL=f"redis://127.0.0.1:{port}/0"
        )
        with gunicorn(env, tmp_path) as server:
            _assert_not_ready_in_time(server.url, "cache")


@pytest.mark.process
def test_readyz_turns_503_within_3_seconds_once_redis_stops_and_pages_keep_working(
    tmp_path: Path, migrated_database_url: str
):
    with redis_server(tmp_path) as (redis_url, redis_process):
        env = production_env(tmp_path, DATABASE_URL=migrated_database_url, REDIS_URL=redis_url)
        with gunicorn(env, tmp_path) as server:
            ready = fetch(server.url, "/readyz")
            assert ready.status == 200, ready.body

            stop(redis_process)
            _assert_not_ready_in_time(server.url, "cache")
            # A dead cache is a miss, not an outage, for everything else.
            assert fetch(server.url, "/healthz").status == 200
            assert fetch(server.url, "/no-such-page/").status == 404


@pytest.mark.process
def test_readyz_answers_503_within_3_seconds_when_database_and_cache_both_hang(tmp_path: Path):
    # The time budget is for all checks together, not for each one in turn.
    with silent_listener() as db_port, silent_listener() as cache_port:
        env = production_env(
            tmp_path,
            DATABASE_URL=f"postgres://newsroom@127.0.0.1:{db_port}/newsroom",
            CACHE_URL=f"redis://127.0.0.1:{cache_port}/0",
        )
        with gunicorn(env, tmp_path) as server:
            _assert_not_ready_in_time(server.url, "database", "cache")
