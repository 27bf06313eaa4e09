"""Login throttling wiring for django-axes."""

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
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
