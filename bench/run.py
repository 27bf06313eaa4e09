"""Benchmark newsroom's reader pages under gunicorn, at several data sizes.

For each size (1k, 10k, 100k articles by default) the data grows with
``manage.py generate_articles``; then two gunicorn servers start from
gunicorn.conf.py with production-like settings (DEBUG off, a random secret
key, 2 workers): one with the page cache off (``NEWSROOM_PAGE_CACHE=false``)
for every page uncached, one with it on for the cached article. wrk
(``-t2 -c32 -d15s --latency``) drives each page after a warm-up, in rounds
that interleave the pages; figures are medians over the rounds, each page's
throughput is also given as a ratio to a constant Django view served by the
same gunicorn and middleware (bench/urls.py), and the CPU of every gunicorn
worker is sampled from /proc during each run.

    make bench                                              # the full run
    .venv/bin/python bench/run.py --sizes 1000 --duration 3 --rounds 1   # smoke
    .venv/bin/python bench/run.py --worker-class sync,gthread --sizes 1000

The database is a throwaway SQLite file unless ``DATABASE_URL`` (or
``--database-url``) names an empty database to fill; the cache is local
memory unless ``REDIS_URL`` is set. Results go to bench/results/ as
Markdown, and bench/README.md links the latest. Needs wrk. Not run by CI.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench"
RESULTS = HERE / "results"
README = HERE / "README.md"
REPORT_LUA = HERE / "report.lua"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# (name, cached): the page cache is off for every target but "article-cached".
TARGETS = [
    ("constant", False),
    ("article", False),
    ("article-cached", True),
    ("home", False),
    ("home-last", False),
    ("category", False),
    ("category-last", False),
    ("tag", False),
    ("month", False),
    ("search-common", False),
    ("search-rare", False),
    ("feed", False),
    ("sitemap", False),
    ("sitemap-articles", False),
    ("api-articles", False),
]
TARGET_NAMES = [name for name, _ in TARGETS]

# Variables from the developer's shell that would change what is measured.
DROPPED_ENV_PREFIXES = ("DJANGO_", "GUNICORN_", "NEWSROOM_")
DROPPED_ENV = {"DATABASE_URL", "CACHE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "WEB_CONCURRENCY"}
DROPPED_ENV |= {"PORT", "HOST", "SITE_URL"}


def fail(message: str) -> None:
    sys.exit(f"bench: {message}")


# --- Measuring -------------------------------------------------------------


def cpu_ticks(pid: int) -> tuple[int, int] | None:
    """(utime + stime, cutime + cstime) of a process, in clock ticks."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


class CpuSampler(threading.Thread):
    """Samples the CPU time of a gunicorn master's workers while wrk runs.

    Workers that exit (``max_requests``) are not lost: once the master reaps
    them their time moves into its ``cutime``, which is counted too. Besides
    the cores busy in total it records, per interval, the least busy worker,
    which shows one of two workers idling under keep-alive load.
    """

    def __init__(self, master: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.master, self.interval = master, interval
        self.stopping = threading.Event()
        self.idlest: list[float] = []
        self.pids: set[int] = set()

    def snapshot(self) -> tuple[float, int, dict[int, int]]:
        workers = {}
        for pid in worker_pids(self.master):
            ticks = cpu_ticks(pid)
            if ticks is not None:
                workers[pid] = ticks[0]
        master = cpu_ticks(self.master)
        reaped = master[1] if master else 0
        return time.monotonic(), reaped + sum(workers.values()), workers

    def run(self) -> None:
        self.first = previous = self.snapshot()
        self.pids.update(previous[2])
        while not self.stopping.wait(self.interval):
            current = self.snapshot()
            self.pids.update(current[2])
            elapsed = current[0] - previous[0]
            both = current[2].keys() & previous[2].keys()
            if len(both) >= 2 and elapsed > 0:
                busy = [(current[2][p] - previous[2][p]) / CLOCK_TICKS / elapsed for p in both]
                self.idlest.append(min(busy))
            previous = current
        self.last = self.snapshot()

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.join()
        elapsed = self.last[0] - self.first[0]
        cores = (self.last[1] - self.first[1]) / CLOCK_TICKS / elapsed if elapsed > 0 else 0.0
        return {
            "cores": cores,
            "idlest": statistics.mean(self.idlest) if self.idlest else float("nan"),
            "workers_seen": len(self.pids),
        }


def machine_ticks() -> tuple[int, int]:
    """All CPUs' busy and total ticks since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def wait_until_idle(master: int, timeout: float = 60) -> None:
    """Wait for the workers to finish what the last wrk left queued: when wrk
    stops, gunicorn still answers the requests it had accepted, and with a
    slow page that backlog would eat into the next page's run."""
    deadline = time.monotonic() + timeout
    sampler = CpuSampler(master)
    before = sampler.snapshot()
    while time.monotonic() < deadline:
        time.sleep(0.3)
        after = sampler.snapshot()
        if (after[1] - before[1]) / CLOCK_TICKS / (after[0] - before[0]) < 0.05:
            return
        before = after


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    non_2xx: int
    socket_errors: int
    cores: float
    idlest: float
    workers_seen: int
    wrk_cores: float
    machine_cores: float


def run_wrk(url: str, args: argparse.Namespace, duration: int, master: int) -> Run:
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{duration}s"]
    command += ["--latency", "-s", str(REPORT_LUA), url]
    sampler = CpuSampler(master)
    # wrk's own CPU (the only child reaped meanwhile) and the whole machine's,
    # which together show what the workers could have had: wrk shares the box.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = machine_ticks()
    started = time.monotonic()
    sampler.start()
    try:
        wrk = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    finally:
        cpu = sampler.stop()
        elapsed = time.monotonic() - started
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        now = machine_ticks()
        busy, total = now[0] - machine[0], now[1] - machine[1]
        wait_until_idle(master)
    wrk_seconds = (reaped.ru_utime + reaped.ru_stime) - (children.ru_utime + children.ru_stime)
    line = next((x for x in wrk.stdout.splitlines() if x.startswith("BENCH ")), None)
    if wrk.returncode or line is None:
        fail(f"wrk failed on {url}:\n{wrk.stdout}{wrk.stderr}")
    data = json.loads(line.removeprefix("BENCH "))
    return Run(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50=data["p50_us"] / 1000,
        p95=data["p95_us"] / 1000,
        p99=data["p99_us"] / 1000,
        non_2xx=data["status"],
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        cores=cpu["cores"],
        idlest=cpu["idlest"],
        workers_seen=cpu["workers_seen"],
        wrk_cores=wrk_seconds / elapsed,
        machine_cores=(os.cpu_count() or 1) * busy / total if total else float("nan"),
    )


# --- Servers and data ------------------------------------------------------


def free_port() -> int:
    """A free port below the ephemeral range, which wrk's own connections use."""
    for _ in range(100):
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    fail("no free port between 20000 and 32000")
    raise AssertionError  # unreachable


def base_env(folder: Path, args: argparse.Namespace) -> dict[str, str]:
    """Production-like settings from nothing but what the benchmark chooses."""
    empty = folder / "empty.env"
    empty.touch()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(DROPPED_ENV_PREFIXES) and key not in DROPPED_ENV
    }
    env.update(
        NEWSROOM_ENV_FILE=str(empty),
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        DATABASE_URL=args.database_url or f"sqlite:///{folder / 'db.sqlite3'}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def manage(env: dict[str, str], *arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        fail(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def discover(env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.discover"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        fail(f"bench.discover failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Server:
    """One gunicorn from gunicorn.conf.py, page cache on or off."""

    label: str
    worker_class: str  # "conf" leaves gunicorn.conf.py's choice alone
    cached: bool
    folder: Path
    port: int = 0
    process: subprocess.Popen | None = None
    effective_worker: str = "?"
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / f"gunicorn-{self.label}.log"

    def start(self, env: dict[str, str], args: argparse.Namespace, prefix: str) -> None:
        self.port = free_port()
        server_env = {
            **env,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(args.workers),
            "NEWSROOM_PAGE_CACHE": "true" if self.cached else "false",
            "CACHE_KEY_PREFIX": prefix,
            # wrk is one address: the API's per-address budget would answer 429.
            "API_RATE_LIMIT": "0",
        }
        if self.worker_class == "sync":
            # gunicorn turns sync into gthread whenever threads > 1.
            server_env.update(GUNICORN_WORKER_CLASS="sync", GUNICORN_THREADS="1")
        elif self.worker_class == "gthread":
            server_env["GUNICORN_WORKER_CLASS"] = "gthread"
            if args.gunicorn_threads:
                server_env["GUNICORN_THREADS"] = str(args.gunicorn_threads)
        # The access log is formatted and written as in production, to
        # /dev/null; gunicorn's own log and Django's (stdout) go to a file.
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        command += ["--access-logfile", "/dev/null", "--error-logfile", str(self.log)]
        command += ["newsroom.wsgi"]
        with open(self.folder / f"django-{self.label}.log", "ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"gunicorn ({self.label}) exited:\n{self.tail()}")
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            if len(re.findall(r"Booting worker", log)) >= args.workers and self.answers():
                found = re.search(r"Using worker: (\w+)", log)
                self.effective_worker = found[1] if found else "?"
                return
            time.sleep(0.1)
        fail(f"gunicorn ({self.label}) did not start within 60 s:\n{self.tail()}")

    def answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def tail(self, lines: int = 30) -> str:
        django_log = self.folder / f"django-{self.label}.log"
        text = ""
        for path in (self.log, django_log):
            if path.exists():
                text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


# --- Reporting --------------------------------------------------------------


def git(*arguments: str) -> str:
    result = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip()


def machine_facts(database: str, cache: str) -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    versions = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, gunicorn; print(django.__version__, gunicorn.__version__)",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "kernel": platform.release(),
        "Python": platform.python_version(),
        "Django": versions[0] if versions else "?",
        "gunicorn": versions[1] if len(versions) > 1 else "?",
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "?",
        "database": database,
        "cache": cache,
    }


def redact(text: str) -> str:
    """Hide credentials in database and cache URLs: results are committed."""
    return re.sub(r"(\w+://)[^@/\s]+@", r"\1***@", text)


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:,.{digits}f}"  # NaN: no figure


@dataclass
class Summary:
    path: str
    runs: list[Run]

    def median(self, name: str) -> float:
        values = [getattr(run, name) for run in self.runs]
        values = [v for v in values if v == v]
        return statistics.median(values) if values else float("nan")

    def total(self, name: str) -> int:
        return sum(getattr(run, name) for run in self.runs)


def size_table(summaries: dict[tuple[str, str], Summary], classes: list[str]) -> list[str]:
    lines = [
        "| page | worker | req/s | × constant | p50 ms | p95 ms | p99 ms | non-2xx | "
        "socket errors | cores busy | idlest worker | worker pids | wrk cores | machine cores |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for worker in classes:
        constant = summaries.get((worker, "constant"))
        ceiling = constant.median("rps") if constant else float("nan")
        ceiling = ceiling or float("nan")
        for (w, name), summary in summaries.items():
            if w != worker:
                continue
            rps = summary.median("rps")
            lines.append(
                f"| {name} | {worker} | {fmt(rps, 0)} | {fmt(rps / ceiling, 3)} | "
                f"{fmt(summary.median('p50'), 2)} | {fmt(summary.median('p95'), 2)} | "
                f"{fmt(summary.median('p99'), 2)} | {summary.total('non_2xx')} | "
                f"{summary.total('socket_errors')} | {fmt(summary.median('cores'), 2)} | "
                f"{fmt(summary.median('idlest'), 2)} | "
                f"{max(run.workers_seen for run in summary.runs)} | "
                f"{fmt(summary.median('wrk_cores'), 2)} | "
                f"{fmt(summary.median('machine_cores'), 2)} |"
            )
    return lines


def scale_table(results: dict[int, dict], classes: list[str]) -> list[str]:
    sizes = sorted(results)
    lines = [
        "| page | worker | "
        + " | ".join(f"p95 ms @{size:,}" for size in sizes)
        + f" | p95 {sizes[-1]:,}/{sizes[0]:,} |",
        "|---|---|" + "--:|" * (len(sizes) + 1),
    ]
    for worker in classes:
        for name in TARGET_NAMES:
            cells = [results[size]["summaries"].get((worker, name)) for size in sizes]
            if not any(cells):
                continue
            p95 = [c.median("p95") if c else float("nan") for c in cells]
            ratio = p95[-1] / p95[0] if p95[0] == p95[0] and p95[0] else float("nan")
            lines.append(
                f"| {name} | {worker} | "
                + " | ".join(fmt(v, 2) for v in p95)
                + f" | {fmt(ratio, 2)}× |"
            )
    return lines


def write_results(text: str, stamp: datetime.datetime, commit: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    base = f"{stamp:%Y-%m-%d}-{commit}"
    path = RESULTS / f"{base}.md"
    n = 2
    while path.exists():
        path = RESULTS / f"{base}-{n}.md"
        n += 1
    path.write_text(text)
    if README.exists():
        readme = README.read_text()
        link = f"[{path.name}](results/{path.name})"
        updated = re.sub(
            r"(<!-- latest -->).*?(<!-- /latest -->)", rf"\g<1>{link}\g<2>", readme, flags=re.S
        )
        README.write_text(updated)
    return path


# --- Main -------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )

    def int_list(text: str) -> list[int]:
        try:
            values = sorted({int(part.replace("_", "")) for part in text.split(",") if part})
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected numbers like 1000,10000, got {text!r}"
            ) from None
        if not values or values[0] < 1:
            raise argparse.ArgumentTypeError("sizes must be at least 1")
        return values

    def names(allowed: list[str]):
        def parse(text: str) -> list[str]:
            chosen = [part for part in text.split(",") if part]
            unknown = set(chosen) - set(allowed)
            if unknown or not chosen:
                raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
            return chosen

        return parse

    add = parser.add_argument
    add("--sizes", type=int_list, default=[1000, 10000, 100000], help="article counts")
    add("--duration", type=int, default=15, help="seconds of wrk per run (default 15)")
    add("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    add("--warmup", type=int, default=3, help="seconds of wrk per page before round 1")
    add("--connections", type=int, default=32, help="wrk -c (default 32)")
    add("--wrk-threads", type=int, default=2, help="wrk -t (default 2)")
    add("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    add(
        "--worker-class",
        type=names(["conf", "sync", "gthread"]),
        default=["conf"],
        help="comma-separated: conf (as gunicorn.conf.py ships), sync (threads=1), gthread",
    )
    add("--gunicorn-threads", type=int, default=0, help="threads per gthread worker")
    add("--targets", type=names(TARGET_NAMES), default=TARGET_NAMES, help="pages to measure")
    add("--seed", type=int, default=9, help="generate_articles seed")
    add("--batch-size", type=int, default=2000, help="generate_articles batch size")
    add("--database-url", default=os.environ.get("DATABASE_URL", ""), help="an EMPTY database")
    add("--redis-url", default=os.environ.get("REDIS_URL", ""))
    add("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    add("--no-save", action="store_true", help="print only; write nothing to bench/results/")
    args = parser.parse_args()
    if "constant" not in args.targets:
        args.targets = ["constant", *args.targets]  # the ratios need it
    if (
        args.duration < 1
        or args.warmup < 1
        or args.rounds < 1
        or args.workers < 1
        or args.connections < 1
    ):
        parser.error("duration, warm-up, rounds, workers and connections must be positive")
    return args


def bench_size(
    size: int, env: dict[str, str], folder: Path, args: argparse.Namespace, facts: dict
) -> dict:
    have = facts.get("articles", 0)
    generated = 0.0
    if size > have:
        print(f"\n== {size:,} articles: generating {size - have:,}", flush=True)
        started = time.monotonic()
        manage(
            env,
            "generate_articles",
            str(size - have),
            f"--seed={args.seed + size}",
            f"--batch-size={args.batch_size}",
            "--verbosity=0",
        )
        generated = time.monotonic() - started
        print(f"   generated in {generated:.1f} s", flush=True)
    else:
        print(f"\n== {size:,} articles (database has {have:,})", flush=True)
    facts.update(discover(env))
    paths = facts["paths"]

    prefix = f"bench-{secrets.token_hex(4)}-{size}"
    servers: dict[tuple[str, bool], Server] = {}
    needs_cache = any(dict(TARGETS)[name] for name in args.targets)
    try:
        for worker in args.worker_class:
            for cached in (False, True) if needs_cache else (False,):
                server = Server(
                    f"{worker}-{'cached' if cached else 'uncached'}", worker, cached, folder
                )
                servers[(worker, cached)] = server
                server.start(env, args, prefix)
        jobs = []
        for worker in args.worker_class:
            for name in args.targets:
                cached = dict(TARGETS)[name]
                path = paths[name.removesuffix("-cached")]
                jobs.append((worker, name, servers[(worker, cached)], path))

        # Every page must work before it is timed; a failing page is reported, not timed.
        skipped = {}
        for worker, name, server, path in jobs:
            status = status_of(server.url(path))
            if status != 200:
                skipped[(worker, name)] = status
                print(f"   {name} ({worker}) {path} answered {status}; not timed", flush=True)
                print(server.tail(), flush=True)
        jobs = [job for job in jobs if (job[0], job[1]) not in skipped]
        for _, _, server, path in jobs:
            run_wrk(server.url(path), args, args.warmup, server.process.pid)

        runs: dict[tuple[str, str], list[Run]] = {(w, n): [] for w, n, _, _ in jobs}
        for round_number in range(args.rounds):
            # Interleaved: each round starts at another page, so background
            # load on a shared machine spreads over all of them.
            shift = round_number * max(1, len(jobs) // max(args.rounds, 1))
            for worker, name, server, path in jobs[shift:] + jobs[:shift]:
                run = run_wrk(server.url(path), args, args.duration, server.process.pid)
                runs[(worker, name)].append(run)
                print(
                    f"   round {round_number + 1} {name:16} {worker:7} {run.rps:8.0f} req/s "
                    f"p95 {run.p95:8.2f} ms  cores {run.cores:.2f}  idlest {run.idlest:.2f}  "
                    f"wrk {run.wrk_cores:.2f}  machine {run.machine_cores:.2f}"
                    + (f"  non-2xx {run.non_2xx}" if run.non_2xx else "")
                    + (f"  socket errors {run.socket_errors}" if run.socket_errors else ""),
                    flush=True,
                )
        effective = {w: servers[(w, False)].effective_worker for w in args.worker_class}
    finally:
        for server in servers.values():
            server.stop()
    errors = sum(
        len(re.findall(r" ERROR ", (folder / f"django-{s.label}.log").read_text(errors="replace")))
        for s in servers.values()
    )
    summaries = {(w, n): Summary(paths[n.removesuffix("-cached")], r) for (w, n), r in runs.items()}
    return {
        "summaries": summaries,
        "skipped": skipped,
        "generated_s": generated,
        "articles": facts["articles"],
        "published": facts["published"],
        "effective": effective,
        "django_errors": errors,
        "paths": dict(paths),
    }


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        fail("wrk is not installed: apt-get install wrk")
    stamp = datetime.datetime.now(datetime.UTC)
    commit = git("rev-parse", "--short", "HEAD") or "nocommit"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    results: dict[int, dict] = {}
    try:
        env = base_env(folder, args)
        print(f"Preparing {folder} (migrate, collectstatic)", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        facts = discover_counts(env)
        if args.database_url and facts["articles"]:
            fail(
                f"{redact(args.database_url)} already holds {facts['articles']} articles; "
                "give the benchmark an empty, throwaway database"
            )
        for size in args.sizes:
            results[size] = bench_size(size, env, folder, args, facts)
    finally:
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    load_after = os.getloadavg()

    classes = args.worker_class
    out = [f"# newsroom benchmark, {stamp:%Y-%m-%d %H:%M} UTC, commit {commit}", ""]
    if dirty:
        out += ["The working tree had uncommitted changes to tracked files.", ""]
    if args.duration < 15 or args.rounds < 3:
        out += [
            "**Quick run** (shorter runs or fewer rounds than the issue's method): it shows "
            "the harness works; do not compare its figures.",
            "",
        ]
    out += [
        f"Command: `{redact(' '.join(['bench/run.py', *sys.argv[1:]]))}`",
        "",
        f"gunicorn.conf.py with {args.workers} workers; worker class "
        + ", ".join(f"{w} → {e}" for w, e in results[args.sizes[0]]["effective"].items())
        + f"; wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration:g}s --latency, "
        f"{args.warmup:g} s warm-up, median of {args.rounds} interleaved round(s). "
        "Page cache off (`NEWSROOM_PAGE_CACHE=false`) except for article-cached.",
        "",
        "| machine | |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in machine_facts(facts["database"], facts["cache"]).items()]
    out += [f"| load average before / after | {load_before[0]:.2f} / {load_after[0]:.2f} |", ""]
    out += [
        "Columns: req/s and latencies are medians over rounds; × constant is req/s over the "
        "constant view's; non-2xx (status ≥ 400, as wrk counts) and socket errors (connect, "
        "read, write and wrk's 2 s timeouts) are totals over the rounds; "
        "cores busy is the CPU of all gunicorn workers together (target ≥ 1.8 of 2), idlest "
        "worker the mean CPU of the least busy worker; worker pids counts the workers seen "
        "(more than the worker count means max_requests restarts); wrk cores is wrk's own "
        "CPU and machine cores the whole machine's busy CPU, both over the same seconds: "
        "the workers can have at most what wrk and the rest leave of the 2 cores.",
        "",
    ]
    for result in results.values():
        out += [
            f"## {result['articles']:,} articles ({result['published']:,} published)",
            "",
            f"Generated in {result['generated_s']:.1f} s."
            + (
                f" Django logged {result['django_errors']} errors."
                if result["django_errors"]
                else ""
            ),
            "",
        ]
        out += size_table(result["summaries"], classes)
        for (worker, name), status in result["skipped"].items():
            out.append(f"\n{name} ({worker}) answered {status} and was not timed.")
        out += ["", "Paths: " + ", ".join(f"{k} `{v}`" for k, v in result["paths"].items()), ""]
    if len(results) > 1:
        out += ["## p95 as the data grows", ""] + scale_table(results, classes) + [""]
    text = "\n".join(out)
    print("\n" + text)
    if not args.no_save:
        path = write_results(text, stamp, commit)
        print(f"Written to {path.relative_to(ROOT)}")
    return 0


def discover_counts(env: dict[str, str]) -> dict:
    """Facts before any data exists (discover proper needs a published article)."""
    code = (
        "import django, json; django.setup(); "
        "from articles.models import Article; "
        "print(json.dumps({'articles': Article.objects.count()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        fail(f"could not read the database:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
