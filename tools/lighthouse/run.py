"""Lighthouse scores of the reader pages, written to docs/quality/lighthouse.md.

``make lighthouse`` runs this. It builds a throwaway site from nothing but
the demo content (a temporary SQLite database, production-like settings:
DEBUG off, a random secret key, collected static files), serves it with
gunicorn from gunicorn.conf.py on 127.0.0.1, and runs Lighthouse 12.2.3
(tools/lighthouse/package.json, installed apart from the test tools so CI
never fetches it) against the home page, the seed-shaped article (the demo's
tour announcement, with its Instagram posts) and a category page, in its
mobile and desktop presets. Needs Chromium (CHROME_PATH, /usr/bin/chromium
by default). Not run by CI: a page takes about 15 seconds.

Lighthouse 12.2.3 cannot read some of the newer Chromium's trace events and
reports a few audits as errors; the four category scores are still computed
and are what the report shows (with the errored audits listed under it).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
REPORT = ROOT / "docs" / "quality" / "lighthouse.md"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = [
    ("Home", "/"),
    ("Article (seed-shaped, with embeds)", "/2022/05/03/the-lanterns-announce-tour/"),
    ("Category", "/category/news/"),
]
FORM_FACTORS = ["mobile", "desktop"]
METRICS = [
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
    ("speed-index", "SI"),
]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync"


def fail(message: str) -> None:
    print(f"lighthouse: {message}", file=sys.stderr)
    raise SystemExit(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(folder: Path, port: int) -> dict[str, str]:
    empty = folder / "empty.env"
    empty.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("REDIS_URL", None)
    env.update(
        NEWSROOM_ENV_FILE=str(empty),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        DJANGO_SERVE_MEDIA="true",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        SITE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict[str, str], *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        fail(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")


def wait_until_served(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"gunicorn exited:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    fail(f"gunicorn did not answer {url} within 60 s")


# Attempts per audit when Lighthouse fails to record the trace.
TRIES = 3


def audit(
    url: str, form_factor: str, folder: Path, run: int
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    output = folder / f"lh-{form_factor}-{abs(hash(url))}-{run}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={output}",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for _attempt in range(TRIES):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        # Lighthouse 12 sometimes cannot read this Chromium's trace (NO_NAVSTART,
        # "Something went wrong with recording the trace"): a fresh run succeeds.
        if result.returncode == 0 and output.exists() or "NO_NAVSTART" not in result.stderr:
            break
    if result.returncode or not output.exists():
        fail(f"lighthouse failed on {url} ({form_factor}):\n{result.stderr[-2000:]}")
    report = json.loads(output.read_text())
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    metrics = {
        label: report["audits"].get(audit_id, {}).get("displayValue", "?")
        for audit_id, label in METRICS
    }
    errored = sorted(
        audit_id
        for audit_id, result in report["audits"].items()
        if result.get("scoreDisplayMode") == "error"
    )
    return scores, metrics, errored


def median_run(url: str, form_factor: str, folder: Path, runs: int):
    """Each category's median score over ``runs`` runs (Lighthouse's own advice
    for noisy machines), with the metrics of the run closest to that median."""
    results = [audit(url, form_factor, folder, run) for run in range(runs)]
    scores = {
        name: round(statistics.median(result[0][name] for result in results)) for name in CATEGORIES
    }
    closest = min(results, key=lambda result: abs(result[0]["performance"] - scores["performance"]))
    errored = sorted({audit_id for result in results for audit_id in result[2]})
    return scores, closest[1], errored


def load_average() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def commit() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    sha = git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{sha} (with uncommitted changes)" if dirty else sha


def lighthouse_version() -> str:
    package = HERE / "node_modules" / "lighthouse" / "package.json"
    return json.loads(package.read_text())["version"]


def chromium_version() -> str:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    result = subprocess.run([chrome, "--version"], capture_output=True, text=True)
    found = re.search(r"[\d.]+", result.stdout)
    return found[0] if found else "?"


def write_report(rows: list, errored: set[str], runs: int, loads: tuple[str, str]) -> None:
    lines = [
        "# Lighthouse scores",
        "",
        "Written by `make lighthouse` (tools/lighthouse/run.py); not run by CI.",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Commit: {commit()}",
        f"- Lighthouse {lighthouse_version()}, Chromium {chromium_version()}, headless",
        "- Site: the demo content (`manage.py load_demo`) in a fresh SQLite database, "
        "served by gunicorn (gunicorn.conf.py, 2 workers) on 127.0.0.1 with DEBUG off",
        f"- Runs per page and form factor: {runs} (median score per category)",
        f"- Load average (1/5/15 min) at the start: {loads[0]}; at the end: {loads[1]} "
        f"on {os.cpu_count()} cores. Lighthouse's performance score is sensitive to a "
        "busy machine; the other three categories are not.",
        "",
        "| Page | Path | Form factor | Performance | Accessibility | Best practices | SEO "
        "| " + " | ".join(label for _, label in METRICS) + " |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |" + " ---: |" * len(METRICS),
    ]
    for name, path, form_factor, scores, metrics in rows:
        cells = " | ".join(str(scores[category]) for category in CATEGORIES)
        values = " | ".join(metrics[label] for _, label in METRICS)
        lines.append(f"| {name} | `{path}` | {form_factor} | {cells} | {values} |")
    lines += [
        "",
        "The search page is left out on purpose: it is `noindex`, which Lighthouse's SEO "
        "category counts against it.",
    ]
    if errored:
        lines += [
            "",
            "Audits Lighthouse reported as errors (it cannot read this Chromium's newer trace "
            "format); the category scores are computed without them: "
            + ", ".join(f"`{audit_id}`" for audit_id in sorted(errored))
            + ".",
        ]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")


def main() -> None:
    runs = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))
    start_load = load_average()
    if not LIGHTHOUSE.exists():
        fail("tools/lighthouse/node_modules is missing: run `make lighthouse`, which installs it")
    with tempfile.TemporaryDirectory(prefix="newsroom-lighthouse-") as name:
        folder = Path(name)
        port = free_port()
        env = site_env(folder, port)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        log = folder / "gunicorn.log"
        with open(log, "ab") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            rows = []
            errored: set[str] = set()
            for name, path in PAGES:
                wait_until_served(base + path, server, log)
                for form_factor in FORM_FACTORS:
                    scores, metrics, failed = median_run(base + path, form_factor, folder, runs)
                    errored.update(failed)
                    rows.append((name, path, form_factor, scores, metrics))
                    print(f"{path} {form_factor}: {scores} {metrics}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    write_report(rows, errored, runs, (start_load, load_average()))
    print(f"Wrote {REPORT.relative_to(ROOT)}")
    below = [row for row in rows if min(row[3].values()) < 100]
    if below:
        fail(f"{len(below)} page(s) below 100 in a category; see {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
