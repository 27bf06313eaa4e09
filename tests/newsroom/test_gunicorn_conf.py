"""gunicorn.conf.py as ops meet it: start-up failures, headers, logs, bad requests."""

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.newsroom.processes import ROOT, fetch, gunicorn, production_env

pytestmark = pytest.mark.process

MISSING_KEY_MESSAGE = "newsroom: DJANGO_SECRET_KEY is not set."


def test_gunicorn_stops_with_one_line_when_the_secret_key_is_missing(tmp_path: Path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY="", DJANGO_DEBUG="false")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert MISSING_KEY_MESSAGE in output
    assert "Traceback" not in output
    # The master stopped before binding or booting a worker.
    assert "Booting worker" not in output
    assert [line for line in output.splitlines() if line.strip()] == [
        line for line in output.splitlines() if line.startswith("newsroom:")
    ]


def test_gunicorn_server_header_names_no_versions(tmp_path: Path, migrated_database_url: str):
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    with gunicorn(env, tmp_path) as server:
        for path in ["/healthz", "/no-such-page/", "/static/no-such-file.css"]:
            server_header = fetch(server.url, path).headers["Server"]
            assert not re.search(r"\d", server_header), server_header
            assert not re.search(r"python|django|wsgi", server_header, re.IGNORECASE)


def test_gunicorn_access_log_has_one_line_with_method_path_status_and_duration(
    tmp_path: Path, migrated_database_url: str
):
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    with gunicorn(env, tmp_path) as server:
        fetch(server.url, "/healthz?from=test")
        fetch(server.url, "/no-such-page/")
    log = server.output()
    assert re.search(r'"GET /healthz\?from=test HTTP/1\.1" 200 \d+B \d+ms', log), log
    assert re.search(r'"GET /no-such-page/ HTTP/1\.1" 404 \d+B \d+ms', log), log


def _raw_request(base_url: str, request: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_forged_host_header_gets_400_and_one_log_line_without_a_traceback(
    tmp_path: Path, migrated_database_url: str
):
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    with gunicorn(env, tmp_path) as server:
        reply = _raw_request(
            server.url,
            b"GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        )
        assert reply.startswith(b"HTTP/1.1 400 ")
        assert b"Traceback" not in reply
    log = server.output()
    assert "Traceback" not in log
    assert len([line for line in log.splitlines() if "Invalid HTTP_HOST header" in line]) == 1


def test_a_malformed_request_line_gets_400_not_a_crash(tmp_path: Path):
    with gunicorn(production_env(tmp_path), tmp_path) as server:
        reply = _raw_request(server.url, b"\x00\xff NOT HTTP AT ALL\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 400 ")
        assert fetch(server.url, "/healthz").status == 200  # the worker lives on
    assert "Traceback" not in server.output()


def test_gunicorn_writes_nothing_into_the_home_directory(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    with gunicorn(production_env(tmp_path, HOME=str(home)), tmp_path) as server:
        assert fetch(server.url, "/healthz").status == 200
    assert list(home.iterdir()) == []


def test_a_reload_picks_up_a_changed_env_file(tmp_path: Path, migrated_database_url: str):
    # `systemctl reload` sends HUP: new workers must read the env file afresh,
    # not inherit the settings the master read at start-up.
    env_file = tmp_path / "newsroom.env"
    env_file.write_text("DJANGO_ALLOWED_HOSTS=127.0.0.1\n")
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url)
    env["NEWSROOM_ENV_FILE"] = str(env_file)
    with gunicorn(env, tmp_path) as server:
        assert fetch(server.url, "/healthz", headers={"Host": "news.example"}).status == 400

        env_file.write_text("DJANGO_ALLOWED_HOSTS=127.0.0.1,news.example\n")
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60  # new workers import Django: slow on a busy machine
        while time.monotonic() < deadline:
            if fetch(server.url, "/healthz", headers={"Host": "news.example"}).status == 200:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the reload kept the old settings\n{server.output()}")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "sync"),
        # gunicorn would quietly run gthread for a sync worker with threads > 1.
        ({"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_THREADS": "4"}, "sync"),
        ({"GUNICORN_WORKER_CLASS": "gthread"}, "gthread"),
    ],
)
def test_the_worker_class_is_the_one_configured(
    tmp_path: Path, migrated_database_url: str, environment: dict, expected: str
):
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url, **environment)
    with gunicorn(env, tmp_path) as server:
        fetch(server.url, "/healthz")
    workers = re.findall(r"Using worker: (\w+)", server.output())
    assert workers == [expected], server.output()
