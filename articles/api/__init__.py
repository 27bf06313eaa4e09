"""The content API, ``/api/v1/``: read-only JSON through the publish gate.

Every article comes from ``Article.objects.published()``; categories, tags
and authors are listed only while readers may see them (``articles.taxonomy``).
Lists page with an opaque cursor on (``published_at``, ``id``), so a page's
next page stays the same while new articles are published. Errors are RFC
9457 problem details. HTTP caching (ETag, Last-Modified, 304, Cache-Control
from the content generation) comes from ``newsroom.middleware.PageCacheMiddleware``
like every public page's.
"""
