"""django-ninja against Django REST framework on the API's article list (#16).

Fills a throwaway SQLite database with ``generate_articles``, starts one
gunicorn from gunicorn.conf.py (production-like, page cache off) with both
the ninja list (/api/v1/articles) and its DRF twin (bench/api_drf.py), and
runs wrk against the constant view and both lists, interleaved; prints
medians and ratios to the constant view. Needs wrk and, for the comparison
only, ``pip install djangorestframework``.

    .venv/bin/python bench/api_libraries.py --sizes 1000 --duration 10 --rounds 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import Server, base_env, manage, run_wrk  # noqa: E402

TARGETS = {
    "constant": "/bench/constant/",
    "ninja": "/api/v1/articles?limit=20",
    "drf": "/bench/drf/articles",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated article counts")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.database_url, args.redis_url = "", ""
    args.workers, args.gunicorn_threads, args.wrk_threads, args.connections = 2, 0, 2, 32
    folder = Path(tempfile.mkdtemp(prefix="newsroom-api-bench-"))
    server = None
    try:
        # No per-client budget: wrk is one client asking as fast as it can.
        env = base_env(folder, args) | {
            "DJANGO_SETTINGS_MODULE": "bench.api_settings",
            "API_RATE_LIMIT": "0",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        have = 0
        for size in [int(s) for s in args.sizes.split(",")]:
            manage(env, "generate_articles", str(size - have), f"--seed={size}")
            have = size
            server = Server("api", "conf", False, folder)
            server.start(env, args, prefix=f"api{size}")
            runs: dict[str, list] = {name: [] for name in TARGETS}
            for target in TARGETS.values():  # warm-up
                run_wrk(f"http://127.0.0.1:{server.port}{target}", args, 2, server.process.pid)
            for _ in range(args.rounds):
                for name, target in TARGETS.items():
                    url = f"http://127.0.0.1:{server.port}{target}"
                    runs[name].append(run_wrk(url, args, args.duration, server.process.pid))
            server.stop()
            server = None
            constant = statistics.median(r.rps for r in runs["constant"])
            print(f"\n{size} articles; wrk -t2 -c32 -d{args.duration}s, median of {args.rounds}")
            print("| endpoint | req/s | × constant | p50 ms | p95 ms | non-2xx |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, done in runs.items():
                rps = statistics.median(r.rps for r in done)
                p50 = statistics.median(r.p50 for r in done)
                p95 = statistics.median(r.p95 for r in done)
                non_2xx = sum(r.non_2xx for r in done)
                print(f"| {name} | {rps:.0f} | {rps / constant:.2f} | {p50:.1f} | {p95:.1f} "
                      f"| {non_2xx} |")  # fmt: skip
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
