"""Real processes for tests that must not patch what they prove: gunicorn, Redis, manage.py.

Every child gets a production-like environment built from scratch: the
variables newsroom reads (listed in .env.example) are dropped from the
inherited environment, and ``NEWSROOM_ENV_FILE`` points at an empty file so a
developer's ``.env`` cannot leak in.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def configuration_variables() -> set[str]:
    """Every variable .env.example lists, set or commented out."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """An environment for a child process: DEBUG off, a fresh secret, SQLite in tmp_path."""
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.touch()
    ours = configuration_variables() | {"CACHE_URL", "REDIS_URL", "DATABASE_URL"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ours and not key.startswith(("DJANGO_", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        NEWSROOM_ENV_FILE=str(empty_env_file),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL="",
        REDIS_URL="",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    return free_port()


@contextmanager
def silent_listener() -> Iterator[int]:
    """A port whose kernel completes the TCP handshake but which never answers.

    This is how a wedged database or a half-dead Redis looks to a client:
    connecting works, replies never come.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float


def fetch(
    base_url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 15
) -> Response:
    """One HTTP GET without urllib's opinions (no raising on 503, Host header as given)."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return Response(response.status, response.headers, body, time.monotonic() - started)


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def wait_until_serving(
    base_url: str, process: subprocess.Popen, path: str = "/healthz", seconds: float = 60
) -> None:
    """Wait for an HTTP answer (any status), not just a listening port.

    gunicorn's master listens before its worker has imported Django; a request
    sent then waits for the boot, seconds on a busy machine, which a test
    timing its request would count against the view.
    """
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before answering")
        try:
            fetch(base_url, path, timeout=max(0.1, deadline - time.monotonic()))
            return
        except (OSError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{base_url}{path} gave no answer within {seconds} s") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen, seconds: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def gunicorn(env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """gunicorn with gunicorn.conf.py, one worker, on a free port; stopped on exit.

    Yields once the worker answers HTTP (one ``GET /healthz`` in its log)."""
    port = free_port()
    env = {
        "WEB_CONCURRENCY": "1",
        "GUNICORN_GRACEFUL_TIMEOUT": "2",
        **env,
        "PORT": str(port),
    }
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        try:
            wait_for_port(port, process)
            wait_until_serving(server.url, process)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(f"gunicorn did not start: {exc}\n{server.output()}") from exc
        yield server
    finally:
        stop(process)


@contextmanager
def redis_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A throwaway redis-server the test may stop itself; yields (url, process)."""
    executable = shutil.which("redis-server")
    assert executable, "redis-server is not installed; run `make sysdeps`"
    port = free_port()
    data_dir = tmp_path / f"redis-{port}"
    data_dir.mkdir()
    process = subprocess.Popen(
        [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "no", "--dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        stop(process)


def manage(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def postgres_binaries() -> Path:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's versioned folder."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for folder in folders:
        if (folder / "pg_ctl").exists():
            return folder
    raise AssertionError("PostgreSQL's initdb/pg_ctl are not installed (postgresql-15 package)")


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL server the test may stop and start itself."""

    folder: Path
    port: int
    binaries: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.binaries / args[0]), *args[1:]]
        if os.geteuid() == 0:
            # initdb refuses root; the server runs as its own user.
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "pg.log"),
                  "-w", "start", "-o", options)  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return (self.folder / "data" / "postmaster.pid").exists()


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """initdb, start and ``createdb newsroom`` on a free port, as .ci/run does; stopped
    and removed on exit.

    In a folder of its own under the system temporary folder: pytest's is
    private to root, and the server runs as the postgres user.
    """
    folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
    cluster = None
    try:
        if os.geteuid() == 0:
            subprocess.run(["id", "postgres"], check=True, capture_output=True)
            shutil.chown(folder, "postgres")
        cluster = PostgresCluster(folder, free_port(), postgres_binaries())
        cluster._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                     "-E", "UTF8")  # fmt: skip
        cluster.start()
        cluster._run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                     "newsroom")  # fmt: skip
        yield cluster
    finally:
        try:
            if cluster is not None and cluster.is_running():
                cluster.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def publish(env: dict[str, str], slug: str, title: str) -> str:
    """Publish an article from a process of its own; its URL."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.newsroom.content_writer", "publish", slug, title],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1].split()[0]
