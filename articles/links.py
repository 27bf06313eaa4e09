"""Absolute URLs for what leaves the site: feeds, sitemaps, share links, metadata."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` on SITE_URL; an already absolute URL (e.g. from object storage) is kept."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path
