"""gunicorn's reload signal under load: `systemctl reload` (HUP) drops no request.

A stream of requests from several client threads runs while the master
gets SIGHUP; the test waits until every worker has been replaced and the new
ones have served, then counts failures. Killing a worker outright (SIGKILL)
does lose its in-flight request; that is measured, not tested, by
bench/faults.py (figures in docs/operations.md).
"""

import http.client
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.newsroom.processes import fetch, gunicorn, production_env, publish

pytestmark = pytest.mark.process

CLIENTS = 4


def worker_pids(master: int) -> set[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return set()
    return {int(pid) for pid in children.split()}


class RequestStream:
    """Client threads asking for a mix of pages, one new connection each time."""

    def __init__(self, base_url: str, paths: list[str]) -> None:
        self.base_url, self.paths = base_url, paths
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.served = 0
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(CLIENTS)]

    def run(self, offset: int) -> None:
        n = offset
        while not self.stopping.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            try:
                status = fetch(self.base_url, path, timeout=30).status
                failure = None if status in (200, 404) else f"{path}: {status}"
            except (OSError, http.client.HTTPException) as exc:
                failure = f"{path}: {type(exc).__name__}: {exc}"
            with self.lock:
                self.served += 1
                if failure:
                    self.failures.append(failure)

    def wait_for(self, count: int, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while self.served < count:
            assert time.monotonic() < deadline, f"only {self.served} requests in {seconds} s"
            time.sleep(0.02)

    def __enter__(self) -> "RequestStream":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_sighup_replaces_every_worker_under_load_without_dropping_a_request(
    tmp_path: Path, migrated_database_url: str
):
    env = production_env(tmp_path, DATABASE_URL=migrated_database_url, WEB_CONCURRENCY="2")
    article = publish(env, "through-the-reload", "Through the reload")
    paths = ["/", article, "/feed/", "/search/?q=reload", "/healthz", "/no-such-page/"]
    with gunicorn(env, tmp_path) as server:
        master = server.process.pid
        deadline = time.monotonic() + 60
        while len(worker_pids(master)) < 2:
            assert time.monotonic() < deadline, "two workers did not start"
            time.sleep(0.05)
        assert fetch(server.url, article).status == 200
        old = worker_pids(master)

        with RequestStream(server.url, paths) as stream:
            stream.wait_for(100)
            os.kill(master, signal.SIGHUP)
            deadline = time.monotonic() + 120
            while True:
                current = worker_pids(master)
                if len(current) == 2 and not current & old:
                    break
                assert time.monotonic() < deadline, f"workers {old} still there: {current}"
                time.sleep(0.05)
            # The new workers serve a good many requests before the count.
            stream.wait_for(stream.served + 200)

        assert stream.failures == [], stream.failures[:10]
        assert "Handling signal: hup" in server.output()
        assert fetch(server.url, article).status == 200
