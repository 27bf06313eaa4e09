"""An HTTP client for untrusted, editor-supplied URLs (oEmbed endpoints and the
thumbnails they name).

A URL an editor pastes, or one a provider sends back, must not reach the
machine's own network: requests go over https only, to public addresses only
(checked after DNS resolution, and the connection is made to the checked
address, so a rebinding name cannot swap it), redirects are re-checked hop by
hop, and time and size are capped. Every failure is a :class:`FetchError`.

Settings (declared in ``newsroom/settings.py``):

``EMBEDS_FETCH_TIMEOUT``
    Seconds for a whole request, connection to last byte, redirects included.
``EMBEDS_ALLOW_LOOPBACK``
    Tests only: also allow loopback addresses, and plain http to them.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "newsroom-embeds/1.0"
CHUNK_SIZE = 65536

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch failed in an expected way; the message is safe to show editors."""


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


def get(url: str, *, max_bytes: int, accept: str) -> Response:
    """GET ``url`` under the rules above; raises ``FetchError`` on any failure,
    including a status other than 200."""
    deadline = time.monotonic() + float(settings.EMBEDS_FETCH_TIMEOUT)
    for _hop in range(MAX_REDIRECTS + 1):
        # Each hop is opened afresh, so its address is checked like the first.
        connection = _open(url, max(0.01, deadline - time.monotonic()))
        try:
            response = _request(connection, url, accept)
            location = response.getheader("Location")
            if response.status in REDIRECT_STATUSES and location:
                url = urljoin(url, location)
                continue
            return _answer(connection, response, max_bytes, deadline)
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, TimeoutError):
                raise FetchError("The provider did not answer in time.") from exc
            raise FetchError(f"The request failed: {exc.__class__.__name__}.") from exc
        finally:
            connection.close()
    raise FetchError("Too many redirects.")


def _request(
    connection: http.client.HTTPConnection, url: str, accept: str
) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": accept})
    return connection.getresponse()


def _answer(
    connection: http.client.HTTPConnection,
    response: http.client.HTTPResponse,
    max_bytes: int,
    deadline: float,
) -> Response:
    if response.status != 200:
        raise FetchError(f"The provider answered HTTP {response.status}.")
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"The answer is larger than {max_bytes} bytes.")
    body = _read(connection, response, max_bytes, deadline)
    content_type = response.getheader("Content-Type", "").split(";")[0].strip().lower()
    return Response(response.status, content_type, body)


def _read(
    connection: http.client.HTTPConnection,
    response: http.client.HTTPResponse,
    max_bytes: int,
    deadline: float,
) -> bytes:
    """The body, chunk by chunk: the socket timeout alone would let a server
    that trickles one byte at a time hold the request open indefinitely."""
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("The provider did not answer in time.")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(CHUNK_SIZE)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"The answer is larger than {max_bytes} bytes.")
        chunks.append(chunk)


# --- Addresses ---------------------------------------------------------------


def _loopback_allowed() -> bool:
    return bool(settings.EMBEDS_ALLOW_LOOPBACK)


def _allowed_address(ip: IPAddress) -> bool:
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return _loopback_allowed()
    return ip.is_global and not ip.is_multicast


def _ip(address: str) -> IPAddress:
    # getaddrinfo gives IPv6 link-local addresses with a "%zone" suffix.
    return ipaddress.ip_address(address.split("%", 1)[0])


def _resolve(host: str, port: int) -> str:
    """The address to connect to; every address the name has must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Cannot resolve {host}.") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(f"Cannot resolve {host}.")
    for address in addresses:
        if not _allowed_address(_ip(address)):
            raise FetchError(f"{host} is not a public address.")
    return addresses[0]


# --- Connections -------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an already checked address, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is still checked against the name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _open(url: str, timeout: float) -> http.client.HTTPConnection:
    """A connection for ``url``, pinned to its checked address; nothing is sent yet."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("Invalid URL.") from exc
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme != "https" and not (scheme == "http" and _loopback_allowed()):
        raise FetchError("Only https URLs are fetched.")
    if not host or parts.username is not None or parts.password is not None:
        raise FetchError("Invalid URL.")
    address = _resolve(host, port or (443 if scheme == "https" else 80))
    if scheme == "https":
        return _PinnedHTTPSConnection(host, port or 443, address, timeout)
    if _ip(address).is_loopback:
        # Plain http only ever goes to a test server on this machine.
        return _PinnedHTTPConnection(host, port or 80, address, timeout)
    raise FetchError("Only https URLs are fetched.")
