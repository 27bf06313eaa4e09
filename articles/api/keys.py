"""Partner API keys: made in the admin, sent as ``Authorization: Bearer <key>``
or ``X-API-Key: <key>``, checked by ``articles.api.throttle``.

A key reads ``nrk_<prefix>_<secret>``: 8 hex characters that find the row,
then 43 URL-safe characters (256 random bits) of which only a SHA-256 digest
is stored. Anything else sent as a key is refused without a query.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from articles.models import ApiKey

SCHEME = "nrk"
# The longest key there is; longer headers are refused before any parsing.
MAX_LENGTH = 64
_KEY = re.compile(r"nrk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")
# last_used_at is written at most this often per key, not on every request.
TOUCH_EVERY = datetime.timedelta(minutes=1)


class Missing:
    """No key was sent: the anonymous, per-address budget applies."""


MISSING = Missing()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def new_key(api_key: ApiKey) -> str:
    """Give ``api_key`` a fresh prefix and secret (unsaved); the whole key,
    which is nowhere else, is returned to be shown once."""
    api_key.prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    api_key.secret_hash = digest(secret)
    return f"{SCHEME}_{api_key.prefix}_{secret}"


def sent_key(request: HttpRequest) -> str | None:
    """The key in the request's headers, as sent; ``None`` when there is none.
    ``Authorization`` with another scheme (Basic, say) is not a key."""
    header = request.META.get("HTTP_X_API_KEY")
    if header is not None:
        return header.strip()
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip()
    return None


def authenticate(request: HttpRequest) -> ApiKey | Missing | None:
    """The active ``ApiKey`` the request names, ``MISSING`` when it names
    none, or ``None`` when the key it sends is not valid (unknown, revoked,
    malformed)."""
    sent = sent_key(request)
    if sent is None:
        return MISSING
    if len(sent) > MAX_LENGTH:
        return None
    match = _KEY.fullmatch(sent)
    if match is None:
        return None
    prefix, secret = match.groups()
    api_key = ApiKey.objects.filter(prefix=prefix, is_active=True).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, digest(secret)):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at < now - TOUCH_EVERY:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
    return api_key
