"""Search latency in-process at several archive sizes (issue #14).

For each size (1k and 100k articles by default) the data grows with
``manage.py generate_articles`` (which indexes what it adds), then a fresh
Python process times each query N times on the configured database:

* *search()*: ``articles.search.search()`` counted and its first page of 12
  hits loaded with their cards and snippets, as the view does;
* *page*: the whole ``/search/`` response through Django's test client and
  every middleware, with the page cache off (``NEWSROOM_PAGE_CACHE=false``).

It prints one Markdown table per size and one comparing p95 at the largest
size with the smallest. The target is p95 under 50 ms at 100k and the 100k
figure within 3x of the 1k figure.

    .venv/bin/python bench/search.py                        # SQLite, 1k and 100k
    .venv/bin/python bench/search.py --sizes 1000 --repeat 20
    .venv/bin/python bench/search.py --as-is --database-url sqlite:////tmp/big.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:15432/bench .venv/bin/python bench/search.py

The database is a throwaway SQLite file unless ``DATABASE_URL`` (or
``--database-url``) names an **empty, throwaway** database. Not run by CI.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, query string): one rare word, one in nearly every article, and the
# shapes readers type. Words come from generate_articles' lists.
QUERIES = [
    ("rare word", {"q": "quillwort"}),
    ("common word", {"q": "council"}),
    ("two common words", {"q": "council budget"}),
    ("phrase", {"q": '"night buses"'}),
    ("hyphenated", {"q": "twelve-city"}),
    ("author surname", {"q": "Ferreira"}),
    ("tag", {"q": "jazz"}),
    ("no match", {"q": "zyzzyva"}),
    ("common, section", {"q": "council", "category": "music"}),
    ("common, one year", {"q": "council", "from": "2025-01-01", "to": "2025-12-31"}),
    ("hostile", {"q": '"AND ( NEAR * -'}),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(repeat: int) -> dict:
    """Run inside Django: time every query, return {label: figures}."""
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.test import Client

    from articles import search
    from articles.listing import cards
    from articles.models import Article, Category

    client = Client()
    backend_cpu = database_cpu_clock()
    figures = {}
    for label, params in QUERIES:
        in_search, in_page, cpu, hits, total = [], [], [], 0, 0
        for _ in range(repeat + 2):  # two warm-ups, not counted
            cpu_started = time.process_time() + backend_cpu()
            started = time.perf_counter()
            results = search.search(
                params["q"],
                category=Category.objects.filter(slug=params.get("category", "")).first(),
                date_from=datetime.date.fromisoformat(params["from"]) if "from" in params else None,
                date_to=datetime.date.fromisoformat(params["to"]) if "to" in params else None,
                cards=cards,
            )
            results.want(0, 12)  # as the view does: the count comes with page 1
            page = Paginator(results, 12).page(1) if results.query else None
            hits = len(list(page.object_list)) if page else 0
            total = results.count()
            in_search.append(time.perf_counter() - started)
            cpu.append(time.process_time() + backend_cpu() - cpu_started)
            started = time.perf_counter()
            response = client.get("/search/", params)
            in_page.append(time.perf_counter() - started)
            assert response.status_code == 200, (label, response.status_code)
        in_search, in_page, cpu = in_search[2:], in_page[2:], cpu[2:]
        figures[label] = {
            "found": total,
            "more": results.more,
            "hits": hits,
            "search_p50": statistics.median(in_search) * 1000,
            "search_p95": percentile(in_search, 0.95) * 1000,
            "page_p50": statistics.median(in_page) * 1000,
            "page_p95": percentile(in_page, 0.95) * 1000,
            "cpu_p50": statistics.median(cpu) * 1000,
            "cpu_p95": percentile(cpu, 0.95) * 1000,
        }
    figures["_articles"] = Article.objects.count()
    figures["_published"] = Article.objects.published().count()
    return figures


def database_cpu_clock():
    """A function giving the CPU seconds this connection's PostgreSQL backend
    has used (``/proc/<pid>/schedstat``, nanoseconds), or 0 on SQLite (which
    runs in this process) or a server elsewhere. On a busy shared machine the
    CPU a query costs is steadier than its wall time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    if not stat.exists():
        return lambda: 0.0
    return lambda: int(stat.read_text().split()[0]) / 1e9


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        NEWSROOM_PAGE_CACHE="false",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.pop("CACHE_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def table(size: int, figures: dict) -> str:
    lines = [
        f"### {size:,} articles ({figures['_published']:,} published)",
        "",
        "| query | found | search() p50 ms | search() p95 ms | page p50 ms | page p95 ms "
        "| search() CPU p50 ms | search() CPU p95 ms |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, _params in QUERIES:
        f = figures[label]
        count = f"{f['found']:,}" + ("+" if f["more"] else "")
        lines.append(
            f"| {label} | {count} | {f['search_p50']:.1f} | {f['search_p95']:.1f} "
            f"| {f['page_p50']:.1f} | {f['page_p95']:.1f} "
            f"| {f['cpu_p50']:.1f} | {f['cpu_p95']:.1f} |"
        )
    return "\n".join(lines)


def comparison(small: int, large: int, runs: dict) -> str:
    lines = [
        f"### p95 at {large:,} against {small:,}",
        "",
        f"| query | search() p95 @{small:,} | @{large:,} | ratio | page p95 @{small:,} "
        f"| @{large:,} | ratio | CPU p50 @{small:,} | @{large:,} | ratio |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, _params in QUERIES:
        a, b = runs[small][label], runs[large][label]
        lines.append(
            f"| {label} | {a['search_p95']:.1f} | {b['search_p95']:.1f} "
            f"| {b['search_p95'] / a['search_p95']:.2f}x | {a['page_p95']:.1f} "
            f"| {b['page_p95']:.1f} | {b['page_p95'] / a['page_p95']:.2f}x "
            f"| {a['cpu_p50']:.1f} | {b['cpu_p50']:.1f} "
            f"| {b['cpu_p50'] / max(a['cpu_p50'], 1e-6):.2f}x |"
        )
    return "\n".join(lines)


def run_measure(env: dict[str, str], repeat: int) -> str:
    """``measure()`` in a fresh process; its JSON line."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure", "--repeat", str(repeat)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="Comma-separated sizes.")
    parser.add_argument("--repeat", type=int, default=50, help="Timed runs per query.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="Add no articles: time the database given by --database-url as it stands.",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.repeat)))
        return
    if args.as_is:
        if not args.database_url:
            parser.error("--as-is needs --database-url (or DATABASE_URL)")
        figures = json.loads(run_measure(environment(args.database_url), args.repeat))
        print(table(figures["_articles"], figures))
        return
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    with tempfile.TemporaryDirectory(prefix="newsroom-search-bench-") as folder:
        database_url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        env = environment(database_url)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        runs, have = {}, 0
        vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"Search benchmark on {vendor}, {args.repeat} runs per query.\n")
        for step, size in enumerate(sizes):
            started = time.monotonic()
            manage(env, "generate_articles", str(size - have), "--seed", str(args.seed + step))
            generated = time.monotonic() - started
            have = size
            runs[size] = json.loads(run_measure(env, args.repeat))
            print(table(size, runs[size]), flush=True)
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            print(f"\nGenerated and indexed in {generated:.1f} s; load average {load}.\n")
        if len(sizes) > 1:
            print(comparison(sizes[0], sizes[-1], runs))


if __name__ == "__main__":
    main()
