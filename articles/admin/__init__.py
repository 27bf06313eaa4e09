"""The editorial admin: articles (``article``), and categories, authors, tags
and redirects (``taxonomy``), users with their roles (``accounts``), the review
queue on the index (``queue``) and partner API keys (``apikeys``). Importing
the modules registers them."""

from articles.admin import accounts, apikeys, article, images, queue, taxonomy  # noqa: F401
