"""Shared fixtures: a fast suite (password hasher, WhiteNoise, rows made once per
class or module), a real Redis when asked, and Playwright on the system Chromium."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import transaction
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# pytest-django's live_server runs the app in a thread beside the sync
# Playwright API, which Django would otherwise refuse as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Fixtures that start a server process: a test using one is a `process` test
# even when nobody remembered the marker, so the inner loop stays fast.
PROCESS_FIXTURES = {"redis_url", "migrated_sqlite_template"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.process)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher() -> Iterator[None]:
    """MD5 instead of PBKDF2's million rounds (~0.4 s a hash here), as bakerydemo's
    test settings do.

    Session-scoped so that users built by class- and module-scoped fixtures,
    which run before any function fixture, are hashed the fast way too.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def whitenoise_looks_files_up_on_request() -> Iterator[None]:
    """Every test client builds a new WhiteNoise, which in production mode indexes
    all ~900 collected files before its first request (a third of the time of
    tests/articles). Looking a file up when it is asked for serves the same
    responses. The live server and test_static_files keep the production mode."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def no_oembed_on_save() -> Iterator[None]:
    """Saving an article asks no provider (there is no network here); the
    tests of that autofill turn it on with a local oEmbed server."""
    with override_settings(EMBEDS_AUTOFILL_ON_SAVE=False):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_in_a_temporary_folder(tmp_path_factory) -> Iterator[None]:
    """Files written by tests (library images, demo content) never land in media/."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@contextmanager
def _rows_rolled_back_afterwards(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
) -> None:
    """On SQLite, the test database is a file, as it is in production.

    Django's default, an in-memory database, is one connection that the live
    server's thread shares with the test's thread. Two threads using it at
    once (a test reading a row while the browser's request writes one) can
    leave its transaction state broken for every later test ("An error
    occurred in the current transaction"). With a file each thread has its
    own connection, and WAL and the busy timeout order them as in production.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="class")
def class_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """setUpTestData for pytest: rows written by a class-scoped fixture that asks
    for this one are made once, seen by every test of the class and rolled back
    after it. Each test still runs in its own savepoint, so whatever it changes
    is undone before the next test. Not for transactional tests."""
    with _rows_rolled_back_afterwards(django_db_blocker):
        yield


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """``class_db`` for a module: rows made once, seen by every test of the module."""
    with _rows_rolled_back_afterwards(django_db_blocker):
        yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def content_generation_in_the_test_cache() -> None:
    """The test process keeps the content generation in its own cache, not in
    the file beside the development database that `make run` uses."""
    from django.conf import settings

    settings.CONTENT_GENERATION_FILE = ""


@pytest.fixture(autouse=True)
def no_cached_pages() -> None:
    """Each test starts with no cached pages or fragments: an earlier test's rows
    were rolled back without the saves that would have retired them."""
    from django.core.cache import cache

    from newsroom import cache as content

    cache.clear()
    content.reset_process_state()


@pytest.fixture
def page_cache_off(settings) -> None:
    """No stored pages, for tests that measure what the views themselves do.
    Set before the test client's first request, when it loads the middleware."""
    settings.NEWSROOM_PAGE_CACHE = False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: REDIS_URL when CI provides one, else a throwaway server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if not server:
        pytest.fail(
            "redis-server is not installed; run `make sysdeps` (apt-get install redis-server)"
        )
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [
                server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp,
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    proc.kill()
                    pytest.fail(f"redis-server did not listen on 127.0.0.1:{port} within 60 s")
                time.sleep(0.05)
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; run `make sysdeps` (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def axe_audit(browser):
    """Run axe-core (WCAG 2 A and AA) on a URL and return its violations.

    The audit page bypasses CSP so the injected axe script can run; the
    page under test is otherwise the one readers get.
    """
    if not AXE_JS.exists():
        pytest.fail("node_modules/axe-core is missing; run `npm ci` (make install does)")

    def audit(
        url: str, *, cookies: list[dict] | None = None, ready: str = "", tags: tuple = ()
    ) -> list[dict]:
        """``cookies`` (Playwright's format) log the audit in, e.g. a Django
        session for admin pages; ``ready`` is a JavaScript predicate the page
        must meet first, such as "the script-built widgets are there";
        ``tags`` replace the default rule sets (e.g. with WCAG 2.2's)."""
        context = browser.new_context(bypass_csp=True)
        try:
            if cookies:
                context.add_cookies(cookies)
            page = context.new_page()
            page.goto(url)
            if ready:
                page.wait_for_function(ready)
            page.add_script_tag(path=str(AXE_JS))
            result = page.evaluate(
                "(tags) => axe.run(document, {runOnly: tags})",
                list(tags or ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")),
            )
            return [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "nodes": [n["html"] for n in v["nodes"]],
                    "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
                }
                for v in result["violations"]
            ]
        finally:
            context.close()

    return audit


@pytest.fixture(scope="session", autouse=True)
def collected_static() -> Path:
    """STATIC_ROOT as collectstatic leaves it, so pages and assets agree on hashed names.

    For every session (pages render ``{% static %}`` through the manifest), but
    collected again only when a source file is newer than the manifest: a
    collection takes ~10 s (every file is compressed twice), so `make test`
    leaves it to this fixture rather than collecting on every run.
    """
    from django.apps import apps
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    manifest = Path(staticfiles_storage.path(staticfiles_storage.manifest_name))
    collected_at = manifest.stat().st_mtime if manifest.exists() else 0.0
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    sources = (
        Path(storage.path(path))
        for finder in get_finders()
        for path, storage in finder.list(ignore)
    )
    if any(source.stat().st_mtime > collected_at for source in sources):
        call_command("collectstatic", interactive=False, verbosity=0)
    return Path(settings.STATIC_ROOT)


class InFlight:
    """Counts the live server's requests being handled, so a test's end can
    wait for the last of them (an autosave sent as the page closes, say):
    a request still writing after Django's flush would leave rows for the
    next test, or make the flush wait on SQLite's write lock."""

    QUIET = 0.3  # seconds with nothing in flight: a closing page's last request has landed
    TIMEOUT = 20.0

    def __init__(self) -> None:
        self.active = 0
        self.last_done = 0.0
        self.lock = threading.Lock()

    def wrap(self, app):
        def counted(environ, start_response):
            with self.lock:
                self.active += 1
            try:
                return app(environ, start_response)
            finally:
                with self.lock:
                    self.active -= 1
                    self.last_done = time.monotonic()

        return counted

    def wait_idle(self) -> None:
        deadline = time.monotonic() + self.TIMEOUT
        while time.monotonic() < deadline:
            with self.lock:
                idle = self.active == 0 and time.monotonic() - self.last_done > self.QUIET
            if idle:
                return
            time.sleep(0.02)


@pytest.fixture(autouse=True)
def _live_server_idle_before_flush(request):
    """For live-server tests: set up after the database fixture, so torn down
    before its flush, and waits there until the server has no request left."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    server = request.getfixturevalue("live_server")
    yield
    server.in_flight.wait_idle()


@pytest.fixture(scope="session")
def live_server(request, django_db_blocker, collected_static):
    """pytest-django's live server, but serving static files the way production does.

    Its default static handler looks files up with the finders, which know
    nothing of the hashed names the manifest storage puts in pages; here the
    app's own WhiteNoise middleware serves the collected files instead.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.in_flight = InFlight()
    server.thread.static_handler = server.in_flight.wrap
    with override_settings(WHITENOISE_AUTOREFRESH=False):
        server.start()  # builds the one WhiteNoise the server keeps
    yield server
    server.stop()


@pytest.fixture
def plain_static(settings) -> None:
    """Plain static file names for pages rendered without a collected manifest
    (admin tests through the test client); the finders and WhiteNoise both
    serve them."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _search_index_emptied_after_flush(request, django_db_blocker):
    """A transactional test (live_server among them) ends with Django's
    flush, which empties the models' tables but not the search index, a table
    no model owns: its rows would outlive their articles into later tests."""
    yield
    if "transactional_db" not in request.fixturenames:
        return
    from django.db import connection

    from articles import search

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {search.TABLE}")  # noqa: S608 - a constant
