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

    Behind a TLS-terminating proxy (``SECURE_PROXY_SSL_HEADER`` set) every
    request comes from the proxy, and one attacker could lock everybody out;
    there the last address the proxy appended to X-Forwarded-For is used.
    Otherwise only the socket's address is trusted.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops and _is_address(hops[-1]):
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


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
