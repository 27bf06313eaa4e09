"""Which gunicorn worker class should newsroom default to? Measure, don't guess.

Starts gunicorn with gunicorn.conf.py twice per round, once with ``sync`` and
once with ``gthread`` (threads and keep-alive from gunicorn.conf.py), on the
same number of workers, and drives each with ``wrk --latency``. Rounds
alternate between the two so background load on a shared machine hits both
alike. Prints the median of each figure and the gthread/sync ratio; raw runs
go to bench/results/ (ignored by git).

    .venv/bin/python bench/gunicorn_workers.py                # /healthz and /
    .venv/bin/python bench/gunicorn_workers.py --rounds 5 --path /healthz

Needs ``wrk`` (apt-get install wrk). Not run by CI.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER_CLASSES = ("sync", "gthread")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(folder: Path) -> dict[str, str]:
    """Production-like settings on a private SQLite file; nothing from the developer's .env."""
    empty = folder / "empty.env"
    empty.touch()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "GUNICORN_"))
        and k not in {"DATABASE_URL", "CACHE_URL", "REDIS_URL", "WEB_CONCURRENCY", "PORT"}
    }
    env.update(
        NEWSROOM_ENV_FILE=str(empty),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
    )
    return env


def prepare(env: dict[str, str]) -> None:
    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    result = manage("migrate", "--noinput")
    if result.returncode:
        sys.exit(f"migrate failed:\n{result.stdout}{result.stderr}")
    # Demo content makes "/" a real page; before it exists "/" is the empty home page.
    manage("load_demo", "--if-empty")


def wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("gunicorn did not start within 30 s")


def check_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def parse_wrk(output: str) -> dict[str, float]:
    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not match:
            return float("nan")
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(rps[1]) if rps else 0.0,
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "non_2xx": float(non_2xx[1]) if non_2xx else 0.0,
        "socket_errors": errors[1] if errors else "",
    }


def run_once(env: dict[str, str], worker_class: str, args: argparse.Namespace) -> dict:
    port = free_port()
    server_env = {
        **env,
        "GUNICORN_WORKER_CLASS": worker_class,
        "WEB_CONCURRENCY": str(args.workers),
        "PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
        cwd=ROOT,
        env=server_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # the access log stays on, as in production
        stderr=subprocess.STDOUT,
    )
    results = {}
    try:
        wait_for(port, process)
        for path in args.path:
            url = f"http://127.0.0.1:{port}{path}"
            status = check_status(url)
            if status != 200:
                sys.exit(f"{url} answered {status}; benchmark only pages that work")
            # Warm up: import every module, open the database, fill template caches.
            subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], capture_output=True, check=True)
            wrk = subprocess.run(
                ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
                + ["--latency", url],
                capture_output=True,
                text=True,
            )
            if wrk.returncode:
                sys.exit(f"wrk failed on {url} ({worker_class}):\n{wrk.stdout}{wrk.stderr}")
            results[path] = parse_wrk(wrk.stdout)
    finally:
        process.terminate()
        process.wait(timeout=40)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--path", action="append", help="repeatable; default /healthz and /")
    args = parser.parse_args()
    args.path = args.path or ["/healthz", "/"]
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    runs: dict[str, list[dict]] = {wc: [] for wc in WORKER_CLASSES}
    with tempfile.TemporaryDirectory() as tmp:
        env = base_env(Path(tmp))
        prepare(env)
        for round_number in range(1, args.rounds + 1):
            order = WORKER_CLASSES if round_number % 2 else WORKER_CLASSES[::-1]
            for worker_class in order:
                result = run_once(env, worker_class, args)
                runs[worker_class].append(result)
                figures = ", ".join(f"{p} {r['rps']:.0f} req/s" for p, r in result.items())
                print(f"round {round_number} {worker_class:7} {figures}", flush=True)

    print(
        f"\n{args.workers} workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s --latency, median of {args.rounds} rounds"
    )
    print(f"{'path':12} {'worker':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    summary: dict[str, dict] = {}
    for path in args.path:
        for worker_class in WORKER_CLASSES:
            rows = [run[path] for run in runs[worker_class]]
            median = {
                key: statistics.median(row[key] for row in rows)
                for key in ("rps", "p50_ms", "p99_ms", "non_2xx")
            }
            summary.setdefault(path, {})[worker_class] = median
            print(
                f"{path:12} {worker_class:8} {median['rps']:8.0f} {median['p50_ms']:8.2f} "
                f"{median['p99_ms']:8.2f} {median['non_2xx']:8.0f}"
            )
        ratio = summary[path]["gthread"]["rps"] / max(summary[path]["sync"]["rps"], 1e-9)
        summary[path]["gthread_over_sync"] = ratio
        print(f"{path:12} gthread/sync throughput ratio: {ratio:.2f}")

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    out = results_dir / f"gunicorn_workers-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({"args": vars(args), "runs": runs, "summary": summary}, indent=2))
    print(f"\nRaw runs: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
