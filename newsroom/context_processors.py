from django.conf import settings
from django.http import HttpRequest

from newsroom import cache


def site(request: HttpRequest) -> dict:
    """The site's name and absolute base URL, and the content generation that
    ``{% cache %}`` fragments of content vary on (looked up only if used)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CONTENT_GENERATION": lambda: cache.current().key,
    }
