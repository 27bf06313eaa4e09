"""A real local HTTP server standing in for providers' oEmbed endpoints (and
any other server the fetch client talks to).

Each endpoint's first path segment picks the behaviour (``/good``, ``/404``,
``/slow``, ...), so a test points ``EMBEDS_OEMBED_ENDPOINTS`` at the ones it
needs. Requests are recorded for assertions.
"""

import io
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

HOSTILE = '"><script>alert(1)</script>'
# How long /slow and /trickle take to answer in full: far beyond any fetch
# timeout a test sets, so a test can prove the client gave up long before.
SLOW_SECONDS = 30


def png_bytes(size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class OEmbedServer:
    base: str
    requests: list[dict] = field(default_factory=list)

    def endpoints(self, **modes: str) -> dict[str, str]:
        """``EMBEDS_OEMBED_ENDPOINTS`` with each provider on a behaviour."""
        return {provider: f"{self.base}/{mode}" for provider, mode in modes.items()}


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeProvider/1.0"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        mode = parts.path.strip("/").split("/")[0]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.record.append({"mode": mode, "query": query, "path": self.path})
        base = f"http://127.0.0.1:{self.server.server_port}"
        good = {
            "version": "1.0",
            "type": "video",
            "title": "Photograph (Official Video)",
            "author_name": "Nadia Vale",
            "author_url": "https://www.youtube.com/@nadiavale",
            "thumbnail_url": f"{base}/thumb.png",
            "html": '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        }
        if mode == "good":
            return self.json(good)
        if mode == "no-thumbnail":
            return self.json({**good, "thumbnail_url": None})
        if mode == "fake-thumbnail":
            return self.json({**good, "thumbnail_url": f"{base}/thumb-fake.png"})
        if mode == "html-thumbnail":
            return self.json({**good, "thumbnail_url": f"{base}/thumb.html"})
        if mode == "private-thumbnail":
            return self.json({**good, "thumbnail_url": "https://10.1.2.3/thumb.png"})
        if mode == "x":
            return self.json(
                {
                    "author_name": "jack",
                    "author_url": "https://twitter.com/jack",
                    "html": '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">just '
                    "setting up my twttr</p>&mdash; jack (@jack) "
                    '<a href="https://twitter.com/jack/status/20">March 21, 2006</a></blockquote>',
                }
            )
        if mode == "tiktok":
            return self.json(
                {
                    "title": "Scramble up ur name & I’ll try to guess it",
                    "author_name": "Scout, Suki & Stella",
                    "author_url": "https://www.tiktok.com/@scout2015",
                    "author_unique_id": "scout2015",
                }
            )
        if mode == "hostile":
            return self.json(
                {
                    "title": f"{HOSTILE} <b>bold</b> &lt;i&gt;",
                    "author_name": f"javascript:alert(1)//{HOSTILE}",
                    "author_url": f"https://x.example/{HOSTILE}",
                    "thumbnail_url": "javascript:alert(1)",
                    "html": f"<p>{HOSTILE}</p>",
                    "extra": "\u0000\u0007control" + "x" * 5000,
                }
            )
        if mode == "long":
            return self.json({**good, "title": "t" * 5000, "author_name": "a" * 5000})
        if mode == "wrong-types":
            return self.json({"title": ["a"], "author_name": 42, "thumbnail_url": {"x": 1}})
        if mode == "404":
            return self.send(404, b"Not Found", "text/plain")
        if mode == "500":
            return self.send(500, b"<html>Internal error</html>", "text/html")
        if mode == "slow":
            if self.client_hangs_up_within(SLOW_SECONDS):
                return None
            return self.json(good)
        if mode == "trickle":
            return self.trickle(SLOW_SECONDS)
        if mode == "malformed":
            return self.send(200, b'{"title": "unterminated', "application/json")
        if mode == "not-utf8":
            return self.send(200, b'{"title": "\xff\xfe"}', "application/json")
        if mode == "array":
            return self.json([good])
        if mode == "oversized":
            return self.send(200, b'{"title": "' + b"x" * 200_000 + b'"}', "application/json")
        if mode == "oversized-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"title": "' + b"x" * 200_000 + b'"}')
            self.close_connection = True
            return None
        if mode == "redirect-good":
            return self.redirect(f"/good?{parts.query}")
        if mode == "redirect-private":
            return self.redirect("https://169.254.169.254/latest/meta-data/")
        if mode == "redirect-loop":
            return self.redirect(self.path)
        if mode == "redirect-scheme":
            return self.redirect("file:///etc/passwd")
        if mode == "thumb.png":
            return self.send(200, png_bytes(), "image/png")
        if mode == "thumb-fake.png":
            return self.send(200, b"<svg onload=alert(1)>", "image/png")
        if mode == "thumb.html":
            return self.send(200, b"<html></html>", "text/html")
        return self.send(404, b"unknown mode", "text/plain")

    def client_hangs_up_within(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the client to close the connection, so a
        client that gave up does not leave this thread behind for long."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], remaining)
            if readable:
                try:
                    return self.connection.recv(1, socket.MSG_PEEK) == b""
                except ConnectionResetError:
                    return True
        return False

    def trickle(self, seconds: float) -> None:
        """A 200 whose body arrives one byte every 0.1 s for ``seconds``."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should
        self.close_connection = True

    def json(self, data) -> None:
        self.send(200, json.dumps(data).encode(), "application/json")

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def oembed_http() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.record = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def oembed_server(oembed_http, settings, tmp_path) -> OEmbedServer:
    """The local server, with settings that let the fetcher reach it."""
    oembed_http.record.clear()
    server = OEmbedServer(
        base=f"http://127.0.0.1:{oembed_http.server_port}", requests=oembed_http.record
    )
    settings.EMBEDS_ALLOW_LOOPBACK = True
    # Generous, so a busy machine never fails a good answer; tests of the
    # timeout itself set their own.
    settings.EMBEDS_FETCH_TIMEOUT = 10
    settings.EMBEDS_OEMBED_MAX_BYTES = 64 * 1024
    settings.EMBEDS_THUMBNAIL_MAX_BYTES = 64 * 1024
    settings.EMBEDS_OEMBED_ENDPOINTS = server.endpoints(
        youtube="good", vimeo="good", spotify="good", soundcloud="good", tiktok="tiktok", x="x"
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    return server
