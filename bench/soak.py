"""Load, soak and fault runs against gunicorn (issue #10). Not run by CI.

Three runs, each against gunicorn.conf.py with production-like settings
(bench/run.py's environment: DEBUG off, a random secret, collected static
files, 2 workers) on a throwaway SQLite database filled by
``generate_articles`` (or ``DATABASE_URL``/``REDIS_URL``):

``mix``
    wrk with 64 connections for 60 s over a mix of reader pages (home,
    article, category, tag, month, search, feed, sitemap, health).
    Expected: zero non-2xx and zero socket errors.
``memory``
    5 minutes of the same mix with a low ``max_requests`` so workers recycle,
    sampling every worker's RSS from /proc. Expected: the mean worker RSS of
    the last minute within 10 % of the first minute's.
``sigkill``
    The mix under wrk; a few seconds in, one worker is killed with SIGKILL.
    Reports wrk's errors against the same run without the kill, when the
    master had a replacement, and when the replacement served its first
    request (from the access log, which names the worker's pid).

    .venv/bin/python bench/soak.py                       # all three, ~8 minutes
    .venv/bin/python bench/soak.py --runs mix --duration 10   # a smoke run

Figures go to standard output (and docs/operations.md by hand). Needs wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402 - after the path is set
    ROOT,
    base_env,
    discover,
    fail,
    free_port,
    manage,
    status_of,
    worker_pids,
)

MIX_LUA = ROOT / "bench" / "mix.lua"
MIX = ["article", "home", "category", "tag", "month", "search-rare", "feed", "sitemap"]


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Gunicorn:
    """gunicorn.conf.py with an access log naming each worker's pid."""

    def __init__(self, env: dict[str, str], folder: Path, label: str, **overrides: str) -> None:
        self.port = free_port()
        self.access = folder / f"access-{label}.log"
        self.log = folder / f"gunicorn-{label}.log"
        server_env = {
            **env,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_WORKER_CLASS": "sync",
            "GUNICORN_THREADS": "1",
            **overrides,
        }
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        command += ["--access-logfile", str(self.access), "--access-logformat", "%(p)s %(s)s"]
        command += ["--error-logfile", str(self.log), "newsroom.wsgi"]
        with open(folder / f"django-{label}.log", "ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while len(worker_pids(self.process.pid)) < 2 or status_of(self.url("/healthz")) != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                fail(f"gunicorn did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk(server: Gunicorn, paths: list[str], connections: int, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(MIX_LUA), server.url("/")]
    env = {**os.environ, "BENCH_PATHS": " ".join(paths)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 120)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode or line is None:
        fail(f"wrk failed:\n{result.stdout}{result.stderr}")
    data = json.loads(line.removeprefix("BENCH "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["socket_errors"] = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return data


def describe(data: dict) -> str:
    return (
        f"{data['requests']} requests, {data['rps']:.0f} req/s, "
        f"p50 {data['p50_us'] / 1000:.1f} ms, "
        f"p99 {data['p99_us'] / 1000:.1f} ms, non-2xx {data['status']}, socket errors "
        f"{data['socket_errors']} (connect {data['connect']}, read {data['read']}, "
        f"write {data['write']}, timeout {data['timeout']})"
    )


def run_mix(env: dict, folder: Path, paths: list[str], args: argparse.Namespace) -> dict:
    server = Gunicorn(env, folder, "mix")
    try:
        wrk(server, paths, args.connections, 5)  # warm-up: fill the caches
        data = wrk(server, paths, args.connections, args.duration)
    finally:
        server.stop()
    errors = len(re.findall(r" ERROR ", (folder / "django-mix.log").read_text(errors="replace")))
    print(f"mix: wrk -t2 -c{args.connections} -d{args.duration}s: {describe(data)}; "
          f"Django ERROR lines {errors}", flush=True)  # fmt: skip
    data["django_errors"] = errors
    return data


def run_memory(env: dict, folder: Path, paths: list[str], args: argparse.Namespace) -> dict:
    server = Gunicorn(
        env,
        folder,
        "memory",
        GUNICORN_MAX_REQUESTS=str(args.max_requests),
        GUNICORN_MAX_REQUESTS_JITTER=str(args.max_requests // 10),
        NEWSROOM_PAGE_CACHE="false",  # every request runs the views
    )
    samples: list[tuple[float, list[int]]] = []
    pids: set[int] = set()
    stopping = threading.Event()

    def sample() -> None:
        started = time.monotonic()
        while not stopping.wait(2):
            workers = worker_pids(server.process.pid)
            pids.update(workers)
            sizes = [size for pid in workers if (size := rss_kib(pid))]
            if sizes:
                samples.append((time.monotonic() - started, sizes))

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        wrk(server, paths, 16, 5)
        sampler.start()
        data = wrk(server, paths, 16, args.memory_duration)
    finally:
        stopping.set()
        sampler.join()
        server.stop()
    minutes: dict[int, list[float]] = {}
    for elapsed, sizes in samples:
        minutes.setdefault(int(elapsed // 60), []).append(statistics.mean(sizes) / 1024)
    means = {minute: statistics.mean(values) for minute, values in sorted(minutes.items())}
    first, last = means[min(means)], means[max(means)]
    peak = max(max(sizes) for _, sizes in samples) / 1024
    change = (last - first) / first * 100
    print(
        f"memory: {args.memory_duration} s, max_requests {args.max_requests} "
        f"(jitter {args.max_requests // 10}), page cache off, wrk -c16: {describe(data)}",
        flush=True,
    )
    print(
        "   mean worker RSS per minute (MiB): "
        + ", ".join(f"{minute + 1}: {mib:.1f}" for minute, mib in means.items())
        + f"; peak {peak:.1f}; last vs first minute {change:+.1f} %; worker pids seen {len(pids)}",
        flush=True,
    )
    return {"wrk": data, "per_minute_mib": means, "change_percent": change, "pids": len(pids)}


def kill_workers(server: Gunicorn, args: argparse.Namespace, found: list[dict]) -> None:
    """Every ``kill_after`` seconds, SIGKILL one worker and time its replacement:
    when the master forked it, and when it answered its first request."""
    master = server.process.pid
    for _ in range(args.kills):
        time.sleep(args.kill_after)
        before = set(worker_pids(master))
        offset = server.access.stat().st_size
        os.kill(min(before), signal.SIGKILL)
        killed = time.monotonic()
        record: dict[str, float] = {}
        replacement = None
        while time.monotonic() < killed + 60:
            if replacement is None and (new := set(worker_pids(master)) - before):
                replacement = min(new)
                record["spawned_s"] = time.monotonic() - killed
            if replacement is not None:
                with server.access.open() as log:
                    log.seek(offset)
                    # gunicorn writes the pid as <pid>.
                    if any(line.startswith(f"<{replacement}>") for line in log):
                        record["serving_s"] = time.monotonic() - killed
                        break
            time.sleep(0.01)
        found.append(record)


def run_sigkill(env: dict, folder: Path, paths: list[str], args: argparse.Namespace) -> dict:
    seconds = int(args.kills * args.kill_after) + 10
    results = {}
    for label, kill in (("baseline", False), ("sigkill", True)):
        server = Gunicorn(env, folder, label)
        found: list[dict] = []
        try:
            wrk(server, paths, 32, 3)
            killer = threading.Thread(target=kill_workers, args=(server, args, found), daemon=True)
            if kill:
                killer.start()
            data = wrk(server, paths, 32, seconds)
            if kill:
                killer.join()
            results[label] = {**data, "kills": found}
        finally:
            server.stop()
        line = f"sigkill ({label}): wrk -t2 -c32 -d{seconds}s: {describe(data)}"
        if kill:
            spawned = [record["spawned_s"] for record in found if "spawned_s" in record]
            serving = [record["serving_s"] for record in found if "serving_s" in record]
            line += (
                f"; {len(found)} workers killed, {args.kill_after:g} s apart; replacement forked "
                f"after {statistics.median(spawned):.2f} s (median), served its first request "
                f"after {statistics.median(serving):.2f} s (median; "
                f"{', '.join(f'{value:.2f}' for value in serving)})"
            )
        print(line, flush=True)
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="mix,memory,sigkill")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=60, help="mix: seconds")
    parser.add_argument("--memory-duration", type=int, default=300)
    parser.add_argument("--max-requests", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=5, help="sigkill: workers killed")
    parser.add_argument("--kill-after", type=float, default=6.0, help="sigkill: seconds apart")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        fail("wrk is not installed: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="newsroom-soak-"))
    print(f"load average {os.getloadavg()[0]:.2f}; preparing {folder}", flush=True)
    try:
        env = base_env(folder, args)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        manage(env, "generate_articles", str(args.articles), "--seed=10", "--verbosity=0")
        facts = discover(env)
        paths = [facts["paths"][name] for name in MIX] + ["/healthz", "/robots.txt"]
        print("paths: " + " ".join(paths), flush=True)
        runs = {"mix": run_mix, "memory": run_memory, "sigkill": run_sigkill}
        for name in args.runs.split(","):
            runs[name](env, folder, paths, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
