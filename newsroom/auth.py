"""Login throttling wiring for django-axes."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come from a request.

    ``authenticate()`` without a request (Django's test client ``login()``,
    a management command) has no client to throttle; axes would raise, so
    those pass through to the next backend unchecked. Every login form,
    the admin's included, passes its request.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the throttle counts it.

    Behind a proxy every request comes from the proxy, and one attacker could
    lock everybody out; so when the socket's address is one of the proxies
    in ``FORWARDED_ALLOW_IPS`` (the list gunicorn trusts too), X-Forwarded-For
    is read from the right, past the trusted proxies, to the first address
    they did not add themselves. From any other client the header is ignored:
    it is the client's to forge.
    """
    remote = request.META.get("REMOTE_ADDR")
    trusted = trusted_proxies()
    if not _is_trusted(remote, trusted):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = remote
    for hop in reversed([hop.strip() for hop in forwarded.split(",")]):
        if not _is_address(hop):
            break  # garbage: nothing further left can be believed
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return client


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """``FORWARDED_ALLOW_IPS`` as networks; None for ``*`` (every peer is a proxy)."""
    entries = [entry.strip() for entry in settings.FORWARDED_ALLOW_IPS if entry.strip()]
    if "*" in entries:
        return None
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # gunicorn refuses to start on it; here it trusts nothing
    return networks


def _is_trusted(
    address: str | None, trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None
) -> bool:
    if not address or not _is_address(address):
        return False
    if trusted is None:
        return True
    ip = ipaddress.ip_address(address)
    return any(ip.version == network.version and ip in network for network in trusted)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# Axes stores the username in a 255-character column; the login form does
# not limit its length (a 5,000-character name was a 500 on PostgreSQL).
USERNAME_MAX_LENGTH = 150


def client_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username the throttle counts, cut to the longest a user can have."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:USERNAME_MAX_LENGTH] if isinstance(username, str) else username
